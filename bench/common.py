"""Shared helpers of the benchmarks: where the shared data is, and a ready engine over it."""

import glob
import json
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = sorted(glob.glob(str(SHARED / "corpus" / "docs_*.jsonl")))
QUERIES = SHARED / "eval" / "dev" / "queries.jsonl"
QRELS = SHARED / "eval" / "dev" / "qrels.txt"
RESULTS = Path(__file__).resolve().parent / "results"


def require_shared():
    if not CORPUS:
        sys.exit(f"bench: the shared corpus is not at {SHARED} (it exists only on developer and CI machines)")


def engine(data_dir):
    """An engine over the shared corpus in `data_dir` (ingested once; embeddings are cached)."""
    from cigale import Engine

    require_shared()
    e = Engine.open(data_dir)
    report = e.ingest(CORPUS)
    return e, report


def queries():
    return [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]


def write(name: str, result: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return path

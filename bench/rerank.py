"""Optional re-ranking by a real small model (cigale/rerank.py): its quality and its latency cost.

    make llm                                  # once: llama.cpp's server and a Qwen2.5-Coder-1.5B GGUF in .llm/
    python bench/rerank.py [--data DIR] [--top N] [--limit N]

Starts llama.cpp's OpenAI-compatible server on loopback (as bench/generative.py does) and
searches the dev questions that name a place or a subject (factual and list: open questions are
never re-ranked) with `llm_rerank = N` and without; reports nDCG@10 both ways, the share of
searches the model actually re-ranked, and the search latency p50/p95 both ways.
Writes bench/results/rerank.json.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import QRELS, engine, queries, write  # noqa: E402
from bench.generative import MODEL, free_port, start_server  # noqa: E402
from cigale import Engine  # noqa: E402
from cigale.evaluate import latency_summary, load_qrels, score  # noqa: E402
from cigale.rerank import rerank  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT / "bench" / ".data"))
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--limit", type=int, default=0, help="first N questions only")
    args = parser.parse_args()
    base, _ = engine(args.data)
    qs = [q for q in queries() if q["type"] in ("factual", "list")][: args.limit or None]
    asked = {q["id"] for q in qs}
    qrels = [r for r in load_qrels(QRELS) if r.query_id in asked]  # the mean over the questions asked
    port = free_port()
    server = start_server(MODEL, port)
    try:
        settings = base.settings.replace(llm_base_url=f"http://127.0.0.1:{port}/v1", llm_model="qwen2.5-coder-1.5b",
                                         llm_timeout=120.0, llm_rerank=args.top)
        e = Engine.open(args.data, settings=settings)
        runs = {"plain": {}, "reranked": {}}
        latency = {"plain": [], "reranked": []}
        applied = 0
        for q in qs:
            question = e.question(q["text"], lang=q["lang"])
            started = time.perf_counter()
            hits = e.searcher.search(question, k=100, equity=False)
            latency["plain"].append(time.perf_counter() - started)
            started = time.perf_counter()
            reranked, info = rerank(question, hits, e.generator, e.rerank_breaker, args.top, settings.llm_timeout)
            latency["reranked"].append(latency["plain"][-1] + time.perf_counter() - started)
            applied += isinstance(info.get("rerank"), list)
            for name, ranked in (("plain", hits), ("reranked", reranked)):
                runs[name][q["id"]] = {h.doc_id: float(len(ranked) - i) for i, h in enumerate(ranked)}
            print(f"{q['id']}: {info.get('rerank') if not isinstance(info.get('rerank'), list) else 'reranked'}",
                  flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {"questions": len(qs), "top": args.top, "reranked_share": round(applied / len(qs), 3)}
    for name in runs:
        result[name] = {"ndcg@10": score(runs[name], qrels)["ndcg@10"], "latency": latency_summary(latency[name])}
    print(result)
    write("rerank", result)


if __name__ == "__main__":
    main()

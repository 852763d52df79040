"""Retrieval quality and search latency on the shared dev set, for bm25, dense and hybrid.

    python bench/retrieval.py [--data DIR]

Prints nDCG@10 / Recall@20 / MRR@10 overall and per question type, the warm latency of the
batch runs (k=100, language given), and of visitor searches (k=10, language detected) over
all dev questions; then nDCG@10 per language on our multilingual dev set (every answerable dev
question written in fr, en, it, es and de: bench/data/dev_multilingual.jsonl) and on our own
open questions (bench/levers.py reads both); writes bench/results/retrieval.json.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import levers  # noqa: E402
from bench.common import QRELS, engine, queries, write  # noqa: E402
from cigale.evaluate import QueryLine, latency_summary, load_qrels, run_search, score  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).parent / ".data"))
    args = parser.parse_args()
    e, _ = engine(args.data)
    qs = queries()
    lines = [QueryLine(q["id"], q["text"], q["lang"]) for q in qs]
    types = {q["id"]: q["type"] for q in qs}
    qrels = load_qrels(QRELS)
    run_search(e, lines[:5], k=100)  # warm-up
    result = {"questions": len(qs), "modes": {}}
    for mode in ("bm25", "dense", "hybrid"):
        run, latencies = run_search(e, lines, k=100, mode=mode, equity=False)  # retrieval alone
        scored = score(run, qrels, per_query=True)
        by_type = {}
        for qid, m in scored.pop("per_query").items():
            by_type.setdefault(types[qid], []).append(m["nDCG@10"])
        scored["ndcg@10_by_type"] = {t: round(sum(v) / len(v), 4) for t, v in sorted(by_type.items())}
        scored["latency"] = latency_summary(latencies)
        result["modes"][mode] = scored
        print(f"{mode:>6}: nDCG@10 {scored['ndcg@10']:.4f}  R@20 {scored['recall@20']:.4f}  "
              f"MRR@10 {scored['mrr@10']:.4f}  by type {scored['ndcg@10_by_type']}  "
              f"search p50 {scored['latency']['p50_ms']} ms p95 {scored['latency']['p95_ms']} ms")
    # What a visitor waits for: ten results, the language detected from the question.
    latencies = []
    for q in qs:
        started = time.perf_counter()
        e.search(q["text"], k=10)  # as served: equity on
        latencies.append(time.perf_counter() - started)
    result["search_k10_detected_language_latency"] = latency_summary(latencies)
    print(f"search k=10, language detected: p50 {result['search_k10_detected_language_latency']['p50_ms']} ms, "
          f"p95 {result['search_k10_detected_language_latency']['p95_ms']} ms")
    languages = levers.measure(e)
    result["languages"] = {k: languages[k] for k in ("by_language", "by_language_open", "multilingual_gap",
                                                     "own_open", "own_open_not_fr", "dev_open") if k in languages}
    print(f"multilingual dev set, nDCG@10 by language: {languages.get('by_language')} "
          f"(gap to French {languages.get('multilingual_gap')}); own open questions {languages.get('own_open')}")
    best_single = max(result["modes"]["bm25"]["ndcg@10"], result["modes"]["dense"]["ndcg@10"])
    result["hybrid_gain_over_best_single"] = round(result["modes"]["hybrid"]["ndcg@10"] - best_single, 4)
    print(f"hybrid gain over the better single mode: {result['hybrid_gain_over_best_single']:+.4f}")
    write("retrieval", result)


if __name__ == "__main__":
    main()

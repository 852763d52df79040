"""The answers a visitor reads, on the dev set and on our own labelled set (reported apart; the
dev set is never fitted on): intent accuracy, factual answers that contain the reference
fact, list answers that show the items, honest refusals, and the extractive `ask` latency.

    python bench/answers.py [--data DIR] [--verbose] [--set dev|own|all]

Scoring rules: bench/labelled.py. Writes bench/results/answers.json.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import labelled  # noqa: E402
from bench.common import engine, write  # noqa: E402
from cigale.evaluate import latency_summary  # noqa: E402


def run(e, questions, verbose=False):
    rows, latencies = [], []
    for q in questions:
        started = time.perf_counter()
        answer = e.ask(q["text"])  # as a visitor asks: the language is detected, no hint
        latencies.append(time.perf_counter() - started)
        row = labelled.score(answer, q)
        rows.append(row)
        if verbose and (row.get("fact") is False or row.get("items") is False or
                        row["refused"] != (q["type"] == "unanswerable") or
                        (q["intent"] and row["got_intent"] != q["intent"])):
            print(f"{q['id']} [{q['type']}/{q['intent']}→{row['got_intent']}] {q['text']}\n    "
                  + answer.answer[:300].replace("\n", " | ") + (f"\n    REF: {q['answer']}" if q.get("answer") else ""))
    return rows, latencies


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).parent / ".data"))
    parser.add_argument("--verbose", action="store_true", help="print every question that misses")
    parser.add_argument("--set", choices=("dev", "own", "all"), default="all")
    args = parser.parse_args()
    e, _ = engine(args.data)
    for q in labelled.dev()[:3]:
        e.ask(q["text"])  # warm-up
    result, latencies = {}, []
    if args.set in ("dev", "all"):
        rows, seconds = run(e, labelled.dev(), args.verbose)
        latencies += seconds
        result["dev"] = {**labelled.summary(rows), "rows": rows}
    if args.set in ("own", "all"):
        rows, seconds = run(e, labelled.own(), args.verbose)
        latencies += seconds
        for part in ("train", "test"):
            result[f"own_{part}"] = {**labelled.summary([r for r in rows if r["split"] == part]),
                                     "rows": [r for r in rows if r["split"] == part]}
    result["ask_latency"] = latency_summary(latencies)
    for name, part in result.items():
        if name == "ask_latency":
            continue
        for scope in ("all", "non_french"):
            figures = ", ".join(f"{k} {v['rate']:.1%} (n={v['n']})" for k, v in part[scope].items()
                                if v["rate"] is not None)
            print(f"{name:9} {scope:10} {figures}")
    print(f"ask latency p50 {result['ask_latency']['p50_ms']} ms, p95 {result['ask_latency']['p95_ms']} ms "
          f"(n={result['ask_latency']['n']})")
    if args.set == "all":
        write("answers", result)


if __name__ == "__main__":
    main()

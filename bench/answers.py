"""Extractive answers on the shared dev set: grounding, abstention and latency.

    python bench/answers.py [--data DIR]

- factual questions: share whose first citation is a document judged 3 (fully answers);
- unanswerable questions: share abstained; answerable ones: share wrongly abstained;
- warm `ask` latency p50/p95 over all dev questions.
Writes bench/results/answers.json.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import QRELS, engine, queries, write  # noqa: E402
from cigale.evaluate import latency_summary  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).parent / ".data"))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    e, _ = engine(args.data)
    grades = {}
    for line in QRELS.read_text().splitlines():
        qid, _, doc, grade = line.split()
        grades[(qid, doc)] = int(grade)
    qs = queries()
    for q in qs[:3]:
        e.ask(q["text"])  # warm-up
    rows, latencies = [], []
    for q in qs:
        started = time.perf_counter()
        a = e.ask(q["text"])  # as a visitor asks: the language is detected
        latencies.append(time.perf_counter() - started)
        first = a.citations[0].doc_id if a.citations and not a.abstained else None
        rows.append({"id": q["id"], "type": q["type"], "lang": q["lang"], "detected": a.lang,
                     "abstained": a.abstained, "confidence": a.confidence,
                     "first_citation": first, "first_grade": grades.get((q["id"], first), 0) if first else None,
                     "evidence": a.evidence})
        if args.verbose:
            print(q["id"], q["type"], a.abstained, a.confidence, first, rows[-1]["first_grade"],
                  {k: round(v, 3) if isinstance(v, float) else v for k, v in a.evidence.items()}, q["text"][:50])
    factual = [r for r in rows if r["type"] == "factual"]
    unanswerable = [r for r in rows if r["type"] == "unanswerable"]
    answerable = [r for r in rows if r["type"] != "unanswerable"]
    result = {
        "factual_first_citation_fully_answers": round(sum(r["first_grade"] == 3 for r in factual) / len(factual), 4),
        "unanswerable_abstained": round(sum(r["abstained"] for r in unanswerable) / len(unanswerable), 4),
        "answerable_wrongly_abstained": round(sum(r["abstained"] for r in answerable) / len(answerable), 4),
        "counts": {"factual": len(factual), "unanswerable": len(unanswerable), "answerable": len(answerable)},
        "ask_latency": latency_summary(latencies),
        "language_detected_correctly": round(sum(r["lang"] == r["detected"] for r in rows) / len(rows), 4),
        "rows": rows,
    }
    for key in ("factual_first_citation_fully_answers", "unanswerable_abstained", "answerable_wrongly_abstained"):
        print(f"{key}: {result[key]:.1%}")
    print(f"ask latency p50 {result['ask_latency']['p50_ms']} ms, p95 {result['ask_latency']['p95_ms']} ms")
    write("answers", result)


if __name__ == "__main__":
    main()

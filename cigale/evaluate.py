"""Evaluation: batch runs over a question file, TREC output, and ranking metrics.

Metrics come from `ir-measures` (graded nDCG@10; Recall@20 and MRR@10 counting grade ≥ 2 as
relevant, since grade 1 means "on topic but does not answer"). Questions without any
relevant judgment (the unanswerable ones) are left out of the averages: no ranking of
them can be right or wrong.
"""

import json
import math
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import ir_measures
from ir_measures import RR, R, nDCG

from cigale.errors import SourceError

MEASURES = {"ndcg@10": nDCG @ 10, "recall@20": R(rel=2) @ 20, "mrr@10": RR(rel=2) @ 10}


@dataclass(frozen=True)
class QueryLine:
    id: str
    text: str
    lang: str | None = None
    extra: dict | None = None


def load_queries(path) -> list[QueryLine]:
    out = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, f"cannot read the question file ({exc})") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            out.append(QueryLine(str(record.pop("id")), record.pop("text"), record.pop("lang", None), record))
        except (json.JSONDecodeError, KeyError, AttributeError, TypeError):
            raise SourceError(f"{path}:{n}", 'each line must be {"id": ..., "text": ..., "lang": optional}') from None
    return out


def percentile(values, p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)  # nearest-rank definition
    return values[min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))]


def latency_summary(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(statistics.median(ms), 2) if ms else 0.0,
        "p95_ms": round(percentile(ms, 95), 2),
        "n": len(ms),
    }


def run_search(engine, queries, k: int = 100, mode=None, equity=None) -> tuple[dict, list[float]]:
    """{qid: {doc_id: score}} and per-question latencies, measured warm."""
    run, latencies = {}, []
    for q in queries:
        started = time.perf_counter()
        hits = engine.search(q.text, k=k, mode=mode, lang=q.lang, equity=equity)
        latencies.append(time.perf_counter() - started)
        run[q.id] = {h.doc_id: float(len(hits) - i) for i, h in enumerate(hits)}
    return run, latencies


def write_trec(run: dict, path, tag: str = "cigale") -> None:
    with open(path, "w", encoding="utf-8") as out:
        for qid, docs in run.items():
            for rank, (doc_id, score) in enumerate(sorted(docs.items(), key=lambda x: -x[1]), 1):
                out.write(f"{qid} Q0 {doc_id} {rank} {score:.6f} {tag}\n")


def load_qrels(path) -> list:
    try:
        return list(ir_measures.read_trec_qrels(str(path)))
    except (OSError, ValueError) as exc:
        raise SourceError(path, f"not a TREC qrels file ({exc})") from None


def score(run: dict, qrels: list, per_query: bool = False) -> dict:
    judged = {q.query_id for q in qrels if q.relevance > 0}
    qrels = [q for q in qrels if q.query_id in judged]
    run = {qid: docs for qid, docs in run.items() if qid in judged}
    if not run:
        return {name: 0.0 for name in MEASURES} | {"questions": 0}
    result = ir_measures.calc_aggregate(list(MEASURES.values()), qrels, run)
    out = {name: round(result[m], 4) for name, m in MEASURES.items()}
    out["questions"] = len(run)
    if per_query:
        rows = {}
        for m in ir_measures.iter_calc(list(MEASURES.values()), qrels, run):
            rows.setdefault(m.query_id, {})[str(m.measure)] = m.value
        out["per_query"] = rows
    return out

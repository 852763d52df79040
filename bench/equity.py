"""Territorial equity on the dev set's open questions, equity off and on.

    python bench/equity.py [--data DIR] [--tolerance T ...]

Per open question: exposure of the top 10 (weights 1/log2(1+rank)) per conseil de territoire,
target = the default policy restricted to the territories holding relevant documents (qrels
grade ≥ 2), disparity = total variation distance; averaged over the questions. Also
Marseille-Provence's share against its target, and nDCG@10 over all judged dev questions.
Writes bench/results/equity.json.
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import QRELS, engine, queries, write  # noqa: E402
from cigale.equity import attribute, disparity, exposure, target  # noqa: E402
from cigale.evaluate import load_qrels, score  # noqa: E402


def measure(e, qs, qrels, relevant_places, equity: bool) -> dict:
    run, per_question = {}, []
    territory = e.territory
    for q in qs:
        hits = e.search(q["text"], k=100, lang=q["lang"], equity=equity)
        run[q["id"]] = {h.doc_id: float(len(hits) - i) for i, h in enumerate(hits)}
        if q["type"] != "open":
            continue
        present = {t for places in relevant_places.get(q["id"], []) for t in attribute(places, territory)}
        goal = target(territory, e.settings.equity_policy, among=present)
        shown = exposure([h.places for h in hits], territory, k=10)
        answer = e.ask(q["text"], lang=q["lang"], equity=equity)
        cited = exposure([c.places for c in answer.citations], territory)
        per_question.append({"id": q["id"], "disparity": round(disparity(shown.shares, goal), 4),
                             "answer_disparity": round(disparity(cited.shares, goal), 4) if cited.shares else None,
                             "answer_territories": len(cited.shares),
                             "territories_with_content": len(present), "shares": shown.shares, "target": goal})
    ct1 = next(s.id for s in territory.subterritories.values() if "13055" in s.communes)
    return {
        "equity": equity,
        "ndcg@10": score(run, qrels)["ndcg@10"],
        "open_disparity_mean": round(statistics.mean(p["disparity"] for p in per_question), 4),
        "answer_disparity_mean": round(statistics.mean(p["answer_disparity"] for p in per_question
                                                       if p["answer_disparity"] is not None), 4),
        "answer_territories_mean": round(statistics.mean(p["answer_territories"] for p in per_question), 2),
        "marseille_provence_share_mean": round(statistics.mean(p["shares"].get(ct1, 0) for p in per_question), 4),
        "marseille_provence_target_mean": round(statistics.mean(p["target"].get(ct1, 0) for p in per_question), 4),
        "per_question": per_question,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).parent / ".data"))
    parser.add_argument("--tolerance", type=float, nargs="*", help="try these tolerances (default: the setting)")
    args = parser.parse_args()
    e, _ = engine(args.data)
    qs = queries()
    qrels = load_qrels(QRELS)
    grades = [q for q in qrels if q.relevance >= 2]
    docs = e.store.get_documents({q.doc_id for q in grades})
    relevant_places = {}
    for q in grades:
        if q.doc_id in docs:
            relevant_places.setdefault(q.query_id, []).append(docs[q.doc_id].places)
    result = {"off": measure(e, qs, qrels, relevant_places, equity=False)}
    for tolerance in args.tolerance or [e.settings.equity_tolerance]:
        e.settings = e.settings.replace(equity_tolerance=tolerance)
        result[f"on@{tolerance}"] = measure(e, qs, qrels, relevant_places, equity=True)
    for name, r in result.items():
        print(f"{name:>8}: disparity {r['open_disparity_mean']:.3f} (answers' citations "
              f"{r['answer_disparity_mean']:.3f}, {r['answer_territories_mean']} territories)  Marseille-Provence "
              f"{r['marseille_provence_share_mean']:.1%} (target {r['marseille_provence_target_mean']:.1%})  "
              f"nDCG@10 {r['ndcg@10']:.4f}")
    write("equity", result)


if __name__ == "__main__":
    main()

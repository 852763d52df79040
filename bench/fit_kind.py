"""Fit the kind bonus (cigale/search.py KIND_BONUS) on our own open questions, not on the dev set.

    python bench/fit_kind.py [--data DIR]

Our own open questions (bench/data/own_open.jsonl, judged in own_open_qrels.txt) are split in
two: odd numbers to fit on, even numbers held out. Each bonus is scored (nDCG@10, hybrid, equity
off) on both halves; the one best on the fitting half is chosen, and its held-out and dev-set
open figures are reported as the check. Writes bench/results/fit_kind.json.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import QRELS, engine, queries, write  # noqa: E402
from bench.levers import OWN_OPEN, OWN_OPEN_QRELS, mean, ndcg, read_jsonl  # noqa: E402
from cigale.evaluate import QueryLine, load_qrels  # noqa: E402

BONUSES = (0.0, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).parent / ".data"))
    args = parser.parse_args()
    import cigale.search as search

    e, _ = engine(args.data)
    own = read_jsonl(OWN_OPEN)
    lines = [QueryLine(q["id"], q["text"], q["lang"]) for q in own]
    fit = {q["id"] for q in own if int(q["id"].split("-")[1]) % 2}
    own_qrels = load_qrels(OWN_OPEN_QRELS)
    dev_open = [QueryLine(q["id"], q["text"], q["lang"]) for q in queries() if q["type"] == "open"]
    dev_qrels = load_qrels(QRELS)
    rows = []
    before = search.KIND_BONUS
    for bonus in BONUSES:
        search.KIND_BONUS = bonus
        _, per = ndcg(e, lines, own_qrels)
        _, dev = ndcg(e, dev_open, dev_qrels)  # the mean over these questions (qrels judge all 60)
        rows.append({"bonus": bonus, "fit": mean(v for q, v in per.items() if q in fit),
                     "held_out": mean(v for q, v in per.items() if q not in fit), "dev_open": mean(dev.values())})
        print(rows[-1], flush=True)
    search.KIND_BONUS = before
    best = max(rows, key=lambda r: (r["fit"], -r["bonus"]))  # ties: the smaller bonus
    print(f"chosen on the fitting half: {best}")
    write("fit_kind", {"rows": rows, "chosen": best, "fit_questions": len(fit),
                       "held_out_questions": len(own) - len(fit)})


if __name__ == "__main__":
    main()

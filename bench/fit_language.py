"""Fits the language detector's numbers (cigale/language.py: SHARED_VOTE, EXCLUSIVE_VOTE, SURE) on the
training part of our labelled questions, then reports the held-out part and the dev set.

    python bench/fit_language.py

The detector sees each question with its place names taken out, as the engine does.
Writes bench/results/fit_language.json.
"""

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import labelled  # noqa: E402
from bench.common import write  # noqa: E402
from cigale import language  # noqa: E402
from cigale.search import parse_question  # noqa: E402
from cigale.settings import Settings  # noqa: E402
from cigale.territory import load  # noqa: E402
from cigale.territory.places import Gazetteer  # noqa: E402


def accuracy(questions, gazetteer, settings) -> float:
    return sum(parse_question(q["text"], gazetteer, settings).lang == q["lang"] for q in questions) / len(questions)


def main():
    gazetteer, settings = Gazetteer(load()), Settings()
    own = labelled.own()
    train = [q for q in own if q["split"] == "train"]
    grid = []
    for shared, exclusive, sure in itertools.product((0.0, 0.25, 0.5, 1.0), (0.0, 0.25, 0.5, 1.0, 2.0),
                                                     (0.0, 0.1, 0.2, 0.3, 0.4)):
        language.SHARED_VOTE, language.EXCLUSIVE_VOTE, language.SURE = shared, exclusive, sure
        grid.append({"shared_vote": shared, "exclusive_vote": exclusive, "sure": sure,
                     "train": round(accuracy(train, gazetteer, settings), 4)})
    best = max(grid, key=lambda g: (g["train"], -abs(g["sure"] - 0.2), -abs(g["exclusive_vote"] - 1)))
    language.SHARED_VOTE, language.EXCLUSIVE_VOTE, language.SURE = (best["shared_vote"], best["exclusive_vote"],
                                                                    best["sure"])
    result = {"chosen": best,
              "own_test": round(accuracy([q for q in own if q["split"] == "test"], gazetteer, settings), 4),
              "dev": round(accuracy(labelled.dev(), gazetteer, settings), 4), "grid": grid}
    print(f"chosen SHARED_VOTE={best['shared_vote']} EXCLUSIVE_VOTE={best['exclusive_vote']} SURE={best['sure']}: "
          f"train {best['train']:.1%}, "
          f"held-out {result['own_test']:.1%}, dev {result['dev']:.1%}")
    write("fit_language", result)


if __name__ == "__main__":
    main()

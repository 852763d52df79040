"""Precision and recall of the grounding verifier on labelled sentence–source pairs built from
the shared corpus.

    python bench/verifier.py [--data DIR]

For documents of the corpus (festivals, museums, research units, stations), a claim is one
line of the document, prefixed with its title as a model would write it. Labelled pairs:
- supported: the claim with its own document;
- unsupported, wrong source: the claim with another document of the same file (a hard case:
  same template, same vocabulary);
- unsupported, altered fact: the claim with one of its numbers changed, with its own document.
Prints precision/recall of "supported" at the default thresholds and a small sweep; writes
bench/results/verifier.json.
"""

import argparse
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPUS, engine, write  # noqa: E402
from cigale import verify  # noqa: E402


def claims_from(doc) -> list[str]:
    lines = [line.strip() for line in doc.text.split("\n") if 25 <= len(line.strip()) <= 200]
    return [f"{doc.title} — {line}" for line in lines[:3]]


def alter(text: str, rng) -> str | None:
    numbers = list(re.finditer(r"\d{2,}", text))
    if not numbers:
        return None
    m = rng.choice(numbers)
    return text[: m.start()] + str(int(m.group()) + rng.randint(3, 9)) + text[m.end():]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).parent / ".data"))
    args = parser.parse_args()
    e, _ = engine(args.data)
    rng = random.Random(7)
    pairs = []  # (claim, doc, label)
    for path in CORPUS:
        if "commune_cards" in path:
            continue
        with open(path, encoding="utf-8") as lines:
            ids = [json.loads(line)["id"] for line in lines]
        docs = e.store.get_documents(rng.sample(ids, min(12, len(ids))))
        others = list(docs.values())
        for doc in docs.values():
            for claim in claims_from(doc)[:2]:
                pairs.append((claim, doc, True))
                other = rng.choice([d for d in others if d.id != doc.id] or [doc])
                if other.id != doc.id:
                    pairs.append((claim, other, False))
                altered = alter(claim, rng)
                if altered:
                    pairs.append((altered, doc, False))
    vectors = e.embedder.passages([c for c, _, _ in pairs])
    scored = []
    for (claim, doc, label), vec in zip(pairs, vectors):
        dense, lexical, numbers_ok = verify.support(claim, vec, doc, e._vectors_of(doc.id), doc.lang)
        scored.append((label, dense, lexical, numbers_ok))

    def measure(dense_min, lexical_min):  # all pairs are in the source's language here
        predicted = [n and d >= dense_min and lx >= lexical_min for _, d, lx, n in scored]
        tp = sum(p and y for p, (y, *_) in zip(predicted, scored))
        fp = sum(p and not y for p, (y, *_) in zip(predicted, scored))
        fn = sum(not p and y for p, (y, *_) in zip(predicted, scored))
        return {"dense_min": dense_min, "lexical_min": lexical_min,
                "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
                "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0}

    default = measure(verify.DENSE_MIN, verify.LEXICAL_MIN)
    sweep = [measure(d, lx) for d in (0.75, 0.8, 0.85) for lx in (0.3, 0.5, 0.7)]
    result = {"pairs": len(scored), "supported": sum(y for y, *_ in scored), "default": default, "sweep": sweep}
    print(f"{len(scored)} pairs ({result['supported']} supported): precision {default['precision']:.3f}, "
          f"recall {default['recall']:.3f} at dense ≥ {verify.DENSE_MIN}, lexical ≥ {verify.LEXICAL_MIN}")
    for row in sweep:
        print(f"  dense ≥ {row['dense_min']}, lexical ≥ {row['lexical_min']}: precision {row['precision']:.3f}, "
              f"recall {row['recall']:.3f}")
    write("verifier", result)


if __name__ == "__main__":
    main()

"""The grounding verifier on sentences a real model wrote, labelled by hand.

    python bench/verifier.py [--data DIR]

bench/generative.py keeps every sentence Qwen2.5-Coder-1.5B-Instruct wrote, with the sources it
was given (bench/data/generated_sentences*.jsonl); each was labelled by
reading it against those sources (bench/data/generated_labels.jsonl): supported when every fact
it states is in a source, in the question's language and well formed; not supported otherwise
(an invented or changed fact, a fragment, the question said back, the wrong language).

Here each sentence is verified again with the verifier as it is now (no model needed), and
"kept" is scored against the labels: precision (kept sentences that are supported) and recall
(supported sentences kept), on the training part, the held-out part and all. The thresholds of
cigale/answers/verify.py are chosen by the sweep below on the training part only.
Writes bench/results/verifier.json.
"""

import argparse
import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import labelled  # noqa: E402
from bench.common import engine, write  # noqa: E402
from cigale.answers import verify  # noqa: E402
from cigale.embed import CachedEmbedder  # noqa: E402

SENTENCES = {"own": labelled.DATA / "generated_sentences_own.jsonl", "dev": labelled.DATA / "generated_sentences.jsonl"}
LABELS = labelled.DATA / "generated_labels.jsonl"


def load_rows() -> list[dict]:
    """Labelled sentences; "own" ones (written for our training questions) fit the thresholds,
    "dev" ones (written for the dev questions) check them."""
    labels = {r["id"]: r for r in (json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()
                                   if line.strip())}
    rows = []
    for part, path in SENTENCES.items():
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            s = json.loads(line)
            if s["id"] in labels:
                rows.append({**s, "label": bool(labels[s["id"]]["supported"]), "split": part})
    return rows


def reverify(rows, e) -> list[dict]:
    """Each labelled sentence through today's verifier, against the sources it was written from."""
    out = []
    for r in rows:
        docs = e.store.get_documents(list(r["sources"].values()))
        sources = {int(n): docs[d] for n, d in r["sources"].items() if d in docs}
        claims = verify.verify(r["text"], sources, e.embedder, r["lang"], r["question"])
        claim = next((c for c in claims if c.text == r["claim"]), claims[0] if claims else None)
        out.append({**r, "kept_now": bool(claim and claim.supported), "why_now": claim.why if claim else "no claim"})
    return out


def labelled_scores(rows, key: str = "kept") -> dict:
    kept = [r for r in rows if r[key]]
    supported = [r for r in rows if r["label"]]
    true_pos = sum(r["label"] for r in kept)
    return {"n": len(rows), "supported": len(supported), "kept": len(kept),
            "precision": round(true_pos / len(kept), 4) if kept else None,
            "recall": round(true_pos / len(supported), 4) if supported else None}


def sweep(rows, e) -> list[dict]:
    grid = []
    for dense, lexical, alone, cross in itertools.product((0.84, 0.86, 0.88), (0.5, 0.6, 0.7), (0.8, 0.9, 1.01),
                                                          (0.82, 0.84, 0.86, 0.88)):
        verify.DENSE_MIN, verify.LEXICAL_MIN = dense, lexical
        verify.LEXICAL_ALONE, verify.CROSS_DENSE_MIN = alone, cross
        scores = labelled_scores(reverify(rows, e), "kept_now")
        grid.append({"dense_min": dense, "lexical_min": lexical, "lexical_alone": alone, "cross_dense_min": cross,
                     **scores})
    return grid


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).parent / ".data"))
    parser.add_argument("--sweep", action="store_true", help="choose the thresholds on the training part")
    args = parser.parse_args()
    if not LABELS.exists():
        sys.exit(f"bench/verifier.py: no labels at {LABELS} (run bench/generative.py, then label its sentences)")
    e, _ = engine(args.data)
    e.embedder = CachedEmbedder(e.embedder, passages=10**6)  # the sweep verifies the same sentences many times
    rows = load_rows()
    result = {"thresholds": {"dense_min": verify.DENSE_MIN, "lexical_min": verify.LEXICAL_MIN,
                             "lexical_alone": verify.LEXICAL_ALONE, "cross_dense_min": verify.CROSS_DENSE_MIN}}
    if args.sweep:
        train = [r for r in rows if r["split"] == "own"]
        grid = sweep(train, e)
        # Precision first ("I don't know" beats a guess): the best recall at precision ≥ 0.9, else
        # the best precision with recall ≥ 0.85.
        ok = [g for g in grid if (g["precision"] or 0) >= 0.9]
        if ok:
            best = max(ok, key=lambda g: ((g["recall"] or 0), g["precision"] or 0))
        else:
            best = max((g for g in grid if (g["recall"] or 0) >= 0.85),
                       key=lambda g: (g["precision"] or 0, g["recall"]))
        result["sweep"] = {"chosen": best, "grid": grid}
        verify.DENSE_MIN, verify.LEXICAL_MIN = best["dense_min"], best["lexical_min"]
        verify.LEXICAL_ALONE, verify.CROSS_DENSE_MIN = best["lexical_alone"], best["cross_dense_min"]
        result["thresholds"] = {k: best[k] for k in ("dense_min", "lexical_min", "lexical_alone", "cross_dense_min")}
        print(f"chosen on our own questions' sentences: {result['thresholds']} → precision {best['precision']}, "
              f"recall {best['recall']} (n={best['n']})")
    scored = reverify(rows, e)
    for part in ("own", "dev", "all"):
        subset = [r for r in scored if part == "all" or r["split"] == part]
        result[part] = labelled_scores(subset, "kept_now")
        print(f"{part:5}: precision {result[part]['precision']}, recall {result[part]['recall']} "
              f"(n={result[part]['n']}, {result[part]['supported']} supported)")
    result["at_generation"] = labelled_scores(rows, "kept")  # the verdicts given while the model wrote
    result["errors"] = [{k: r[k] for k in ("id", "text", "label", "kept_now", "why_now")} for r in scored
                        if r["label"] != r["kept_now"]]
    write("verifier", result)


if __name__ == "__main__":
    main()

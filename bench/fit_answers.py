"""Fits the numbers of the extractive answer on the TRAINING part of our labelled set, reports
them on its held-out part, and never looks at the dev set (bench/answers.py checks that).

    python bench/fit_answers.py [--data DIR]

1. Line weights (cigale/answers/extractive.py `Weights`: lexical, focus, rank): a grid search
   for the weights whose LEAD line (with its title) holds the reference fact most often, over
   the answerable factual questions. The margin that admits further lines is not fitted:
   more lines always hold more facts, and a visitor reads the first.
2. Answerability (cigale/answers/answerability.py `MODEL`): an L2-regularised logistic
   regression of "answerable" on the evidence features (standardised), over every question
   that takes the factual path; then the refusal threshold (setting `min_confidence`): the
   one that refuses the most unanswerable questions while refusing at most 3 % of answerable
   ones on the training part (the held-out part costs more: the margin is for it).
3. List items (cigale/answers/lists.py `BY_MEANING`, `MEANING_MIN`): a grid for the pair that
   shows the items of answerable list questions and refuses unanswerable ones best.

Writes bench/results/fit_answers.json; the chosen numbers are copied into the code, which
cites this script.
"""

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import labelled  # noqa: E402
from bench.common import engine, write  # noqa: E402
from cigale.analysis import analyze, words  # noqa: E402
from cigale.answers import answerability, extractive, lists  # noqa: E402
from cigale.answers.compose import compose  # noqa: E402
from cigale.answers.intent import Intent  # noqa: E402
from cigale.embed import CachedEmbedder  # noqa: E402

FEATURES = (*answerability.FEATURES, "aspect_missing")  # the last is a rule, not a weight
WRONGLY_REFUSED_MAX = 0.03
L2 = 0.05


def prepared(e, questions):
    """Each question retrieved once: (label, retrieval, documents, chunks)."""
    out = []
    for q in questions:
        r = e.retrieve(q["text"])
        docs = e.store.get_documents([h.doc_id for h in r.hits])
        chunks = e.store.get_chunks([h.chunk_id for h in r.hits[:extractive.CANDIDATE_DOCS]])
        out.append((q, r, docs, chunks))
    return out


def lead_holds_fact(lines, reference: str) -> bool:
    if not lines:
        return False
    text = f"{lines[0].doc.title}\n{lines[0].text}"
    found = set(analyze(text, "fr")) | set(analyze(text, "en")) | set(words(text))
    terms = labelled.fact_terms(reference)
    return bool(terms) and len(terms & found) / len(terms) >= 0.5


def factual_path(r) -> bool:
    return r.reading.intent in (Intent.FACTUAL, Intent.PRACTICAL)


def fit_weights(items, embedder):
    factual = [(q, r, d, c) for q, r, d, c in items if q["type"] == "factual" and q["answer"] and factual_path(r)]
    grid = []
    for lexical, focus, rank in itertools.product((0.05, 0.1, 0.15, 0.25, 0.4), (0.0, 0.06, 0.12, 0.2, 0.3),
                                                  (0.1, 0.25, 0.4)):
        w = extractive.Weights(lexical=lexical, focus=focus, rank=rank)
        held = [lead_holds_fact(extractive.answer_lines(r.question, r.reading, r.hits, d, c, embedder, r.qvec,
                                                        weights=w), q["answer"]) for q, r, d, c in factual]
        grid.append({"lexical": lexical, "focus": focus, "rank": rank, "lead_holds_fact": round(np.mean(held), 4)})
    best = max(grid, key=lambda g: (g["lead_holds_fact"], plateau(g, grid, ("lexical", "focus", "rank"))))
    return extractive.Weights(lexical=best["lexical"], focus=best["focus"], rank=best["rank"]), best, grid, len(factual)


def plateau(point, grid, axes) -> float:
    """Ties on a small training set are broken by the neighbours' mean score: the middle of a
    plateau holds better on new questions than its edge."""
    steps = {a: sorted({g[a] for g in grid}) for a in axes}

    def near(g):
        return all(abs(steps[a].index(g[a]) - steps[a].index(point[a])) <= 1 for a in axes)

    key = next(k for k in point if k not in axes)
    return float(np.mean([g[key] for g in grid if near(g)]))


def features(items, embedder, weights):
    rows = []
    for q, r, d, c in items:
        if not factual_path(r):
            continue
        lines = extractive.answer_lines(r.question, r.reading, r.hits, d, c, embedder, r.qvec, weights=weights)
        e = answerability.evidence(r.question, r.reading, r.hits, lines, r.lexical_weight)
        rows.append(([float(e[f]) for f in FEATURES], float(q["answerable"]), bool(lines)))
    return rows


def fit_logistic(rows):
    """On standardised features (so that the penalty treats a cosine and a share alike), then
    brought back to the raw scale the code reads."""
    kept = [(f, label) for f, label, _ in rows if not f[-1]]  # a missing practical side is refused by rule
    x = np.array([f[:-1] for f, _ in kept])
    y = np.array([label for _, label in kept])
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z_x = (x - mean) / std

    def loss(theta):
        z = z_x @ theta[1:] + theta[0]
        p = 1 / (1 + np.exp(-np.clip(z, -60, 60)))
        eps = 1e-9
        return -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)) + L2 * np.sum(theta[1:] ** 2)

    theta = minimize(loss, np.zeros(x.shape[1] + 1), method="L-BFGS-B").x
    weights = theta[1:] / std
    bias = theta[0] - float(np.sum(theta[1:] * mean / std))
    return answerability.Model(round(float(bias), 3), {f: round(float(w), 3) for f, w in
                                                          zip(answerability.FEATURES, weights)})


def rates(rows, model, threshold):
    answered = [(label, has and model.confidence(dict(zip(FEATURES, f))) >= threshold) for f, label, has in rows]
    refused_neg = [not a for label, a in answered if not label]
    refused_pos = [not a for label, a in answered if label]
    return (float(np.mean(refused_neg)) if refused_neg else 0.0, float(np.mean(refused_pos)) if refused_pos else 0.0)


def choose_threshold(rows, model):
    best = (0.0, 0.0, 0.5)
    for t in np.arange(0.05, 0.96, 0.01):
        neg, pos = rates(rows, model, t)
        if pos <= WRONGLY_REFUSED_MAX and neg > best[0]:
            best = (neg, pos, round(float(t), 2))
    return best


def list_score(items, e, settings):
    """Share of the list-path questions handled right: items shown (answerable), refused (not)."""
    right = []
    for q, r, _, _ in items:
        if not r.reading.wants_items:
            continue
        answer = compose(r.question, r.reading, r.hits, e.store, e.embedder, e.territory, settings, r.qvec,
                         r.lexical_weight, r.diverse)
        if q["type"] == "unanswerable":
            right.append(labelled.refused(answer))
        elif q["type"] in ("list", "open"):
            right.append(labelled.shows_items(answer, q))
        else:
            right.append(not labelled.refused(answer))
    return float(np.mean(right)) if right else 0.0, len(right)


def fit_lists(items, e, settings):
    grid = []
    for by_meaning, meaning_min in itertools.product((0.01, 0.02, 0.03, 0.05, 0.08), (0.82, 0.84, 0.86, 0.88, 0.9)):
        lists.BY_MEANING, lists.MEANING_MIN = by_meaning, meaning_min
        score, n = list_score(items, e, settings)
        grid.append({"by_meaning": by_meaning, "meaning_min": meaning_min, "score": round(score, 4), "n": n})
    best = max(grid, key=lambda g: (g["score"], plateau(g, grid, ("by_meaning", "meaning_min"))))
    lists.BY_MEANING, lists.MEANING_MIN = best["by_meaning"], best["meaning_min"]
    return best, grid


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).parent / ".data"))
    args = parser.parse_args()
    e, _ = engine(args.data)
    e.embedder = CachedEmbedder(e.embedder, passages=10**6)  # each passage embedded once across the grid
    own = labelled.own()
    train = prepared(e, [q for q in own if q["split"] == "train"])
    test = prepared(e, [q for q in own if q["split"] == "test"])

    weights, best_w, grid_w, n_factual = fit_weights(train, e.embedder)
    held_out = fit_weights(test, e.embedder)  # for the record only: what the best held-out weights would reach
    test_lead = np.mean([lead_holds_fact(extractive.answer_lines(r.question, r.reading, r.hits, d, c, e.embedder,
                                                                 r.qvec, weights=weights), q["answer"])
                         for q, r, d, c in test if q["type"] == "factual" and q["answer"] and factual_path(r)])
    print(f"1. line weights {weights}: lead line holds the fact {best_w['lead_holds_fact']:.1%} (train, "
          f"n={n_factual}), {test_lead:.1%} held-out")

    rows_train, rows_test = features(train, e.embedder, weights), features(test, e.embedder, weights)
    model = fit_logistic(rows_train)
    neg, pos, threshold = choose_threshold(rows_train, model)
    neg_t, pos_t = rates(rows_test, model, threshold)
    print(f"2. answerability {model}\n   threshold {threshold}: train refuses {neg:.1%} of unanswerable, "
          f"{pos:.1%} of answerable; held-out {neg_t:.1%} / {pos_t:.1%}")

    settings = e.settings.replace(min_confidence=threshold)
    answerability.MODEL, extractive.WEIGHTS = model, weights
    best_l, grid_l = fit_lists(train, e, settings)
    test_l, n_l = list_score(test, e, settings)
    print(f"3. lists BY_MEANING={best_l['by_meaning']} MEANING_MIN={best_l['meaning_min']}: right "
          f"{best_l['score']:.1%} train (n={best_l['n']}), {test_l:.1%} held-out (n={n_l})")

    write("fit_answers", {
        "weights": {"chosen": best_w, "held_out_lead_holds_fact": round(float(test_lead), 4),
                    "best_possible_on_held_out": held_out[1], "grid": grid_w},
        "answerability": {"model": {"bias": model.bias, "weights": model.weights}, "threshold": threshold,
                          "train": {"unanswerable_refused": round(neg, 4), "answerable_refused": round(pos, 4),
                                    "n": len(rows_train)},
                          "held_out": {"unanswerable_refused": round(neg_t, 4), "answerable_refused": round(pos_t, 4),
                                       "n": len(rows_test)}},
        "lists": {"chosen": best_l, "held_out": round(test_l, 4), "grid": grid_l},
    })


if __name__ == "__main__":
    main()

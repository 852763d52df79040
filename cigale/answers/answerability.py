"""Is there an answer? The evidence for the chosen lines, and a logistic model over it.

The question's central concept ("piscine" in "horaires de la piscine d'Istres", "lifeguards"
in "which beaches have lifeguards") must be found in the evidence, lexically (its own stems,
or the names of its kind in every language) or by meaning (the line's similarity to the
question); a practical question also needs its practical side (hours, a price) in the
evidence. The weights are fitted by bench/fit_answers.py on the training part of a labelled
set of answerable and unanswerable questions, checked on its held-out part and, last, on the
dev set, which is never fitted on.
"""

import bisect
import functools
import math
import re
from dataclasses import dataclass, field

from cigale.analysis import analyze, base_lang, words
from cigale.answers import lexicon, lines

FEATURES = ("sentence_dense", "top_dense", "coverage", "concept", "place_missing", "numbers_missing")


@dataclass(frozen=True)
class Model:
    bias: float
    weights: dict[str, float]

    def confidence(self, evidence: dict) -> float:
        """0 when a practical question's practical side (hours, a price) is not in the evidence."""
        if evidence.get("aspect_missing"):
            return 0.0
        z = self.bias + sum(self.weights[f] * float(evidence[f]) for f in FEATURES)
        return 1 / (1 + math.exp(-max(-60.0, min(60.0, z))))


# bench/fit_answers.py, fitted on bench/data (training part): see bench/results/fit_answers.json.
MODEL = Model(
    bias=-27.616,
    weights={"sentence_dense": 11.601, "top_dense": 19.884, "coverage": 0.919,
             "concept": 2.327, "place_missing": 0.0, "numbers_missing": -0.575},
)


def evidence(question, reading, hits, chosen, lexical_weight: float) -> dict:
    """The signals of an answer's chosen lines, all in [0, 1] or booleans."""
    best = chosen[0] if chosen else None
    named = question.communes | set(question.place_codes)
    held = " ".join(f"{c.doc.title}\n{_first_line(c.doc)}\n{c.text}" for c in chosen)
    return {
        "lexical_weight": lexical_weight,
        "top_dense": hits[0].signals.get("dense", 0.0) if hits else 0.0,
        "sentence_dense": best.dense if best else 0.0,
        # Words match words only within a language: lexical coverage counts as much as the
        # collection speaks the question's language, like BM25 in search.
        "coverage": lexical_weight * (best.lexical if best else 0.0),
        "concept": concept_found(reading.concept if reading else (), held, question.lang,
                                 best.doc.lang if best else None),
        "place_missing": bool(question.communes) and not (bool(hits) and bool(set(hits[0].places) & named)),
        "aspect_missing": not lines.holds_aspect(held, reading.aspect if reading else None),
        # "combien d'habitants en 1990 ?": a number the question states must be in the evidence.
        "numbers_missing": bool(_numbers(question.without_places) - _numbers(held)),
        "terms": len(reading.concept) if reading else 0,
    }


def concept_found(concept, text: str, q_lang: str, doc_lang: str | None) -> float:
    """Share of the concept's words found in `text`: by stem in the question's and the text's
    languages, or, for a kind ("museum", "Museen"), by any of its names in any language."""
    if not concept:
        return 1.0
    langs = tuple(dict.fromkeys((base_lang(q_lang), base_lang(doc_lang))))
    read = _read(text, langs)

    def found(word: str) -> bool:
        known = read.found.get(word)
        if known is None:
            known = read.found[word] = _found(word, read, langs)
        return known

    return sum(found(w) for w in concept) / len(concept)


def _found(word: str, read: "Read", langs: tuple[str, ...]) -> bool:
    kind = _kinds().get(word)
    if kind is not None and read.holds(kind.marks):
        return True
    groups = _synonyms().get(word, ()) or next(
        (_synonyms()[s] for lang in langs for s in analyze(word, lang) if s in _synonyms()), ())
    if any(read.holds(group) or read.stems & _group_stems(group, langs) for group in groups):
        return True
    if word in read.words:
        return True
    mine = {s for lang in langs for s in analyze(word, lang)}
    # A stem of five letters or more that begins a stem of the text ("baign" in "baignade").
    return bool(mine & read.stems) or any(read.begins(s) for s in mine if len(s) >= PREFIX)


# Texts read by concept_found: an answer asks it of the same documents for each word of the
# question and each candidate item (answers/lists.py), and the next answers of the same ones.
READ_CACHE = 8192


@dataclass(frozen=True)
class Read:
    """A text as concept_found looks it up: its folded words, the same joined (to find phrases
    in), its stems, and what was found of each word asked of it (the same words are asked of the
    same texts again: each candidate item's, then its lines', and the next question's)."""

    words: frozenset[str]
    joined: str  # " w1 w2 … wn "
    stems: frozenset[str]
    ordered: tuple[str, ...] = ()  # the stems in order, to find those a stem begins by bisection
    found: dict = field(default_factory=dict, compare=False, repr=False)

    def begins(self, stem: str) -> bool:
        """Some stem of the text begins with `stem` (or is it)."""
        i = bisect.bisect_left(self.ordered, stem)
        return i < len(self.ordered) and self.ordered[i].startswith(stem)

    def holds(self, phrases) -> bool:
        """Any of `phrases` (tuples of folded words, as lexicon.grams makes: up to 4) is a run of
        the text's words."""
        return any(f" {' '.join(p)} " in self.joined for p in phrases if len(p) <= lexicon.GRAMS)


@functools.lru_cache(maxsize=READ_CACHE)
def _read(text: str, langs: tuple[str, ...]) -> Read:
    tokens = words(text)
    stems = frozenset(s for lang in langs for s in analyze(text, lang))
    return Read(frozenset(tokens), f" {' '.join(tokens)} ", stems, tuple(sorted(stems)))


@functools.cache
def _kinds() -> dict[str, lexicon.Kind]:
    """Each word of a kind's names, in every language, to its kind."""
    return {w: kind for kind in reversed(lexicon.KINDS) for names in kind.names.values() for n in names
            for w in words(n)}


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+", text))


@functools.cache
def _synonyms() -> dict[str, list[frozenset]]:
    """Each word of a synonym group, and its stem in each language, to its groups."""
    out: dict[str, list[frozenset]] = {}
    for group in lexicon.SYNONYMS:
        for phrase in group:
            for w in phrase:
                for key in {w, *(s for lang in LANGS for s in analyze(w, lang))}:
                    if group not in out.setdefault(key, []):
                        out[key].append(group)
    return out


@functools.cache
def _group_stems(group: frozenset, langs: tuple) -> frozenset[str]:
    return frozenset(s for phrase in group if len(phrase) == 1 for lang in langs for s in analyze(phrase[0], lang))


LANGS = ("fr", "en", "it", "es", "de")
PREFIX = 5  # shortest stem matched as the beginning of a longer one


def _first_line(doc) -> str:
    return doc.text.split("\n", 1)[0]

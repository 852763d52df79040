"""Checking a generated answer against its sources, sentence by sentence.

A sentence is supported when it cites at least one existing source and is close enough to it:
its embedding near one of the source's chunks, its content words found in the source, and
every number it states (years, counts, prices) present in the source. Unsupported sentences
are removed; markers pointing to no source are stripped. Thresholds: bench/verifier.py.
"""

import re
from dataclasses import dataclass

import numpy as np

from cigale.analysis import analyze, base_lang, words
from cigale.chunks import sentences

MARKER = re.compile(r"\s*\[(\d{1,2})\]")
# Text in a source that talks to the model rather than to the reader (prompt injection).
INJECTION = re.compile(
    r"ignore\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions|rules|prompts?)"
    r"|disregard\s+(?:all\s+|the\s+)?(?:previous|above|prior)|you\s+are\s+now\b|new\s+instructions"
    r"|system\s+prompt|^\s*(?:system|assistant)\s*:|ignore[zr]?\s+(?:les\s+)?(?:instructions|consignes)",
    re.IGNORECASE | re.MULTILINE)


def injected_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of `text` that address the model, as (start, end) spans."""
    return [(a, b) for a, b in sentences(text) if INJECTION.search(text[a:b])]


def defuse(text: str) -> str:
    """`text` with every sentence that addresses the model replaced by a notice."""
    for a, b in reversed(injected_spans(text)):
        text = text[:a] + "[instructions removed from this source]" + text[b:]
    return text
NUMBER = re.compile(r"\d[\d\s.,]*\d|\d")
# Set with bench/verifier.py: precision first ("I don't know" beats a guess); a rejected answer
# falls back to extraction, it is not lost.
DENSE_MIN = 0.85  # cosine between the sentence and its source's best chunk (e5 passage vectors)
LEXICAL_MIN = 0.7  # share of the sentence's content words found in the source (same language only)


@dataclass(frozen=True)
class Claim:
    text: str  # the sentence without its markers
    cited: tuple[int, ...]  # markers that point to a source
    supported: bool
    dense: float = 0.0
    lexical: float = 0.0


@dataclass(frozen=True)
class Grounding:
    checked: int
    supported: int


def claims(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """(sentence without markers, cited numbers) for each sentence of a generated answer."""
    out = []
    for a, b in sentences(text):
        raw = text[a:b]
        cited = tuple(dict.fromkeys(int(n) for n in MARKER.findall(raw)))
        plain = MARKER.sub("", raw).strip()
        if plain:
            out.append((plain, cited))
    # A marker alone after the sentence end ("... 1980. [1]") belongs to the sentence before it.
    merged = []
    for plain, cited in out:
        if merged and not words(plain):
            merged[-1] = (merged[-1][0], merged[-1][1] + cited)
        else:
            merged.append((plain, cited))
    return merged


def _numbers(text: str) -> set[str]:
    return {re.sub(r"[\s.,]", "", n) for n in NUMBER.findall(text)}


def support(sentence: str, sentence_vec, doc, chunk_vectors, lang: str | None) -> tuple[float, float, bool]:
    """(dense, lexical, numbers ok) of one sentence against one source. A sentence that repeats
    what a source tells the model to say is not supported by it."""
    mine_words = set(words(sentence))
    for a, b in injected_spans(doc.text):
        theirs = set(words(doc.text[a:b]))
        if mine_words and len(mine_words & theirs) / len(mine_words) >= 0.5:
            return 0.0, 0.0, False
    dense = float(np.max(chunk_vectors @ sentence_vec)) if len(chunk_vectors) else 0.0
    langs = dict.fromkeys((base_lang(lang), base_lang(doc.lang)))
    source_terms = set()
    for code in langs:
        source_terms.update(analyze(doc.title + "\n" + doc.text, code))
    mine = analyze(sentence, base_lang(lang))
    lexical = sum(t in source_terms for t in mine) / len(mine) if mine else 0.0
    numbers_ok = _numbers(sentence) <= _numbers(doc.title + " " + doc.text)
    return dense, lexical, numbers_ok


def verify(text: str, sources: dict, vectors_of, embedder, lang: str | None) -> tuple[list[Claim], Grounding]:
    """`sources`: {n: Document}; `vectors_of(doc_id)`: that document's chunk vectors."""
    found = claims(text)
    if not found:
        return [], Grounding(0, 0)
    embedded = embedder.passages([plain for plain, _ in found])
    out = []
    for (plain, cited), vec in zip(found, embedded):
        valid = tuple(n for n in cited if n in sources)
        best = (0.0, 0.0, False)
        for n in valid:
            scored = support(plain, vec, sources[n], vectors_of(sources[n].id), lang)
            if (scored[2], scored[0] + scored[1]) > (best[2], best[0] + best[1]):
                best = scored
        dense, lexical, numbers_ok = best
        same_language = any(base_lang(sources[n].lang) == base_lang(lang) for n in valid)
        # Words only match words within a language: an English sentence from a French source is
        # judged on meaning (embeddings) and on its numbers.
        lexical_ok = lexical >= LEXICAL_MIN or not same_language
        ok = bool(valid) and numbers_ok and dense >= DENSE_MIN and lexical_ok
        out.append(Claim(plain, valid, ok, round(dense, 4), round(lexical, 4)))
    return out, Grounding(len(out), sum(c.supported for c in out))

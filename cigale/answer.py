"""The extractive answer: the few sentences of the sources that best answer, each cited.

No language model: sentences are chosen among the top documents' best chunks by embedding
similarity to the question plus lexical evidence, near-duplicates are dropped, and each one
keeps its exact span in its document, so every statement can be checked. When the evidence
is weak the answer abstains, in the question's language, and still lists the closest sources.
"""

import math
import re
from dataclasses import asdict, dataclass, field

import numpy as np

from cigale.analysis import analyze, analyze_query, base_lang
from cigale.chunks import sentences
from cigale.equity import attribute
from cigale.verify import INJECTION

MAX_SENTENCES = 4
CANDIDATE_DOCS = 4
CANDIDATE_POOL = 12
# Each sentence costs the model 25-45 ms on 2 cores (bench/answers.py): the two most promising
# are embedded and checked against the question.
CANDIDATES_EMBEDDED = 2
UNVERIFIED = 0.02  # discount on a sentence judged by its chunk's similarity only
NEAR_DUPLICATE = 0.6  # word-set Jaccard above which two sentences say the same thing
SAME_MEANING = 0.93  # embedding cosine above which two sentences say the same thing
SENTENCE_MARGIN = 0.06  # a further sentence must score within this of the best one
SAME_LANGUAGE = 0.1  # answer in the question's language when the sources allow
DIVERSE_MARGIN = 0.2  # the same, for an open question's answer drawing on several places

ABSTAIN = {
    "fr": "Je n'ai pas trouvé de réponse fiable dans mes sources.",
    "en": "I found no reliable answer in my sources.",
    "it": "Non ho trovato una risposta affidabile nelle mie fonti.",
    "es": "No he encontrado una respuesta fiable en mis fuentes.",
    "de": "Ich habe in meinen Quellen keine verlässliche Antwort gefunden.",
    "pt": "Não encontrei uma resposta fiável nas minhas fontes.",
    "nl": "Ik heb geen betrouwbaar antwoord gevonden in mijn bronnen.",
    "ar": "لم أجد إجابة موثوقة في مصادري.",
}
CLOSEST = {"fr": "Sources les plus proches :", "en": "Closest sources:"}


@dataclass(frozen=True)
class PlaceRef:
    insee: str
    name: str
    territory: str


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    title: str
    url: str | None
    source: str | None
    places: tuple[str, ...]
    spans: tuple[tuple[int, int], ...] = ()  # offsets of the quoted sentences in the document text
    quotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sentence:
    text: str  # as shown in the answer, citation marker excluded
    citation: int
    doc_id: str
    start: int  # span of the quoted sentence in its document; -1 for a generated sentence
    end: int
    lang: str | None = None  # the source's language: a quoted sentence keeps it


@dataclass(frozen=True)
class Answer:
    question: str
    lang: str
    answer: str
    abstained: bool
    confidence: float
    citations: tuple[Citation, ...]
    places: tuple[PlaceRef, ...]
    sentences: tuple[Sentence, ...] = ()
    kind: str = "extractive"  # or "generative"
    evidence: dict = field(default_factory=dict, compare=False)
    grounding: dict | None = None  # generated answers: {"checked": n, "supported": m}

    def to_dict(self) -> dict:
        out = asdict(self)
        out["citations"] = [
            {**asdict(c), "places": list(c.places), "spans": [list(s) for s in c.spans], "quotes": list(c.quotes)}
            for c in self.citations
        ]
        out["places"] = [asdict(p) for p in self.places]
        out["sentences"] = [asdict(s) for s in self.sentences]
        if self.grounding is None:
            out.pop("grounding")
        return out


@dataclass
class _Candidate:
    hit_rank: int
    doc: object
    start: int
    end: int
    places: tuple[str, ...] = ()  # what its document is about (the hit's places)
    lexical: float = 0.0
    dense: float = 0.0
    vector: np.ndarray | None = None

    @property
    def text(self) -> str:
        return self.doc.text[self.start : self.end]


def answer_question(question, hits, store, embedder, territory, settings, qvec, lexical_weight=1.0,
                    diverse: bool = False) -> Answer:
    """`diverse`: an open question under equity, whose answer should draw from several places."""
    docs = store.get_documents([h.doc_id for h in hits[:CANDIDATE_DOCS]])
    chunks = store.get_chunks([h.chunk_id for h in hits[:CANDIDATE_DOCS]])
    q_terms = _content_terms(question)

    candidates = []
    for rank, hit in enumerate(hits[:CANDIDATE_DOCS]):
        doc, chunk = docs[hit.doc_id], chunks[hit.chunk_id].chunk
        for a, b in sentences(doc.text, chunk.start, chunk.end):
            if INJECTION.search(doc.text[a:b]):
                continue  # words addressed to a model are not an answer to quote
            cand = _Candidate(rank, doc, a, b, hit.places)
            cand.lexical = _overlap(q_terms, cand.text + " " + doc.title, question.lang, doc.lang)
            candidates.append(cand)
    # Embedding every sentence would cost too much per question: the lexically and
    # rank-wise most promising ones go to the model, in one batch.
    # The others stand on their chunk's similarity, discounted: they may add to an answer
    # but never lead it.
    candidates.sort(key=lambda c: (-(c.lexical + _rank_prior(c.hit_rank)), c.hit_rank, c.start))
    candidates = candidates[:CANDIDATE_POOL]
    embedded = candidates[:CANDIDATES_EMBEDDED]
    if embedded:
        vectors = embedder.passages([_in_context(c) for c in embedded])
        for c, v in zip(embedded, vectors):
            c.dense, c.vector = float(v @ qvec), v
    for c in candidates[CANDIDATES_EMBEDDED:]:
        c.dense = hits[c.hit_rank].signals.get("dense", 0.0) - UNVERIFIED

    chosen = _choose(embedded, candidates, question.lang, territory if diverse else None)
    evidence = _evidence(question, hits, chosen, q_terms, lexical_weight)
    confidence = _confidence(evidence)
    abstained = not chosen or confidence < settings.min_confidence
    citations, shown = _cite(chosen if not abstained else [], hits, docs)
    if abstained:
        text = ABSTAIN.get(question.lang, ABSTAIN["en"])
        citations = _closest(hits[:3])
    else:
        text = " ".join(f"{s.text} [{s.citation}]" for s in shown)
    return Answer(
        question=question.text,
        lang=question.lang,
        answer=text,
        abstained=abstained,
        confidence=round(confidence, 3),
        citations=tuple(citations),
        places=_places(question, citations, territory),
        sentences=tuple(shown),
        evidence=evidence,
    )


def _content_terms(question) -> list[str]:
    """The question's terms in its own language, place names left out (they are matched apart)."""
    text = question.text
    for m in sorted(question.places, key=lambda m: -m.start):
        text = text[: m.start] + " " + text[m.end :]
    return analyze(text, question.lang)


def _overlap(q_terms, text: str, q_lang: str, doc_lang: str | None) -> float:
    if not q_terms:
        return 0.0
    found = set(analyze_query(text, dict.fromkeys((base_lang(q_lang), base_lang(doc_lang)))))
    return sum(t in found for t in q_terms) / len(q_terms)


def _rank_prior(rank: int) -> float:
    return 0.25 / (1 + rank)


def _in_context(c: _Candidate) -> str:
    # The model's time grows with length; a sentence's first 200 characters carry its gist.
    return f"{c.doc.title} — {c.text}"[:200]


def _score(c: _Candidate, lang: str) -> float:
    same_language = SAME_LANGUAGE if base_lang(c.doc.lang) == lang else 0.0
    return c.dense + 0.15 * c.lexical + _rank_prior(c.hit_rank) + same_language


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _choose(embedded, candidates, lang: str, territory=None) -> list[_Candidate]:
    """The best embedded sentence leads; others within the margin follow, no near-duplicates.
    A sentence not checked by the model only widens the answer: it must come from another source."""
    if not embedded:
        return []
    lead = max(embedded, key=lambda c: _score(c, lang))
    ranked = sorted((c for c in candidates if c is not lead), key=lambda c: _score(c, lang), reverse=True)
    chosen = [lead]
    # An open question's answer is a short tour of the places that have something: it may reach
    # further down the sources, one sentence per place.
    margin = DIVERSE_MARGIN if territory is not None else SENTENCE_MARGIN
    for c in ranked:
        if len(chosen) == MAX_SENTENCES or (chosen and _score(c, lang) < _score(chosen[0], lang) - margin):
            break
        if any(_same_thing(c, o) for o in chosen):
            continue
        if c.vector is None and any(o.doc.id == c.doc.id for o in chosen):
            continue
        if territory is not None and _same_places(c, chosen, territory):
            continue  # an open question's answer shows the territory, not one place several times
        chosen.append(c)
    return chosen


def _same_places(c: _Candidate, chosen, territory) -> bool:
    mine = set(attribute(c.places, territory))
    return bool(mine) and any(mine == set(attribute(o.places, territory)) for o in chosen)


def _same_thing(a: _Candidate, b: _Candidate) -> bool:
    """Near-duplicates: mostly the same words, or the same meaning (across languages too)."""
    wa, wb = _words(a.text), _words(b.text)
    if len(wa & wb) / max(1, len(wa | wb)) > NEAR_DUPLICATE:
        return True
    return a.vector is not None and b.vector is not None and float(a.vector @ b.vector) > SAME_MEANING


def _evidence(question, hits, chosen, q_terms, lexical_weight) -> dict:
    best = chosen[0] if chosen else None
    return {
        "lexical_weight": lexical_weight,
        "top_dense": hits[0].signals.get("dense", 0.0) if hits else 0.0,
        "sentence_dense": best.dense if best else 0.0,
        "coverage": best.lexical if best else 0.0,
        "place_named": bool(question.communes),
        "place_found": bool(question.communes)
        and bool(hits)
        and bool(set(hits[0].places) & (question.communes | set(question.place_codes))),
        "terms": len(q_terms),
    }


def _confidence(e: dict) -> float:
    """A logistic blend of the evidence; weights set on the dev questions (README).

    Lexical coverage (the share of the question's own words found in the chosen sentence)
    counts as much as the collection speaks the question's language, like BM25 in search.
    """
    z = 25 * (e["sentence_dense"] - 0.81) + 6 * e["lexical_weight"] * (e["coverage"] - 0.3)
    if e["place_named"] and not e["place_found"]:
        z -= 2.0
    return 1 / (1 + math.exp(-z))


def _cite(chosen, hits, docs):
    """Number the sources by first use, best sentence's document first; order the sentences."""
    order = {}
    for c in chosen:
        order.setdefault(c.doc.id, len(order) + 1)
    shown = sorted(chosen, key=lambda c: (order[c.doc.id], c.start))
    sentences_out, spans = [], {}
    for c in shown:
        text = " ".join(c.text.split())
        # A bare "Année de création : 1980" needs its subject: the title, once per source.
        if c.doc.id not in spans and not _mentions_title(text, c.doc.title):
            text = f"{c.doc.title} — {text}"
        text = text if text.endswith((".", "!", "?", "…")) else text + "."
        sentences_out.append(Sentence(text, order[c.doc.id], c.doc.id, c.start, c.end,
                                      base_lang(c.doc.lang) if c.doc.lang else None))
        spans.setdefault(c.doc.id, []).append((c.start, c.end))
    places = {h.doc_id: h.places for h in hits}  # declared, else named in the text (Hit.places)
    citations = []
    for doc_id, n in order.items():
        d = docs[doc_id]
        citations.append(
            Citation(
                n,
                d.id,
                d.title,
                d.url,
                d.source,
                places.get(doc_id, d.places),
                tuple(spans[doc_id]),
                tuple(d.text[a:b] for a, b in spans[doc_id]),
            )
        )
    return citations, sentences_out


def _mentions_title(text: str, title: str) -> bool:
    significant = [w for w in _words(title) if len(w) > 3]
    return bool(significant) and sum(w in _words(text) for w in significant) >= max(1, len(significant) // 2)


def _closest(hits) -> list[Citation]:
    return [Citation(i, h.doc_id, h.title, h.url, h.source, h.places) for i, h in enumerate(hits, 1)]


def _places(question, citations, territory) -> tuple[PlaceRef, ...]:
    codes = list(question.place_codes)
    for c in citations:
        codes.extend(c.places)
    out = {}
    for code in territory.normalize(codes):
        commune = territory.commune(code)
        if commune:
            sub = territory.subterritories[commune.territory]
            out.setdefault(code, PlaceRef(commune.insee, commune.name, sub.name))
        else:
            sub = territory.subterritories[code]
            out.setdefault(code, PlaceRef(code, sub.name, sub.name))
    return tuple(out.values())


def generated_answer(question, hits, docs, claims, grounding, territory, model: str) -> Answer:
    """An answer from the verified sentences of a model, its sources renumbered by first use."""
    by_n = {n: hits[n - 1] for n in range(1, len(hits) + 1)}
    order: dict[int, int] = {}
    shown = []
    for claim in claims:
        for n in claim.cited:
            order.setdefault(n, len(order) + 1)
        first = order[claim.cited[0]]
        text = claim.text if claim.text.endswith((".", "!", "?", "…")) else claim.text + "."
        shown.append(Sentence(text, first, by_n[claim.cited[0]].doc_id, -1, -1, question.lang))
    citations = []
    for n, new in order.items():
        hit, doc = by_n[n], docs[by_n[n].doc_id]
        citations.append(Citation(new, doc.id, doc.title, doc.url, doc.source, hit.places))
    text = " ".join(f"{s.text} [{s.citation}]" for s in shown)
    confidence = grounding.supported / grounding.checked if grounding.checked else 0.0
    return Answer(
        question=question.text, lang=question.lang, answer=text, abstained=False, confidence=round(confidence, 3),
        citations=tuple(citations), places=_places(question, citations, territory), sentences=tuple(shown),
        kind="generative", evidence={"model": model},
        grounding={"checked": grounding.checked, "supported": grounding.supported},
    )

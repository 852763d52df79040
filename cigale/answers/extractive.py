"""The factual answer, extracted: the line of the sources that answers what the question asks,
with its subject, each cited.

No language model: the lines of the top documents are scored by their lexical evidence, by how
well they meet the question's focus (a date for "when", the supervising bodies for "who": see
lines.py) and by their document's rank; the most promising are embedded and compared with the
question. Each line keeps its exact span in its document, so every statement can be checked.
The line that answers comes first; when it names what is asked (a record's "Téléphone :" for
a phone number), the lines that do not are left out, however close their document is.
"""

import re
from dataclasses import dataclass

import numpy as np

from cigale.analysis import analyze, analyze_query, base_lang
from cigale.answers import lines
from cigale.answers.answerability import concept_found
from cigale.answers.injection import INJECTION
from cigale.answers.lexicon import Aspect
from cigale.answers.types import Citation, PlaceRef, Sentence
from cigale.chunks import sentences
from cigale.equity import attribute

MAX_SENTENCES = 3
CANDIDATE_DOCS = 4
LINES_PER_DOC = 80  # the lines of a long record beyond these are rarely what a question asks
CANDIDATE_POOL = 12
# Each line costs the model 25-45 ms on 2 cores (bench/answers.py): the three most promising are
# embedded and checked against the question.
CANDIDATES_EMBEDDED = 3
NEAR_DUPLICATE = 0.6  # word-set Jaccard above which two sentences say the same thing
SAME_MEANING = 0.93  # embedding cosine above which two sentences say the same thing
SAME_LANGUAGE = 0.1  # answer in the question's language when the sources allow


@dataclass(frozen=True)
class Weights:
    """How a line's signals add up (fitted by bench/fit_answers.py on the labelled set's training
    part; the figures and the held-out check are in bench/results/fit_answers.json)."""

    lexical: float = 0.05  # share of the question's words in the line and its title
    focus: float = 0.3  # the line's label and value meet the question's focus (lines.focus_match)
    rank: float = 0.25  # prior of the document's rank: rank / (1 + position)
    unembedded: float = 0.02  # discount on a line judged by its chunk's similarity only
    margin: float = 0.06  # a further line must score within this of the best one


WEIGHTS = Weights()
# A line that holds a practical question's side counts as a label naming its focus (focus_match's
# 0.6); what lines.holds_aspect cannot tell from one line (a service, getting there) gives nothing.
ASPECT_FOCUS = 0.6
NOT_IN_A_LINE = (Aspect.SERVICE, Aspect.ACCESS)


@dataclass
class Line:
    hit_rank: int
    doc: object
    start: int
    end: int
    places: tuple[str, ...] = ()  # what its document is about (the hit's places)
    lexical: float = 0.05
    own: float = 0.0  # share of the question's words in the line itself, its title left out
    focus: float = 0.3
    named: bool = False  # it names what is asked (see candidate_lines)
    dense: float = 0.0
    vector: np.ndarray | None = None

    @property
    def text(self) -> str:
        return self.doc.text[self.start : self.end]


def answer_lines(question, reading, hits, docs, chunks, embedder, qvec, territory=None, weights=WEIGHTS) -> list[Line]:
    """The lines that answer, best first (empty when there is nothing to quote); `territory`: an
    open question under equity, answered with one line per place."""
    candidates = candidate_lines(question, reading, hits, docs, chunks, weights)
    embedded = embed_lines(candidates, hits, embedder, qvec, weights)
    return choose(embedded, candidates, question.lang, territory, weights)


def candidate_lines(question, reading, hits, docs, chunks, weights=WEIGHTS) -> list[Line]:
    """The lines of the top documents, best first by their cheap signals: every line of the
    first document (the answer is often outside its best chunk), the best chunk of the others."""
    q_terms = content_terms(question)
    focuses = (reading.focuses or (reading.focus,)) if reading is not None else ()
    concept = reading.concept if reading is not None else ()
    aspect = reading.aspect if reading is not None and reading.aspect not in NOT_IN_A_LINE else None
    out = []
    for rank, hit in enumerate(hits[:CANDIDATE_DOCS]):
        doc, chunk = docs[hit.doc_id], chunks[hit.chunk_id].chunk
        spans = sentences(doc.text)[:LINES_PER_DOC] if rank == 0 else sentences(doc.text, chunk.start, chunk.end)
        asked = asked_of(q_terms, doc, question.lang)
        for a, b in spans:
            text = doc.text[a:b]
            if INJECTION.search(text) or lines.is_identifier(text):
                continue  # words addressed to a model, or a bare code, are not an answer to quote
            line = Line(rank, doc, a, b, hit.places)
            line.lexical = overlap(q_terms, text + " " + doc.title, question.lang, doc.lang)
            line.own = overlap(q_terms, text, question.lang, doc.lang) if line.lexical else 0.0
            line.focus = max((lines.focus_match(text, f) for f in focuses), default=0.0)
            if aspect is not None and lines.holds_aspect(text, aspect):
                # A practical question is answered by the line that holds its practical side (hours,
                # a price), whatever the language of its label: "orari" meets "Opening hours: Monday…".
                line.focus = max(line.focus, ASPECT_FOCUS)
            if line.focus and concept and not concept_found(concept, f"{doc.title}\n{text}", question.lang, doc.lang):
                # The focus's shape, but none of what the question is about, in any language: another
                # subject's line (a town hall's "Adresse :" for "dans quel conseil de territoire se
                # trouve Trets ?").
                line.focus = 0.0
            line.named = names_what_is_asked(text, line.focus, focuses, asked, question.lang, doc.lang)
            out.append(line)
    # Ties (the question's words all in the title, which every line of a record shares: "maire" in
    # "Mairie de Gardanne") go to the lines that hold them themselves, which are then embedded.
    out.sort(key=lambda c: (-_cheap(c, weights), -c.own, c.hit_rank, c.start))
    return out[:CANDIDATE_POOL]


def asked_of(q_terms, doc, lang: str) -> list[str]:
    """The question's words that its document's title does not hold: what is asked of the subject
    ("maire" of "Qui est le maire de Gardanne ?" but not of "Mairie de Gardanne", which holds its stem)."""
    title = set(analyze_query(doc.title, dict.fromkeys((base_lang(lang), base_lang(doc.lang)))))
    return [t for t in q_terms if t not in title]


def names_what_is_asked(text: str, focus: float, focuses, asked, q_lang: str, doc_lang: str | None) -> bool:
    """A labelled line names what is asked by its label: the focus's words ("Téléphone" for a phone
    number) or the words asked of its subject ("Opening hours"); a prose line by meeting the focus
    or holding the words asked."""
    label, _ = lines.split(text)
    if label is None:
        return focus > 0 or overlap(asked, text, q_lang, doc_lang) > 0
    return (focus > 0 and any(lines.label_match(label, f) > 0 for f in focuses)) or \
        overlap(asked, label, q_lang, doc_lang) > 0


def embed_lines(candidates: list[Line], hits, embedder, qvec, weights=WEIGHTS) -> list[Line]:
    """Embed the most promising lines in one batch; the others stand on their chunk's similarity,
    discounted: they may add to an answer but never lead it. Returns the embedded ones."""
    embedded = candidates[:CANDIDATES_EMBEDDED]
    if embedded:
        vectors = embedder.passages([in_context(c) for c in embedded])
        for c, v in zip(embedded, vectors):
            c.dense, c.vector = float(v @ qvec), v
    for c in candidates[CANDIDATES_EMBEDDED:]:
        c.dense = hits[c.hit_rank].signals.get("dense", 0.0) - weights.unembedded
    return embedded


def choose(embedded, candidates, lang: str, territory=None, weights=WEIGHTS) -> list[Line]:
    """The best embedded line leads; others within the margin follow, no near-duplicates, from
    the lead's own document: a factual answer is about one subject. When the lead names what is
    asked, only lines that name it too follow: a record's other fields answer other questions
    (the town hall's hours are no answer to its phone number). With `territory` (an open
    question under equity), other documents too, one line per place; a line not checked by the
    model then only widens the answer, from another source."""
    if not embedded:
        return []
    lead = max(embedded, key=lambda c: score(c, lang, weights))
    ranked = sorted((c for c in candidates if c is not lead), key=lambda c: score(c, lang, weights), reverse=True)
    chosen = [lead]
    for c in ranked:
        if len(chosen) == MAX_SENTENCES or score(c, lang, weights) < score(lead, lang, weights) - weights.margin:
            break
        if (lead.named and not c.named) or any(_same_thing(c, o) for o in chosen):
            continue
        if territory is None and c.doc.id != lead.doc.id:
            continue
        if territory is not None and ((c.vector is None and any(o.doc.id == c.doc.id for o in chosen))
                                      or _same_places(c, chosen, territory)):
            continue
        chosen.append(c)
    return chosen


def score(c: Line, lang: str, weights=WEIGHTS) -> float:
    same_language = SAME_LANGUAGE if base_lang(c.doc.lang) == lang else 0.0
    return c.dense + _cheap(c, weights) + same_language


def _cheap(c: Line, weights) -> float:
    return weights.lexical * c.lexical + weights.focus * c.focus + weights.rank / (1 + c.hit_rank)


def content_terms(question) -> list[str]:
    """The question's terms in its own language, place names left out (they are matched apart)."""
    return analyze(question.without_places, question.lang)


def overlap(q_terms, text: str, q_lang: str, doc_lang: str | None) -> float:
    if not q_terms:
        return 0.0
    found = set(analyze_query(text, dict.fromkeys((base_lang(q_lang), base_lang(doc_lang)))))
    return sum(t in found for t in q_terms) / len(q_terms)


def in_context(c: Line) -> str:
    return context(c.doc.title, c.text)


def context(title: str, text: str) -> str:
    """What the model reads of a line: its title, then the line. The model's time grows with
    length; a line's first 200 characters carry its gist."""
    return f"{title} — {text}"[:200]


def quotable(doc, chunks) -> list[str]:
    """What `embed_lines` may give the model among the lines of `doc`, as it gives them: the
    lines `candidate_lines` takes from it (its first LINES_PER_DOC, those of each chunk), but the
    ones it never quotes. Embedded at ingest (setting `embed_lines`), they are in the vector
    cache before any question: a question never asked then costs the model only itself."""
    spans = dict.fromkeys(sentences(doc.text)[:LINES_PER_DOC])
    for chunk in chunks:
        spans.update(dict.fromkeys(sentences(doc.text, chunk.start, chunk.end)))
    texts = (doc.text[a:b] for a, b in spans)
    return list(dict.fromkeys(context(doc.title, t) for t in texts
                              if not (INJECTION.search(t) or lines.is_identifier(t))))


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _same_places(c: Line, chosen, territory) -> bool:
    mine = set(attribute(c.places, territory))
    return bool(mine) and any(mine == set(attribute(o.places, territory)) for o in chosen)


def _same_thing(a: Line, b: Line) -> bool:
    """Near-duplicates: mostly the same words, or the same meaning (across languages too)."""
    wa, wb = _words(a.text), _words(b.text)
    if len(wa & wb) / max(1, len(wa | wb)) > NEAR_DUPLICATE:
        return True
    return a.vector is not None and b.vector is not None and float(a.vector @ b.vector) > SAME_MEANING


def cite(chosen, hits, docs, publisher=None):
    """Number the sources by first use, best line's document first; order the lines: the best
    one first (it answers), then each source's in the order it has them.
    Returns (citations, sentences)."""
    order = {}
    for c in chosen:
        order.setdefault(c.doc.id, len(order) + 1)
    shown = sorted(chosen, key=lambda c: (order[c.doc.id], c is not chosen[0], c.start))
    sentences_out, spans = [], {}
    for c in shown:
        text = " ".join(c.text.split())
        # A bare "Année de création : 1980" needs its subject: the title, once per source.
        if c.doc.id not in spans and not mentions_title(text, c.doc.title):
            text = f"{c.doc.title} — {text}"
        text = text if text.endswith((".", "!", "?", "…")) else text + "."
        sentences_out.append(Sentence(text, order[c.doc.id], c.doc.id, c.start, c.end,
                                      base_lang(c.doc.lang) if c.doc.lang else None))
        spans.setdefault(c.doc.id, []).append((c.start, c.end))
    places = {h.doc_id: h.places for h in hits}  # declared, else named in the text (Hit.places)
    citations = [citation(n, docs[doc_id], places.get(doc_id, docs[doc_id].places), spans[doc_id], publisher)
                 for doc_id, n in order.items()]
    return citations, sentences_out


def citation(n: int, doc, places, spans=(), publisher=None) -> Citation:
    return Citation(n, doc.id, doc.title, doc.url, doc.source, tuple(places), tuple(spans),
                    tuple(doc.text[a:b] for a, b in spans), publisher(doc) if publisher else None)


def mentions_title(text: str, title: str) -> bool:
    significant = [w for w in _words(title) if len(w) > 3]
    return bool(significant) and sum(w in _words(text) for w in significant) >= max(1, len(significant) // 2)


def places_of(question, citations, territory) -> tuple[PlaceRef, ...]:
    """The places of an answer: those the question names, then those its sources are about."""
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

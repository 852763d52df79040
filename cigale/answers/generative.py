"""Generated answers: a language model writes the answer from numbered sources, each sentence
is verified as soon as it is complete, and only verified sentences reach the visitor.

The model gets the few sources the extractive answer would use (the items of a list, the top
documents otherwise), each cut to the lines that matter to the question, so that a small model
on a small machine answers within its time. Any failure — timeout, error, junk, nothing
supported — hands back to the extractive answer (the caller), with the reason.
"""

import time

from cigale.analysis import base_lang
from cigale.answers import extractive, lines, verify
from cigale.answers.experts import expert_for, publisher_of
from cigale.answers.intent import Reading
from cigale.answers.llm import GenerationError, build_messages, complete_sentence
from cigale.answers.types import Answer, Sentence
from cigale.chunks import sentences

# What the model reads, in ranking (equity-aware) order. A small model on two cores reads about
# 100 tokens a second (bench/generative.py): four excerpts of 600 characters, or eight list items
# of 250, keep an answer within half a minute there and well under a second on a GPU.
SOURCES = 4
LIST_SOURCES = 8
EXCERPT_CHARS = 600  # of each source: its first line, then its lines that matter most
ITEM_CHARS = 250
MAX_OUTPUT = 8000  # characters the model may write before it is cut off


def excerpt(doc, question, reading: Reading, limit: int = EXCERPT_CHARS) -> str:
    """The document's first line (its subject), then its lines by relevance to the question
    (words in common, the focus), in document order, within `limit` characters."""
    spans = sentences(doc.text)
    if not spans:
        return ""
    terms = extractive.content_terms(question)
    first, rest = spans[0], spans[1:]
    scored = []
    for position, (a, b) in enumerate(rest):
        text = doc.text[a:b]
        if lines.is_identifier(text):
            continue
        score = extractive.overlap(terms, text, question.lang, doc.lang) + lines.focus_match(text, reading.focus)
        scored.append((-score, position, a, b))
    kept, used = [], first[1] - first[0]
    for _, position, a, b in sorted(scored):
        if used + (b - a) + 1 > limit:
            continue
        kept.append((position, a, b))
        used += b - a + 1
    return "\n".join([doc.text[first[0]:first[1]]] + [doc.text[a:b] for _, a, b in sorted(kept)])


def generate(question, reading: Reading, hits, docs, generator, breaker, embedder, territory, settings):
    """Stream the model's verified sentences as ("citation", Citation) and ("delta", {...})
    events; return (Answer, None, log), or (None, why not, log) when it failed or nothing it
    wrote is supported: the caller then answers extractively. `log`: the sources given and every
    sentence checked, with the verdict and its reason (for the back office)."""
    hits = hits[:LIST_SOURCES if reading.wants_items else SOURCES]
    sources = {n: docs[h.doc_id] for n, h in enumerate(hits, 1)}
    places = {h.doc_id: h.places for h in hits}

    def place_names(doc):
        return [p.name for p in (territory.commune(c) for c in places.get(doc.id, ())) if p]

    limit = ITEM_CHARS if reading.wants_items else EXCERPT_CHARS
    texts = {n: excerpt(doc, question, reading, limit) for n, doc in sources.items()}
    publisher = lambda d: publisher_of(d, territory)  # noqa: E731
    messages = build_messages(question, [(n, doc, texts[n]) for n, doc in sources.items()], territory.name,
                              place_names, listing=reading.wants_items)
    started, buffer, kept, rejected, checked, order = time.monotonic(), "", [], [], [], {}

    def check(text):
        for claim in verify.verify(text, sources, embedder, question.lang, question.text):
            checked.append({"text": text, "claim": claim.text, "cited": [sources[n].id for n in claim.cited],
                            "supported": claim.supported, "why": claim.why, "dense": claim.dense,
                            "lexical": claim.lexical})
            if not claim.supported:
                rejected.append({"text": claim.text, "why": claim.why})
                continue
            kept.append(claim)
            for n in claim.cited:
                if n not in order:
                    order[n] = len(order) + 1
                    hit = hits[n - 1]
                    yield "citation", extractive.citation(order[n], sources[n], hit.places, (), publisher)
            prefix = " " if len(kept) > 1 else ""
            yield "delta", {"text": f"{prefix}{_ended(claim.text)}", "citation": order[claim.cited[0]],
                            "lang": question.lang}

    try:
        for piece in generator.stream(messages):
            buffer += piece
            if time.monotonic() - started > settings.llm_timeout or len(buffer) > MAX_OUTPUT:
                raise GenerationError("the model took too long or wrote too much")
            while (split := complete_sentence(buffer)) is not None:
                sentence, buffer = split
                yield from check(sentence)
        if buffer.strip():
            yield from check(buffer)
    except GenerationError as exc:
        breaker.record(False)
        if not kept:
            return None, exc.message, {"sources": {n: doc.id for n, doc in sources.items()}, "checked": checked}
    else:
        breaker.record(True)
    log = {"sources": {n: doc.id for n, doc in sources.items()}, "checked": checked}
    if not kept:
        return None, f"the generated answer was not supported by its sources (0/{len(rejected)})", log
    return _answer(question, reading, hits, sources, kept, rejected, log, order, territory, generator.model), None, log


def _ended(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…", ":")) else text + "."


def _answer(question, reading, hits, sources, kept, rejected, log, order, territory, model: str) -> Answer:
    """The verified sentences, their sources renumbered by first use."""
    shown = [Sentence(_ended(c.text), order[c.cited[0]], sources[c.cited[0]].id, -1, -1, question.lang)
             for c in kept]
    publisher = lambda d: publisher_of(d, territory)  # noqa: E731
    citations = [extractive.citation(new, sources[n], hits[n - 1].places, (), publisher)
                 for n, new in sorted(order.items(), key=lambda kv: kv[1])]
    checked = len(kept) + len(rejected)
    communes = [m.code for m in question.places if m.code in question.communes]
    expert = expert_for(reading.theme, communes, territory, question.lang, [sources[n] for n in order])
    return Answer(
        question=question.text, lang=question.lang, answer=" ".join(f"{s.text} [{s.citation}]" for s in shown),
        abstained=False, confidence=round(len(kept) / checked, 3) if checked else 0.0, citations=tuple(citations),
        places=extractive.places_of(question, citations, territory), sentences=tuple(shown), kind="generative",
        evidence={"model": model, "rejected": rejected, "verification": log,
                  "source_langs": sorted({base_lang(d.lang) for d in sources.values()})},
        grounding={"checked": checked, "supported": len(kept)}, intent=reading.intent.value, expert=expert)

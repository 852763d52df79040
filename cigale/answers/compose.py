"""The answer a visitor reads, composed by intent (see intent.py), in the question's language:

    factual, practical   the line that answers the focus, with its subject (extractive.py)
    list, open           a frame, then one line per item, each cited (lists.py); events soonest
                         first, each with its dates, venue and commune (dates.py)
    opinion              a neutral decline, then what each place named has
    out_of_scope         what Cigale is for
    injection            never obeyed; the engine answers the legitimate part, if any

Whenever the evidence does not hold the answer, an honest refusal that names the expert to
ask; for events asked for and none found, one that says so, for the period named ("no event
found from Saturday 31 October to Sunday 1 November"), rather than undated content in their
place. Every answer names one (`Answer.expert`).
"""

from dataclasses import replace
from datetime import date

from cigale import when
from cigale.answers import answerability, dates, extractive, frames, lists
from cigale.answers.experts import expert_for, publisher_of
from cigale.answers.intent import Intent, Reading
from cigale.answers.types import Answer, Item, Sentence

OPINION_ITEMS = 2  # what each place named has, in a declined ranking
CLOSEST = 3  # sources listed under a refusal


def compose(question, reading: Reading, hits, store, embedder, territory, settings, qvec,
            lexical_weight: float = 1.0, diverse: bool = False) -> Answer:
    """`hits`: the search for the question, enough of them for a list; `diverse`: an open
    question under equity, whose factual answer draws on several places."""
    docs = store.get_documents([h.doc_id for h in hits])
    # An ingest may have removed a document since the search (the index of the previous version
    # serves until the new one is built): what is gone is not cited.
    hits = [h for h in hits if h.doc_id in docs]
    lang = question.lang
    expert = expert_for(reading.theme, _communes(question), territory, lang, [docs[h.doc_id] for h in hits[:3]])
    base = {"question": question.text, "lang": lang, "intent": reading.intent.value, "expert": expert}

    if reading.intent is Intent.OUT_OF_SCOPE or (reading.intent is Intent.INJECTION and not reading.legitimate):
        table = frames.OUT_OF_SCOPE if reading.intent is Intent.OUT_OF_SCOPE else frames.INJECTION
        text = frames.text(table, lang, territory=territory.name)
        return Answer(**base, answer=text, abstained=True, confidence=0.0, citations=(), places=(),
                      evidence={"refused": reading.intent.value})
    if reading.intent is Intent.OPINION:
        return _decline(question, reading, hits, docs, territory, base)
    if reading.wants_items:
        found = lists.find_items(question, reading, hits, docs, territory)
        if found:
            return _listing(question, reading, found, hits, docs, territory, base, settings=settings)
        if reading.kind is not None and reading.kind.dated:
            return _no_events(question, hits, docs, territory, base, settings)
        return _refusal(question, hits, docs, territory, base, {"items": 0})

    reach = 2 * extractive.CANDIDATE_DOCS  # the lines are read from the first ones whose chunk is still there
    chunks = store.get_chunks([h.chunk_id for h in hits[:reach]])
    hits = [h for i, h in enumerate(hits) if i >= reach or h.chunk_id in chunks]
    chosen = extractive.answer_lines(question, reading, hits, docs, chunks, embedder, qvec,
                                     territory if diverse else None)
    evidence = answerability.evidence(question, reading, hits, chosen, lexical_weight)
    confidence = answerability.MODEL.confidence(evidence)
    if not chosen or confidence < settings.min_confidence:
        return replace(_refusal(question, hits, docs, territory, base, evidence), confidence=round(confidence, 3))
    citations, shown = extractive.cite(chosen, hits, docs, lambda d: publisher_of(d, territory))
    expert = expert_for(reading.theme, _communes(question), territory, lang, [docs[c.doc_id] for c in citations])
    return Answer(**{**base, "expert": expert}, answer=" ".join(f"{s.text} [{s.citation}]" for s in shown),
                  abstained=False, confidence=round(confidence, 3), citations=tuple(citations),
                  places=extractive.places_of(question, citations, territory), sentences=tuple(shown),
                  evidence=evidence)


def _communes(question) -> list[str]:
    """The communes a question names, in the order it names them."""
    out = []
    for m in question.places:
        if m.code in question.communes:
            out.append(m.code)
    return out + sorted(question.communes - set(out))


def _refusal(question, hits, docs, territory, base, evidence) -> Answer:
    """"I don't know", the expert to ask, and the closest sources."""
    lang = question.lang
    text = f"{frames.text(frames.ABSTAIN, lang)} {frames.text(frames.ASK_EXPERT, lang, expert=base['expert'].name)}"
    closest = tuple(extractive.citation(i, docs[h.doc_id], h.places, (), lambda d: publisher_of(d, territory))
                    for i, h in enumerate(hits[:CLOSEST], 1))
    return Answer(**base, answer=text, abstained=True, confidence=0.0, citations=closest,
                  places=extractive.places_of(question, (), territory), evidence=evidence)


def _no_events(question, hits, docs, territory, base, settings) -> Answer:
    """No event (of the kind asked) in the period named, or none to come: said so, with the expert."""
    lang, (today, _tz) = question.lang, _calendar(question, territory, settings)
    names, regions = _place_names(question, territory)
    at = " " + frames.at(names, lang, regions) if question.communes else ""
    text = (frames.text(frames.NO_EVENTS, lang, at=at, period=_period(question, lang, today)) if question.window
            else frames.text(frames.NO_UPCOMING_EVENTS, lang, at=at))
    refusal = _refusal(question, hits, docs, territory, base, {"items": 0, "events": 0, "window": question.window})
    return replace(refusal, answer=f"{text} {frames.text(frames.ASK_EXPERT, lang, expert=base['expert'].name)}")


def _calendar(question, territory, settings=None) -> tuple[date, str]:
    """The day the question is asked on, and the territory's time zone."""
    tz = getattr(territory, "timezone", when.DEFAULT_TZ)
    if getattr(question, "today", None):
        return date.fromisoformat(question.today), tz
    return when.today(settings.today if settings else "", tz), tz


def _period(question, lang: str, today: date) -> str:
    first, last = (date.fromisoformat(d) for d in question.window)
    return dates.span(first, last, lang, today, framed=True)


def _extra_text(doc, key: str) -> str | None:
    """A field of an event's record (`extra`), as text: "venue", "price" (a name in a mapping too)."""
    value = (doc.extra or {}).get(key)
    if isinstance(value, dict):
        value = value.get("name") or value.get("text")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _listing(question, reading, found, hits, docs, territory, base, frame=None, settings=None) -> Answer:
    lang = question.lang
    today, tz = _calendar(question, territory, settings)
    shown = lists.soonest_first(found[:lists.MAX_ITEMS], question, tz)  # equity chose the set, the calendar the order
    if frame is None:
        names, regions = _place_names(question, territory)
        where = frames.at(names, lang, regions) if question.communes else frames.text(frames.EVERYWHERE, lang)
        if reading.kind and question.window and any(f.doc.start for f in shown):
            frame = frames.text(frames.LIST_IN_PERIOD, lang, kind=reading.kind.plural(lang), at=where,
                                period=_period(question, lang, today))
        else:
            frame = (frames.text(frames.LIST, lang, kind=reading.kind.plural(lang), at=where) if reading.kind
                     else frames.text(frames.WHAT_SOURCES_SAY, lang, at=where))
    order: dict[str, int] = {}
    items, sentences = [], []
    for f in shown:
        n = order.setdefault(f.doc.id, len(order) + 1)
        commune = territory.commune(f.place) if f.place else None
        written = None
        if f.doc.start and lists.over(f.doc, question):  # the year always, and said to be past
            written = dates.event(f.doc.start, f.doc.end, lang, None, tz)
            written = written and f"{written} ({frames.text(frames.PAST, lang)})"
        elif f.doc.start:
            written = dates.event(f.doc.start, f.doc.end, lang, today, tz)
        if written:
            # An event: its dates, venue and commune, written by Cigale from the record's fields
            # (nothing quoted; the citation carries the link).
            venue, price = _extra_text(f.doc, "venue"), _extra_text(f.doc, "price")
            where = [venue] if venue else []
            if commune and commune.name not in f.name and commune.name not in (venue or ""):
                where.append(commune.name)
            line = " — ".join(p for p in (f.name, written, ", ".join(where), price) if p)
            items.append(Item(f.doc.id, f.name, commune.name if commune else None, None, n, dates=written,
                              starts=f.doc.start, venue=venue, price=price))
            sentences.append(Sentence(line, n, f.doc.id, -1, -1))
            continue
        start, end = f.detail or (-1, -1)
        detail = " ".join(f.doc.text[start:end].split()) if f.detail else None
        item_lang = (f.doc.lang or "").split("+")[0] or None
        items.append(Item(f.doc.id, f.name, commune.name if commune else None, detail, n, start, end, item_lang))
        line = f.name + (f" ({commune.name})" if commune and commune.name not in f.name else "")
        sentences.append(Sentence(f"{line} — {detail}" if detail else line, n, f.doc.id, start, end, item_lang))
    places = {h.doc_id: h.places for h in hits}
    publisher = lambda d: publisher_of(d, territory)  # noqa: E731
    spans = {}
    for item in items:
        if item.start >= 0:
            spans.setdefault(item.doc_id, []).append((item.start, item.end))
    citations = tuple(extractive.citation(n, docs[doc_id], places.get(doc_id, ()), spans.get(doc_id, ()), publisher)
                      for doc_id, n in order.items())
    more = len(found) - len(shown)
    text = "\n".join([frame] + [f"- {s.text} [{s.citation}]" for s in sentences]
                     + ([frames.text(frames.MORE if more > 1 else frames.MORE_ONE, lang, n=more)] if more else []))
    expert = expert_for(reading.theme, _communes(question), territory, lang, [docs[c.doc_id] for c in citations])
    return Answer(**{**base, "expert": expert}, answer=text, abstained=False, confidence=1.0, citations=citations,
                  places=extractive.places_of(question, citations, territory), sentences=tuple(sentences),
                  items=tuple(items), more=more, frame=frame, evidence={"items": len(found)})


def _decline(question, reading, hits, docs, territory, base) -> Answer:
    """Cigale does not rank the territory: it says so, then shows what each place named has."""
    lang = question.lang
    decline = frames.text(frames.DECLINE, lang)
    communes = _communes(question)
    found = []
    if communes:
        open_reading = replace(reading, qualifier=())
        for code in communes:
            alone = replace(question, communes=frozenset({code}), places=tuple(
                m for m in question.places if m.code == code))
            items = lists.find_items(alone, open_reading, hits, docs, territory)
            found.extend(items[:OPINION_ITEMS])
    if not found:
        text = f"{decline} {frames.text(frames.ASK_EXPERT, lang, expert=base['expert'].name)}"
        return Answer(**base, answer=text, abstained=True, confidence=0.0, citations=(),
                      places=extractive.places_of(question, (), territory), evidence={"declined": True})
    names, regions = _place_names(question, territory)
    where = frames.at(names, lang, regions)
    frame = f"{decline} {frames.text(frames.WHAT_SOURCES_SAY, lang, at=where)}"
    return replace(_listing(question, reading, found, hits, docs, territory, base, frame=frame),
                   evidence={"declined": True, "items": len(found)})


def _place_names(question, territory) -> tuple[list[str], frozenset]:
    """The names of the places a question names (three at most), and those that are areas."""
    names, regions = [], set()
    for m in question.places:
        place = territory.commune(m.code) or territory.subterritories.get(m.code) or territory.landmarks.get(m.code)
        if place is not None and place.name not in names:
            names.append(place.name)
            if territory.commune(m.code) is None:
                regions.add(place.name)
    return names[:3] or [territory.communes[c].name for c in sorted(question.communes)[:3]], frozenset(regions)


"""The list answer: the things of the kind asked for, one line each — name, commune, and the one
detail of its source that matters to the question — each cited.

An item is a retrieved document that is one of the kind (its title or first line names the
kind: lexicon.Kind.marks), in the named place for a list question, and about the question's
qualifier ("jazz" in "festivals de jazz": by its words, or by meaning when its similarity to
the question is close to the best item's). A source that enumerates several of them ("Lycées
de Martigues", a line per lycée) gives one item per line. Items keep the ranking's order, so
an open question's list shows the territories as fairly as the equity re-ranker does.

Events (documents with `start`; the search has left out those outside the period named). For a
kind that happens on dates (concerts, shows, events: `Kind.dated`), a dated document is one of the
kind when it names it anywhere (an agenda's record says "concert" in its description), and any
dated document is an event; with a period named, only dated documents answer it — a museum is no
event of the weekend. An event that is over (its end, else its start, before today) is never
offered for such a question, nor ever when its source calls it an event (`extra["kind"]`: an
agenda's occurrence, gone once over), unless the question names a period that reaches into the
past ("le week-end dernier"). A record of another kind that carries past dates (a festival's
record, with its last edition's) is still listed, after the others, and said to be past. The
items shown are put soonest first (`soonest_first`): the set is the ranking's (equity's, on an
open question), the order the calendar's.
"""

import re
from dataclasses import dataclass
from datetime import date, time

from cigale.analysis import words
from cigale.answers import dates, lines
from cigale.answers.answerability import concept_found
from cigale.answers.lexicon import Focus, grams, kinds_named, titled_plural
from cigale.chunks import sentences

MAX_ITEMS = 8
POOL = 40  # documents searched for items
# An item that does not name the qualifier may still be about it: its dense similarity must be
# within BY_MEANING of the best item that names it or, when none does (a question in another
# language than the sources), at least MEANING_MIN (bench/fit_answers.py).
BY_MEANING = 0.01
MEANING_MIN = 0.86
COMMON_WORD = 0.5  # a qualifier word in more than this share of the candidates does not tell them apart
ROSTER_OPEN = 2  # items an open question takes from one source that lists many (one commune's lycées)


@dataclass(frozen=True)
class Found:
    doc: object
    name: str
    place: str | None  # INSEE code
    detail: tuple[int, int] | None  # span of the detail line in the document
    hit_rank: int


def find_items(question, reading, hits, docs, territory) -> list[Found]:
    """Every item among `hits`, in their order, duplicates (the same name twice) left out."""
    named = question.communes
    dense = [h.signals.get("dense", 0.0) for h in hits]
    kind_of = [_is_kind(docs[h.doc_id], reading.kind) for h in hits]
    in_place = [not named or bool(set(h.places) & named) or bool(set(h.places) & set(question.place_codes))
                for h in hits]
    eligible = [i for i, h in enumerate(hits) if kind_of[i] and in_place[i] and not _synthetic(docs[h.doc_id])
                and _current(docs[h.doc_id], question, reading)]
    qualifier = _discriminative(reading.qualifier, [docs[hits[i].doc_id] for i in eligible], question.lang)
    about = {i: 1.0 if not qualifier else concept_found(
        qualifier, f"{docs[hits[i].doc_id].title}\n{docs[hits[i].doc_id].text}", question.lang,
        docs[hits[i].doc_id].lang) for i in eligible}  # share of the qualifier's words it holds
    named_qualifier = {i: about[i] > 0 for i in eligible}
    anchors = [dense[i] for i in eligible if named_qualifier[i]]
    floor = max(anchors) - BY_MEANING if anchors else MEANING_MIN
    out, seen = [], set()
    for i in eligible:
        doc = docs[hits[i].doc_id]
        place = hits[i].places[0] if hits[i].places else None
        roster = _roster(doc, reading)
        if roster:
            taken = 0
            for a, b, name in roster:
                if reading.qualifier and not concept_found(reading.qualifier, f"{name} {doc.text[a:b]}", question.lang,
                                                           doc.lang):
                    continue
                key = _key(name)
                if key not in seen and not (not named and taken == ROSTER_OPEN):
                    seen.add(key)
                    taken += 1
                    out.append(Found(doc, name, place, (a, b), i))
            continue
        if not named_qualifier[i] and dense[i] < floor:
            continue
        name = item_name(doc.title, territory)
        key = _key(name)
        found = Found(doc, name, place, _detail(doc, question, reading), i)
        if key in seen:
            # The same thing twice, in the first one's place: the record that names the qualifier
            # ("Marseille Saint-Charles — dessertes TGV" for TGV trains), else its main record
            # ("musée X") over a facet of it ("musée X — fréquentation").
            j = next(n for n, f in enumerate(out) if _key(f.name) == key)
            old = about.get(out[j].hit_rank, 1.0)
            if (about[i], " — " not in doc.title) > (old, " — " not in out[j].doc.title):
                out[j] = found
            continue
        seen.add(key)
        out.append(found)
    return out


def over(doc, question) -> bool:
    """A dated document that ended before the day the question is asked, when the question names
    no period reaching into the past."""
    today = getattr(question, "today", None)
    if not doc.start or not today or (question.window and question.window[0] < today):
        return False
    return (doc.end or doc.start)[:10] < today


def _current(doc, question, reading) -> bool:
    """Whether a document may answer as of the day asked (see the module's docstring on events)."""
    dated_kind = reading.kind is not None and reading.kind.dated
    if not doc.start:
        return not (dated_kind and question.window)
    return not (over(doc, question) and (dated_kind or _agenda(doc)))


def _agenda(doc) -> bool:
    """An occurrence from an agenda (iCal, schema.org Event): its source calls it an event."""
    return (doc.extra or {}).get("kind") == "event"


def soonest_first(found: list[Found], question, tz: str) -> list[Found]:
    """Dated items by their start (then their end) in the territory's time, then the undated in
    their order, then those that are over, the latest first."""
    def moment(value):
        day_time = dates.parse(value, tz) if value else None
        return (day_time[0], day_time[1] or time(0)) if day_time else (date.max, time(0))

    def when(f):
        return moment(f.doc.start), moment(f.doc.end or f.doc.start)

    dated = [f for f in found if f.doc.start and dates.parse(f.doc.start, tz)]
    past = sorted((f for f in dated if over(f.doc, question)), key=when, reverse=True)
    coming = sorted((f for f in dated if not over(f.doc, question)), key=when)
    chosen = {id(f) for f in dated}
    return coming + [f for f in found if id(f) not in chosen] + past


def _discriminative(qualifier, candidates, lang: str) -> tuple[str, ...]:
    """The qualifier's words that tell items apart: in "festivales de música electrónica", "música"
    is in most festivals' records, "electrónica" in few. When every word is common, all of them."""
    if not qualifier or len(candidates) < 4:
        return qualifier
    share = {w: sum(concept_found((w,), f"{d.title}\n{d.text}", lang, d.lang) > 0 for d in candidates) / len(candidates)
             for w in qualifier}
    rare = tuple(w for w in qualifier if 0 < share[w] <= COMMON_WORD)
    return rare or qualifier


def item_name(title: str, territory) -> str:
    """"Festival russe (Marseille)" → "Festival russe"; "Musée Ziem (Martigues) — fréquentation" →
    "Musée Ziem": the place is shown apart, the record's facet is not the thing's name."""
    name = title.split(" — ")[0].strip()
    m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", name)
    if m and m.group(1):
        name = m.group(1)
    return name


def _key(name: str) -> str:
    return " ".join(words(name))


def _is_kind(doc, kind) -> bool:
    """What the title or first line names (lexicon.kinds_named); a dated document is an event,
    and one of a dated kind if its text names the kind anywhere."""
    if kind is None:
        return True
    if kind.dated and doc.start and (kind.id == "event" or grams(words(f"{doc.title}\n{doc.text}")) & kind.marks):
        return True
    return kind.id in kinds_named(doc.title, doc.text.split("\n", 1)[0])


def _synthetic(doc) -> bool:
    extra = doc.extra or {}
    return bool(extra.get("synthetic") or extra.get("synthetic_template"))


def _roster(doc, reading) -> list[tuple[int, int, str]]:
    """The lines of a source titled after the kind in the plural ("Lycées de Martigues") that each
    name one item ("LYCEE X (AIX) : UAI …"), as (start, end) of the detail after the name, and
    the name."""
    if reading.kind is None or not titled_plural(doc.title, reading.kind):
        return []
    out = []
    for a, b in sentences(doc.text):
        label, _ = lines.split(doc.text[a:b])
        if label is None or lines.is_field(label):
            continue
        if grams(words(label), 3) & reading.kind.marks:
            value = doc.text.index(":", a) + 1  # the detail is what follows the item's name
            while value < b and doc.text[value].isspace():
                value += 1
            out.append((value, b, label))
    return out



def _detail(doc, question, reading) -> tuple[int, int] | None:
    """The line that tells most about the item for this question: the qualifier's words, the
    focus, else the labels that describe a thing of its kind best."""
    wanted = set(reading.qualifier)
    details = reading.kind.details if reading.kind else frozenset()
    best, best_score = None, 0.0
    for position, (a, b) in enumerate(sentences(doc.text)[1:40], start=1):
        text = doc.text[a:b]
        if lines.is_identifier(text) or (lines.is_web(text) and reading.focus is not Focus.WEBSITE):
            continue
        label, _ = lines.split(text)
        score = (1.0 if wanted and concept_found(tuple(wanted), text, question.lang, doc.lang) > 0 else 0.0)
        score += 0.5 * lines.focus_match(text, reading.focus)
        score += 0.3 if grams(words(label or "")) & details else 0.0
        score -= 0.001 * position  # earlier lines first, all else equal
        if score > best_score:
            best, best_score = (a, b), score
    return best

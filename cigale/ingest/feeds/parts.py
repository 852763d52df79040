"""The parts every feed's documents are built from: ids, local times, plain text, and the
labelled lines ("Date : samedi 31 octobre 2026, 20 h 30") a visitor reads."""

import datetime
import re
from collections.abc import Callable
from typing import NamedTuple
from zoneinfo import ZoneInfo

from cigale.analysis import fold
from cigale.documents import Document
from cigale.errors import SourceError

Locate = Callable[[str], tuple[str, ...]]
DEFAULT_TZ = "Europe/Paris"
# A daily RRULE without end is 365 occurrences a year: each event (one UID, or one schema.org Event's
# periods) yields at most this many documents, the earliest first.
MAX_OCCURRENCES = 100


class Parsed(NamedTuple):
    documents: list[Document]
    skipped: list[SourceError]  # single items left out, each with its reason


class Skip(Exception):
    """One item cannot be used; its message is the reason."""


def slug(partner: str) -> str:
    """The id prefix of a partner's documents: "Office de Tourisme d'Aix" → "office-de-tourisme-d-aix"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(partner)).strip("-") or "partner"


def local_time(value, zone: ZoneInfo):
    """A date stays a date; a datetime moves into the territory's zone (a floating one is read there)."""
    if not isinstance(value, datetime.datetime):
        return value
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)


def moment(value, zone: ZoneInfo) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.combine(value, datetime.time(), zone)


def locate_venue(venue: str | None, locate: Locate | None) -> tuple[str, ...]:
    """Codes of a free-text venue: its last comma-separated parts first, where the locality is
    written ("Le Cri du Port, 8 rue du Pasteur Heuzé, 13003 Marseille"), so that a street named
    after a town ("boulevard d'Aubagne") does not place the event there; else the whole text."""
    if not (venue and locate):
        return ()
    parts = [p.strip() for p in venue.split(",") if p.strip()]
    for part in reversed(parts[1:]):
        if found := tuple(locate(part)):
            return found
    return tuple(locate(venue))


LABELS = {
    # French typography puts a space before the colon (a no-break one in print; a plain one here).
    "fr": {"code": "fr", "date": "Date : ", "venue": "Lieu : ", "organizer": "Organisateur : ",
           "price": "Tarif : ", "address": "Adresse : ", "hours": "Horaires : ", "telephone": "Téléphone : "},
    "en": {"code": "en", "date": "Date: ", "venue": "Venue: ", "organizer": "Organiser: ", "price": "Price: ",
           "address": "Address: ", "hours": "Opening hours: ", "telephone": "Telephone: "},
}
def labels(lang: str | None) -> dict:
    """The labels of a document in `lang`: French, the territory's language, unless the document is
    written in another one; English then, the visitors' common language."""
    return LABELS["en" if lang and lang != "fr" else "fr"]


_MONTHS = {"fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                  "novembre", "décembre"),
           "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")}


DAYS = {"fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}


def when(start, end=None, lang: str = "fr") -> str:
    """A period as a visitor reads it: "samedi 31 octobre 2026, de 20 h 30 à 23 h",
    "du samedi 31 octobre 2026 au lundi 2 novembre 2026", "Saturday 31 October 2026, 8:30 pm"."""
    timed = isinstance(start, datetime.datetime)
    first = f"{_day(start, lang)}, {_clock(start, lang)}" if timed else _day(start, lang)
    if end is None:
        return first
    if timed and isinstance(end, datetime.datetime) and end.date() == start.date():
        return f"{_day(start, lang)}, {clock_range(start, end, lang)}"
    last = f"{_day(end, lang)}, {_clock(end, lang)}" if isinstance(end, datetime.datetime) else _day(end, lang)
    return f"du {first} au {last}" if lang == "fr" else f"from {first} to {last}"


def _day(d: datetime.date, lang: str) -> str:
    number = "1er" if lang == "fr" and d.day == 1 else str(d.day)
    return f"{DAYS[lang][d.weekday()]} {number} {_MONTHS[lang][d.month - 1]} {d.year}"


def _clock(t: datetime.datetime, lang: str) -> str:
    """French "20 h 30", "20 h"; English "8:30 pm", "8 pm"."""
    if lang == "fr":
        return f"{t.hour} h {t.minute:02d}" if t.minute else f"{t.hour} h"
    hour, half = t.hour % 12 or 12, "am" if t.hour < 12 else "pm"
    return f"{hour}:{t.minute:02d} {half}" if t.minute else f"{hour} {half}"


def clock_range(start, end, lang: str) -> str:
    if end is None:
        return _clock(start, lang)
    return f"de {_clock(start, lang)} à {_clock(end, lang)}" if lang == "fr" else \
        f"{_clock(start, lang)} to {_clock(end, lang)}"


_LOOKS_HTML = re.compile(r"<[a-zA-Z/!]|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "section", "article", "blockquote",
               "pre", "hr"}
_LINES = {"br", "div", "li", "tr", "dd", "dt"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain(text: str) -> str:
    """Text without markup: HTML (a feed's summary, a DESCRIPTION some calendars write in HTML)
    becomes its text, blocks on their own lines; spaces are collapsed, paragraphs kept."""
    if _LOOKS_HTML.search(text):
        import lxml.html
        from lxml import etree

        try:
            root = lxml.html.fragment_fromstring(text, create_parent="div")
        except (etree.ParserError, ValueError):
            root = None
        if root is not None:
            for bad in root.xpath("//script|//style|//template|//noscript"):
                bad.drop_tree()
            for element in root.iter():
                tag = element.tag.lower() if isinstance(element.tag, str) else ""
                if tag in _PARAGRAPHS or tag in _LINES:
                    element.tail = ("\n\n" if tag in _PARAGRAPHS else "\n") + (element.tail or "")
            text = root.text_content()
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " "))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def lang_tag(value) -> str | None:
    """`fr-FR`, `FR`, `fr_FR` → `fr`; None when absent or not a language tag."""
    if not isinstance(value, str):
        return None
    m = re.match(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$", value)
    return m.group(1).lower() if m else None


def unique(doc_id: str, seen: set) -> str:
    """Two items with one identity (a listing's events all linking to the listing) stay two
    documents: the later ones get #2, #3…, in the order of the feed, so ids are stable."""
    candidate, n = doc_id, 1
    while candidate in seen:
        n += 1
        candidate = f"{doc_id}#{n}"
    seen.add(candidate)
    return candidate


def describe(exc) -> str:
    if exc is None:
        return "unknown error"
    message = str(exc).strip().split("\n", 1)[0][:200]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__

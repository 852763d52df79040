"""Freshness: how old a document's content is, and whether it is stale for its kind.

A document's age is counted from its last change at the source (`modified`), else its
publication (`published`); one that carries neither has no age and is never stale. Its kind is
what its source said it is (`extra["kind"]`, as the sync writes it: "page" for a web page,
"article" for an RSS or Atom item, "event" for an agenda's occurrence, "place" for a schema.org
place), else "event" for a dated document (one with `start`), "news" for one with only a
publication date, "page" otherwise. The `stale_days` setting gives the age past which each kind
is stale; a kind it does not list never is. Events are not listed by default: whether an event is
current is told by its dates, not by its age (see search.py and answers/lists.py).

Defaults, a convention of ours rather than a measurement: news and articles are stale after 60
days (two months: the news of another season), pages and places after 365 (the yearly review of
a content audit).
Stale content is never filtered out: it is ranked down for time-sensitive questions (search.py)
and listed for the agency (`cigale coverage --stale`).
"""

from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime

from cigale.errors import ConfigError

# Taken from the ranking score (relevance on [0, 1] plus bonuses) of a stale document when the
# question is time-sensitive: as much as the same-language bonus (search.SAME_LANGUAGE_BONUS), so
# it reorders results of close relevance and never buries a clearly better one; half the equity
# tolerance. Chosen, not fitted (the dev set holds no dated content).
STALE_PENALTY = 0.05


@dataclass(frozen=True)
class Stale:
    """A stale document, as the agency's list shows it."""

    id: str
    title: str
    source: str | None  # the partner (the sync writes it), else the provenance
    url: str | None
    kind: str
    age_days: int
    changed: str  # the date its age is counted from (modified, else published)


def limits(setting: str) -> dict[str, int]:
    """"news=60,page=365" → {"news": 60, "page": 365}; a `ConfigError` naming the mistake."""
    out = {}
    for part in filter(None, (p.strip() for p in setting.split(","))):
        kind, _, days = part.partition("=")
        kind, days = kind.strip().lower(), days.strip()
        if not kind or not days.isdigit():
            raise ConfigError(f"Setting stale_days: {part!r} is not kind=days (e.g. news=60,page=365).")
        out[kind] = int(days)
    return out


def kind_of(doc) -> str:
    """What the document is: its source's word for it, else event / news / page by its dates."""
    kind = (doc.extra or {}).get("kind")
    if isinstance(kind, str) and kind.strip():
        return kind.strip().lower()
    if doc.start:
        return "event"
    return "news" if doc.published and not doc.modified else "page"


def changed(doc) -> date | None:
    """The day the content last changed: `modified`, else `published` (ISO, or an RSS date)."""
    for value in (doc.modified, doc.published):
        day = _day(value)
        if day is not None:
            return day
    return None


def age(doc, today: date) -> int | None:
    """Days since the content last changed; None when it carries no date."""
    day = changed(doc)
    return None if day is None else max(0, (today - day).days)


def is_stale(doc, today: date, ages: dict[str, int]) -> bool:
    """Whether `doc` (a Document, or the index's DocInfo, which carries its kind) is stale."""
    days, limit = age(doc, today), ages.get(getattr(doc, "kind", None) or kind_of(doc))
    return days is not None and limit is not None and days > limit


def stale(documents, today: date, ages: dict[str, int]) -> list[Stale]:
    """The stale documents among `documents`, oldest first."""
    out = []
    for doc in documents:
        if is_stale(doc, today, ages):
            out.append(Stale(doc.id, doc.title, doc.source, doc.url, kind_of(doc), age(doc, today),
                             changed(doc).isoformat()))
    return sorted(out, key=lambda s: (-s.age_days, s.id))


def _day(value) -> date | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        pass
    try:  # RFC 2822, as RSS writes it ("Wed, 28 Oct 2026 10:00:00 +0100")
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None

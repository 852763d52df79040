"""iCalendar feeds: one document per occurrence, recurrences expanded."""

import datetime
import hashlib
import re
from zoneinfo import ZoneInfo

from cigale.documents import Document
from cigale.errors import SourceError
from cigale.ingest.feeds.parts import (
    DEFAULT_TZ,
    MAX_OCCURRENCES,
    Locate,
    Parsed,
    Skip,
    describe,
    labels,
    lang_tag,
    local_time,
    locate_venue,
    moment,
    plain,
    slug,
    unique,
    when,
)
from cigale.language import function_words

# What a rule may generate before the cap applies: recurring-ical-events lists every occurrence of
# the window at once, so a rule recurring each second would be millions. A programme repeats at
# most hourly (guided tours); a series recurring more often than this is skipped.
MAX_PER_DAY = 24


def ical_documents(data: bytes, url: str, partner: str, *, today: datetime.date, tz: str = DEFAULT_TZ,
                   past_days: int = 7, horizon_days: int = 365, license: str | None = None,
                   locate: Locate | None = None) -> Parsed:
    """One document per occurrence of each VEVENT between `today - past_days` and `today +
    horizon_days` (an occurrence still under way at the start counts), recurrences expanded
    (RRULE, RDATE, EXDATE, instances overridden by RECURRENCE-ID), at most `MAX_OCCURRENCES` per
    UID.

    id `slug(partner):UID@RECURRENCE-ID`: the slot the occurrence holds in its series (its start,
    or for an overridden instance the start it replaces), so a moved instance is updated, not
    replaced. start/end: dates for all-day events (end inclusive: DTEND is exclusive, RFC 5545
    3.6.1), else datetimes in `tz` (floating times are read in `tz`). title = SUMMARY; text = the
    DESCRIPTION then labelled lines (Date, Lieu = LOCATION, Organisateur = ORGANIZER's CN, Tarif =
    an X- property naming a price: X-PRICE, X-COST, X-TARIF...), in French unless the event is
    declared (LANGUAGE) or written in another language; url = URL, else the feed's; places =
    `locate` on LOCATION's locality; published/modified = CREATED/LAST-MODIFIED; extra {"kind":
    "event", "venue", "organizer", "price"} when known (the price may also come from a "Tarif :"
    or "Tickets:" line of the DESCRIPTION). A series recurring more than `MAX_PER_DAY` times a day
    (FREQ=MINUTELY...) is skipped, as is a series whose DTSTART or RRULE cannot be read.
    Cancelled (STATUS:CANCELLED) and private (CLASS:PRIVATE/CONFIDENTIAL) occurrences are left out.
    """
    import icalendar
    import recurring_ical_events
    import x_wr_timezone

    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR"):
        raise SourceError(url, "not an iCalendar file (it does not start with BEGIN:VCALENDAR)")
    try:
        calendar = x_wr_timezone.to_standard(icalendar.Calendar.from_ical(data))
    except Exception as exc:  # icalendar raises ValueError and friends on a broken or cut file
        raise SourceError(url, f"truncated or malformed iCalendar ({describe(exc)})") from None
    events = calendar.walk("VEVENT")
    if not events:
        raise SourceError(url, "the calendar has no events (no VEVENT)")
    zone = ZoneInfo(tz)
    first = datetime.datetime.combine(today - datetime.timedelta(days=past_days), datetime.time(), zone)
    last = datetime.datetime.combine(today + datetime.timedelta(days=horizon_days), datetime.time.max, zone)
    series: dict[str, list] = {}
    for event in events:  # RFC 5545 requires a UID; a few exporters forget it
        uid = str(event.get("UID") or hashlib.sha256(event.to_ical()).hexdigest()[:16])
        series.setdefault(uid, []).append(event)
    # The language an event is written in decides its labels: its own LANGUAGE, else its series',
    # else the words of the series, else the calendar's (X-WR-CALNAME;LANGUAGE=, or its words).
    calendar_lang = _declared(calendar, "X-WR-CALNAME", "X-WR-CALDESC") or function_words(
        " ".join(_wording(e) for e in events)[:20_000])
    prefix, docs, skipped, seen = slug(partner), [], [], set()
    for uid, components in series.items():
        series_lang = next((lang for c in components if (lang := _declared(c))), None) or \
            function_words(" ".join(_wording(c) for c in components)) or calendar_lang
        one = icalendar.Calendar()
        for component in components:
            one.add_component(component)
        try:
            if (per_day := max(map(_per_day, components))) > MAX_PER_DAY:
                raise Skip(f"recurs {per_day:,} times a day (at most {MAX_PER_DAY} are read)")
            recurring = any(c.get("RRULE") is not None for c in components)
            for start, slot, occurrence in _expand(recurring_ical_events.of(one), first, last, per_day, recurring,
                                                   zone):
                doc_id = unique(f"{prefix}:{uid}@{slot.isoformat()}", seen)
                lang = _declared(occurrence) or series_lang
                docs.append(_occurrence(occurrence, doc_id, start, lang, zone, url, partner, license, locate))
        except Skip as skip:
            skipped.append(SourceError(f"{url}#{uid}", str(skip)))
        except Exception as exc:  # a broken DTSTART or RRULE spoils its series, not the calendar
            skipped.append(SourceError(f"{url}#{uid}", f"event could not be read ({describe(exc)})"))
    return Parsed(docs, skipped)


def _expand(query, first, last, per_day: int, recurring: bool, zone: ZoneInfo) -> list[tuple]:
    """(start, slot, component) of the series' first MAX_OCCURRENCES public occurrences in the
    window. recurring-ical-events builds every occurrence of the span it is asked about (about
    0.2 ms each), so a recurring series is asked about spans that hold about the cap, in turn,
    until the cap is reached: an hourly rule costs 100 occurrences, not 8,928."""
    step = datetime.timedelta(days=-(-MAX_OCCURRENCES // per_day) + 1) if recurring else last - first
    found: dict = {}  # by slot: an occurrence across two spans is listed by both
    since = first
    while since < last and len(found) < MAX_OCCURRENCES:
        until = min(since + step, last)
        for occurrence in query.between(since, until):
            if str(occurrence.get("STATUS", "")).upper() == "CANCELLED" or \
                    str(occurrence.get("CLASS", "")).upper() in ("PRIVATE", "CONFIDENTIAL"):
                continue
            start = local_time(occurrence.get("DTSTART").dt, zone)
            slot = occurrence.get("RECURRENCE-ID")
            slot = local_time(slot.dt, zone) if slot is not None else start
            found.setdefault(slot.isoformat(), (start, slot, occurrence))
        since = until
    return sorted(found.values(), key=lambda o: moment(o[0], zone))[:MAX_OCCURRENCES]


_PER_DAY = {"SECONDLY": 86_400, "MINUTELY": 1_440, "HOURLY": 24}


def _per_day(component) -> int:
    """How many times a day a component's RRULEs recur at most (BYxxx lists multiply them)."""
    rules = component.get("RRULE")
    most = 1
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        freq = str((rule.get("FREQ") or ["DAILY"])[0]).upper()
        interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
        base = max(1, _PER_DAY.get(freq, 1) // interval)
        if freq not in _PER_DAY:  # DAILY and slower: the BY lists pick the times of each day
            base = len(rule.get("BYHOUR") or [0])
        if freq in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY"):
            base *= len(rule.get("BYMINUTE") or [0])
        if freq != "SECONDLY":
            base *= len(rule.get("BYSECOND") or [0])
        most = max(most, base)
    return most


def _declared(component, *keys: str) -> str | None:
    """The language a component's texts declare (RFC 5545 3.2.10, the LANGUAGE parameter)."""
    for key in keys or ("SUMMARY", "DESCRIPTION", "LOCATION"):
        value = component.get(key)
        if value is not None and hasattr(value, "params") and (lang := lang_tag(value.params.get("LANGUAGE"))):
            return lang
    return None


def _wording(component) -> str:
    return f"{component.get('SUMMARY') or ''} {component.get('DESCRIPTION') or ''}"


def _occurrence(event, doc_id: str, start, lang: str | None, zone: ZoneInfo, url: str, partner: str, license,
                locate) -> Document:
    end = event.get("DTEND")
    end = local_time(end.dt, zone) if end is not None else None
    if isinstance(end, datetime.date) and not isinstance(end, datetime.datetime):
        end = max(start, end - datetime.timedelta(days=1))  # DTEND of a whole-day event is exclusive
    if end == start:
        end = None
    summary = plain(str(event.get("SUMMARY") or ""))
    description = plain(str(event.get("DESCRIPTION") or ""))
    venue = plain(str(event.get("LOCATION") or "")).replace("\n", ", ") or None
    organizer = event.get("ORGANIZER")
    organizer = organizer.params.get("CN") if organizer is not None else None
    price = next((plain(str(v)) for k, v in event.items() if k.startswith("X-")
                  and re.search(r"PRICE|COST|TARIF|PRIX", k)), None)
    described_price = _price_line(description)
    words = labels(lang)
    lines = [f"{words['date']}{when(start, end, words['code'])}"]
    lines += [f"{words[k]}{v}" for k, v in (("venue", venue), ("organizer", organizer), ("price", price)) if v]
    text = "\n\n".join(p for p in (description, "\n".join(lines)) if p)
    extra = {"kind": "event", "venue": venue, "organizer": organizer, "price": price or described_price}
    return Document(
        id=doc_id, title=summary or description.split("\n", 1)[0][:120] or venue or doc_id.split(":", 1)[1],
        text=text, url=str(event.get("URL") or url), source=partner, license=license, lang=lang,
        places=locate_venue(venue, locate), published=_ical_stamp(event.get("CREATED"), zone),
        modified=_ical_stamp(event.get("LAST-MODIFIED"), zone), start=start.isoformat(),
        end=end.isoformat() if end else None, extra={k: v for k, v in extra.items() if v},
    )


def _ical_stamp(prop, zone: ZoneInfo) -> str | None:
    if prop is None:
        return None
    try:
        return local_time(prop.dt, zone).isoformat()
    except Exception:  # a broken CREATED costs the date, not the event
        return None


_PRICE_LINE = re.compile(r"^\s*(?:tarifs?|prix|entrée|billets?|price|prices|admission|fees?|tickets?)\s*:\s*(.+)$",
                         re.IGNORECASE | re.MULTILINE)


def _price_line(text: str) -> str | None:
    m = _PRICE_LINE.search(text)
    return m.group(1).strip() if m else None

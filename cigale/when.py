"""Time expressions in questions, as date windows: "ce week-end", "demain soir", "samedi
prochain", "en juillet", "cet été", "this weekend", "next Saturday", "tonight".

A small grammar of our own rather than a general date parser: a question names a period
relative to today far more often than an absolute date, and the few forms a visitor uses are
known; each one is a rule below, tested. Windows are inclusive and in the territory's calendar
(Europe/Paris unless the pack says otherwise). "Today" is the `today` setting when given (tests,
demos), else the date in that time zone.

Decisions: a bare weekday ("samedi") is its next occurrence, today included; with "prochain" /
"next" it is strictly after today. On a weekday, "ce week-end" and "le week-end prochain" are the
coming Saturday and Sunday; during a weekend, "ce week-end" is what is left of it and "prochain"
the one after. A month or season already over this year means next year's; one under way
starts today. Seasons are meteorological (summer: June to August). The past is named only
explicitly: a year ("en juillet 2025"), or "hier soir", "samedi dernier", "le week-end dernier",
"la semaine dernière", "le mois dernier", "l'an dernier" (the whole calendar year before), and their
English forms; months, seasons and the weekend are also read in Italian, Spanish and German
("a luglio", "en verano", "dieses Wochenende"); such a window is what lets a question reach
events that are over (search.py).

A question is *timely* when what it asks changes with time: it names a period, or it asks for the
news or what is on ("actualités", "quoi de neuf", "what's on", "en ce moment"). Freshness counts
for those (freshness.py).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cigale.analysis import fold
from cigale.errors import ConfigError

MONTHS_IT = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
             "novembre", "dicembre")
MONTHS = {
    **{m: i for i, m in enumerate(("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
                                    "septembre", "octobre", "novembre", "decembre"), start=1)},
    **{m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                    "september", "october", "november", "december"), start=1)},
    **{m: i for i, m in enumerate(MONTHS_IT, start=1)},
    **{m: i for i, m in enumerate(("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                                    "septiembre", "octubre", "noviembre", "diciembre"), start=1)},
    "setiembre": 9,  # Spanish spelling too
    **{m: i for i, m in enumerate(("januar", "februar", "marz", "april", "mai", "juni", "juli", "august",
                                    "september", "oktober", "november", "dezember"), start=1)},
}
DAYS = {**{d: i for i, d in enumerate(("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"))},
        **{d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                        "sunday"))}}
SEASONS = {"printemps": 3, "spring": 3, "ete": 6, "summer": 6, "automne": 9, "autumn": 9, "fall": 9,
           "hiver": 12, "winter": 12, "primavera": 3, "estate": 6, "autunno": 9, "inverno": 12, "verano": 6,
           "otono": 9, "invierno": 12, "fruhling": 3, "sommer": 6, "herbst": 9}  # first month of each season

_MONTH = "|".join(MONTHS)
_DAY = "|".join(DAYS)
_SEASON = "|".join(s for s in SEASONS if s != "estate")  # English "estate": only in Italian's own rule
_MONTH_IT = "|".join(MONTHS_IT)
_SEASON_IT = "primavera|estate|autunno|inverno"
# Rules over the folded question (lower case, no accents), most specific first.
RULES = [
    ("date", re.compile(rf"\b(?:le\s+)?(\d{{1,2}})(?:er)?\s+({_MONTH})(?:\s+(\d{{4}}))?\b")),
    ("date_en", re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b")),
    ("last_year", re.compile(r"\bl\s*'?\s*an(?:nee)? derni(?:er|ere)\b|\blast year\b")),
    ("last_weekend", re.compile(r"\b(?:le\s+)?week[\s-]?end dernier\b|\blast week[\s-]?end\b")),
    ("last_week", re.compile(r"\bla semaine derniere\b|\blast week\b")),
    ("last_month", re.compile(r"\ble mois dernier\b|\blast month\b")),
    # Plain "hier" is also German for "here": only with its time of day.
    ("yesterday", re.compile(r"\bhier (?:soir|matin|apres[\s-]midi)\b|\byesterday\b")),
    ("after_tomorrow", re.compile(r"\bapres[\s-]demain\b|\bday after tomorrow\b")),
    ("tomorrow", re.compile(r"\bdemain\b|\btomorrow\b")),
    ("today", re.compile(r"\baujourd\s*'?\s*hui\b|\bce soir\b|\bcet apres[\s-]midi\b|\bce matin\b|\btoday\b"
                         r"|\btonight\b|\bthis (?:evening|afternoon|morning)\b")),
    ("next_weekend", re.compile(r"\b(?:le\s+)?week[\s-]?end prochain\b|\bnext week[\s-]?end\b")),
    ("weekend", re.compile(r"\b(?:ce|le|this|the)\s+week[\s-]?end\b|\bcette fin de semaine\b"
                           r"|\b(?:questo|il) fine settimana\b|\b(?:este|el) fin de semana\b"
                           r"|\b(?:dieses|am) wochenende\b")),
    ("next_week", re.compile(r"\bla semaine prochaine\b|\bnext week\b")),
    ("week", re.compile(r"\bcette semaine\b|\bthis week\b")),
    ("next_month", re.compile(r"\ble mois prochain\b|\bnext month\b")),
    ("month_now", re.compile(r"\bce mois[\s-]ci\b|\bce mois\b|\bthis month\b")),
    ("last_day", re.compile(rf"\b({_DAY}) dernier\b|\blast ({_DAY})\b")),
    ("next_day", re.compile(rf"\b({_DAY}) prochain\b|\bnext ({_DAY})\b")),
    ("day", re.compile(rf"\b(?:ce |on |this )?({_DAY})\b")),
    ("month", re.compile(rf"\b(?:en|in|au mois de|mois de|during|d|im|del mes de)(?:\s+|\s*'\s*)({_MONTH})"
                         rf"(?:\s+(\d{{4}}))?\b")),
    # Italian "a luglio", "ad agosto": only Italian months after "a", which is English too ("a march").
    ("month", re.compile(rf"\b(?:a|ad)\s+({_MONTH_IT})(?:\s+(\d{{4}}))?\b")),
    ("season", re.compile(rf"\b(?:cet|ce|cette|en|l|au|this|in|next|este|en el|diesen|im)(?:\s+|\s*'\s*)"
                          rf"({_SEASON})\b")),
    ("season", re.compile(rf"\b(?:questa|quest|d)(?:\s+|\s*'\s*)({_SEASON_IT})\b")),  # "quest'estate"
]


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # inclusive
    phrase: str  # the words of the question it came from (folded)

    def iso(self) -> tuple[str, str]:
        return self.start.isoformat(), self.end.isoformat()


DEFAULT_TZ = "Europe/Paris"  # a pack without a time zone


def today(setting: str = "", tz: str = DEFAULT_TZ) -> date:
    """The `today` setting (YYYY-MM-DD) when given, else the date now in the territory."""
    if setting:
        try:
            return date.fromisoformat(setting)
        except ValueError:
            raise ConfigError(f"Setting today: {setting!r} is not a date (YYYY-MM-DD).") from None
    return datetime.now(ZoneInfo(tz)).date()


def window(question: str, on: date) -> Window | None:
    """The period `question` names, relative to the day `on`; None when it names none."""
    text = fold(" ".join(question.split()))
    for name, rule in RULES:
        m = rule.search(text)
        if m is None:
            continue
        got = _RESOLVE[name](m, on)
        if got is not None:
            return Window(got[0], got[1], m.group(0).strip())
    return None


# Questions about what is current: the news, what is on (folded text, see `timely`).
TIMELY = re.compile(r"\b(?:actualites?|actus?|nouvelles|news|quoi de neuf|what\s*['\u2019]?\s*s new|latest|"
                    r"en ce moment|actuellement|currently|right now|what\s*['\u2019]?\s*s on|whats on|"
                    r"a l\s*'?\s*affiche|agenda|on now)\b")


def timely(question: str) -> bool:
    """Whether `question` asks about what is current: it names a period, or the news, what is on."""
    text = fold(" ".join(question.split()))
    return bool(TIMELY.search(text)) or any(rule.search(text) for _, rule in RULES)


def _same_day(d: date) -> tuple[date, date]:
    return d, d


def _weekend(on: date, later: bool) -> tuple[date, date]:
    if on.weekday() >= 5:  # Saturday or Sunday
        sunday = on + timedelta(days=6 - on.weekday())
        return (sunday + timedelta(days=6), sunday + timedelta(days=7)) if later else (on, sunday)
    saturday = on + timedelta(days=5 - on.weekday())
    return saturday, saturday + timedelta(days=1)


def _last_weekend(on: date) -> tuple[date, date]:
    """The weekend before this one: during a weekend, the one before it."""
    saturday = on - timedelta(days=(on.weekday() - 5) % 7 + (7 if on.weekday() >= 5 else 0))
    return saturday, saturday + timedelta(days=1)


def _day(m, on: date, strictly_after: bool) -> tuple[date, date]:
    wanted = DAYS[next(g for g in m.groups() if g)]
    ahead = (wanted - on.weekday()) % 7
    if ahead == 0 and strictly_after:
        ahead = 7
    return _same_day(on + timedelta(days=ahead))


def _last_day(m, on: date) -> tuple[date, date]:
    wanted = DAYS[next(g for g in m.groups() if g)]
    return _same_day(on - timedelta(days=(on.weekday() - wanted - 1) % 7 + 1))


def _month_span(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _month(m, on: date) -> tuple[date, date]:
    month = MONTHS[m.group(1)]
    if m.group(2):
        return _month_span(int(m.group(2)), month)
    year = on.year + (month < on.month)
    start, end = _month_span(year, month)
    return max(start, on), end


def _season(m, on: date) -> tuple[date, date]:
    first = SEASONS[m.group(1)]
    for year in (on.year - 1, on.year, on.year + 1):  # winter starts in December of the year before
        start = date(year, first, 1)
        end = _month_span(year + (first + 2 > 12), (first + 1) % 12 + 1)[1]
        if end >= on and not (m.group(0).startswith("next") and start <= on):
            return max(start, on), end
    return None


def _date(day: int, month: int, year: str | None, on: date):
    try:
        if year:
            return _same_day(date(int(year), month, day))
        got = date(on.year, month, day)
        return _same_day(got if got >= on else date(on.year + 1, month, day))
    except ValueError:  # "31 février": not a date
        return None


_RESOLVE = {
    "date": lambda m, on: _date(int(m.group(1)), MONTHS[m.group(2)], m.group(3), on),
    "date_en": lambda m, on: _date(int(m.group(2)), MONTHS[m.group(1)], m.group(3), on),
    "last_year": lambda m, on: (date(on.year - 1, 1, 1), date(on.year - 1, 12, 31)),
    "last_weekend": lambda m, on: _last_weekend(on),
    "last_week": lambda m, on: (on - timedelta(days=7 + on.weekday()), on - timedelta(days=1 + on.weekday())),
    "last_month": lambda m, on: _month_span(on.year - (on.month == 1), (on.month - 2) % 12 + 1),
    "yesterday": lambda m, on: _same_day(on - timedelta(days=1)),
    "after_tomorrow": lambda m, on: _same_day(on + timedelta(days=2)),
    "tomorrow": lambda m, on: _same_day(on + timedelta(days=1)),
    "today": lambda m, on: _same_day(on),
    "next_weekend": lambda m, on: _weekend(on, later=True),
    "weekend": lambda m, on: _weekend(on, later=False),
    "next_week": lambda m, on: (on + timedelta(days=7 - on.weekday()), on + timedelta(days=13 - on.weekday())),
    "week": lambda m, on: (on, on + timedelta(days=6 - on.weekday())),
    "next_month": lambda m, on: _month_span(on.year + on.month // 12, on.month % 12 + 1),
    "month_now": lambda m, on: (on, _month_span(on.year, on.month)[1]),
    "last_day": lambda m, on: _last_day(m, on),
    "next_day": lambda m, on: _day(m, on, strictly_after=True),
    "day": lambda m, on: _day(m, on, strictly_after=False),
    "month": _month,
    "season": _season,
}

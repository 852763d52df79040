"""Dates as an answer writes them, in the question's language: "samedi 31 octobre, 20 h 30",
"Saturday 31 October, 8:30 pm", "du samedi 31 octobre au dimanche 1er novembre", "du vendredi 3 au
dimanche 5 juillet".

Conventions: French and English typography as their style guides write them (Imprimerie
nationale: "1er", "20 h 30"; British English: day before month, "8:30 pm"); Italian, Spanish and
German on the 24-hour clock. The year is written only when it is not the current one. A time is
written for an event of one day when its source gives one (midnight is taken as "no time"); an
event that ends before 6 in the morning of the next day is one evening, not two days.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
           "novembre", "dicembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
           "Dezember"),
}
DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "it": ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
}
# A range of days, and one day named after a preposition ("le samedi 31 octobre", "on Saturday…").
RANGE = {"fr": "du {a} au {b}", "en": "{a} to {b}", "it": "da {a} a {b}", "es": "del {a} al {b}",
         "de": "{a} bis {b}"}
FRAMED_RANGE = {"fr": "du {a} au {b}", "en": "from {a} to {b}", "it": "da {a} a {b}", "es": "del {a} al {b}",
                "de": "von {a} bis {b}"}
FRAMED_DAY = {"fr": "le {a}", "en": "on {a}", "it": "{a}", "es": "el {a}", "de": "am {a}"}
NIGHT_ENDS = time(6)  # an end before this, the day after the start, is still the start's evening


def parse(value: str, tz: str) -> tuple[date, time | None] | None:
    """An ISO date or date-time → its day and its time of day in the territory (None: no time)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            return date.fromisoformat(value.strip()[:10]), None
        except ValueError:
            return None
    if len(value.strip()) <= 10:
        return moment.date(), None
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(tz))
    clock = moment.time().replace(second=0, microsecond=0, tzinfo=None)
    return moment.date(), (clock if clock != time(0) else None)


def day(d: date, lang: str, today: date | None) -> str:
    """"samedi 31 octobre", "Saturday 31 October", "Samstag, 31. Oktober", and the year when it is not
    `today`'s (always, without `today`)."""
    lang = lang if lang in MONTHS else "en"
    weekday, month = DAYS[lang][d.weekday()], MONTHS[lang][d.month - 1]
    n = {"fr": "1er", "it": "1º"}.get(lang, "1") if d.day == 1 else str(d.day)
    year = f" {d.year}" if today is None or d.year != today.year else ""
    if lang == "es":
        return f"{weekday} {n} de {month}{' de' + year if year else ''}"
    if lang == "de":
        return f"{weekday}, {n}. {month}{year}"
    return f"{weekday} {n} {month}{year}"


def _weekday_number(d: date, lang: str) -> str:
    """"vendredi 3", "Friday 3", "Freitag, 3.": a day whose month follows."""
    n = {"fr": "1er", "it": "1º"}.get(lang, "1") if d.day == 1 else str(d.day)
    return f"{DAYS[lang][d.weekday()]}, {n}." if lang == "de" else f"{DAYS[lang][d.weekday()]} {n}"


def clock(t: time, lang: str) -> str:
    """"20 h 30", "8:30 pm", "20:30"."""
    if lang == "fr":
        return f"{t.hour} h {t.minute:02d}" if t.minute else f"{t.hour} h"
    if lang in ("it", "es", "de"):
        return f"{t.hour}:{t.minute:02d}"
    hour, half = t.hour % 12 or 12, "am" if t.hour < 12 else "pm"
    return f"{hour}:{t.minute:02d} {half}" if t.minute else f"{hour} {half}"


def span(first: date, last: date, lang: str, today: date | None, at: time | None = None,
         framed: bool = False) -> str:
    """One day (with its time `at`, if any) or a range of days; `framed`: with the preposition that
    introduces it in a sentence ("le samedi 31 octobre", "from … to …")."""
    lang = lang if lang in MONTHS else "en"
    if last <= first:
        text = day(first, lang, today) + (f", {clock(at, lang)}" if at else "")
        return (FRAMED_DAY[lang] if framed else "{a}").format(a=text)
    # The month and the year written once when both days share them: "du vendredi 3 au dimanche
    # 5 juillet 2027".
    same_year = first.year == last.year
    a = day(first, lang, today if not same_year else first)
    if same_year and first.month == last.month:
        a = _weekday_number(first, lang)
    b = day(last, lang, today)
    return (FRAMED_RANGE if framed else RANGE)[lang].format(a=a, b=b)


def event(start: str, end: str | None, lang: str, today: date | None, tz: str) -> str | None:
    """When an event takes place, as an answer writes it; None when its start is not a date.
    Without `today` (an event that is over), the year is always written."""
    begins = parse(start, tz)
    if begins is None:
        return None
    ends = parse(end, tz) if end else None
    first, at = begins
    last = ends[0] if ends else first
    if ends and last == first + timedelta(days=1) and ends[1] is not None and ends[1] < NIGHT_ENDS:
        last = first  # 20:30 to 1:00: one evening
    return span(first, max(first, last), lang, today, at if last <= first else None)

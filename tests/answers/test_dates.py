"""Dates as answers write them, in the question's language, relative to the day asked."""

from datetime import date

import pytest

from cigale.answers.dates import event, span

WEDNESDAY = date(2026, 10, 28)
TZ = "Europe/Paris"


@pytest.mark.parametrize("lang, expected", [
    ("fr", "samedi 31 octobre, 20 h 30"),
    ("en", "Saturday 31 October, 8:30 pm"),
    ("it", "sabato 31 ottobre, 20:30"),
    ("es", "sábado 31 de octubre, 20:30"),
    ("de", "Samstag, 31. Oktober, 20:30"),
])
def test_one_evening_with_its_time(lang, expected):
    assert event("2026-10-31T20:30", "2026-10-31T23:00", lang, WEDNESDAY, TZ) == expected


@pytest.mark.parametrize("start, end, lang, expected", [
    ("2026-10-31", "2026-11-01", "fr", "du samedi 31 octobre au dimanche 1er novembre"),  # across a month end
    ("2026-10-31", "2026-11-01", "en", "Saturday 31 October to Sunday 1 November"),
    ("2027-07-09", "2027-07-11", "fr", "du vendredi 9 au dimanche 11 juillet 2027"),  # month and year once
    ("2026-12-31", "2027-01-01", "fr", "du jeudi 31 décembre au vendredi 1er janvier 2027"),  # across a year end
    ("2026-10-31T21:00", "2026-11-01T01:00", "fr", "samedi 31 octobre, 21 h"),  # ends after midnight: one evening
    ("2026-11-01", None, "fr", "dimanche 1er novembre"),  # a day without a time
    ("2026-10-31T19:30:00Z", None, "fr", "samedi 31 octobre, 20 h 30"),  # in the territory's time
    ("2026-10-31T12:00", None, "en", "Saturday 31 October, 12 pm"),
])
def test_days_and_ranges(start, end, lang, expected):
    assert event(start, end, lang, WEDNESDAY, TZ) == expected


def test_the_year_is_written_when_it_is_not_this_one_or_always_without_today():
    assert event("2027-01-09", None, "en", WEDNESDAY, TZ) == "Saturday 9 January 2027"
    assert event("2026-08-14", "2026-08-16", "fr", None, TZ) == "du vendredi 14 au dimanche 16 août 2026"
    assert event("not a date", None, "fr", WEDNESDAY, TZ) is None


def test_a_period_in_a_sentence_takes_its_preposition():
    assert span(date(2026, 10, 31), date(2026, 11, 1), "fr", WEDNESDAY, framed=True) == \
        "du samedi 31 octobre au dimanche 1er novembre"
    assert span(date(2026, 10, 31), date(2026, 11, 1), "en", WEDNESDAY, framed=True) == \
        "from Saturday 31 October to Sunday 1 November"
    assert span(date(2026, 10, 31), date(2026, 10, 31), "fr", WEDNESDAY, framed=True) == "le samedi 31 octobre"
    assert span(date(2026, 10, 31), date(2026, 10, 31), "en", WEDNESDAY, framed=True) == "on Saturday 31 October"

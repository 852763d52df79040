"""Time expressions in questions become date windows, relative to a fixed "today"."""

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cigale.errors import ConfigError
from cigale.when import timely, today, window

WEDNESDAY = date(2026, 7, 15)


def span(question, on=WEDNESDAY):
    w = window(question, on)
    return None if w is None else (w.start, w.end)


@pytest.mark.parametrize("question, expected", [
    ("Que faire ce week-end à Cassis ?", (date(2026, 7, 18), date(2026, 7, 19))),
    ("what's on this weekend in Aubagne?", (date(2026, 7, 18), date(2026, 7, 19))),
    ("concerts le week-end prochain", (date(2026, 7, 18), date(2026, 7, 19))),
    ("un concert demain soir à Marseille ?", (date(2026, 7, 16), date(2026, 7, 16))),
    ("tonight in Aix", (WEDNESDAY, WEDNESDAY)),
    ("aujourd'hui à Istres", (WEDNESDAY, WEDNESDAY)),
    ("après-demain", (date(2026, 7, 17), date(2026, 7, 17))),
    ("samedi prochain à La Ciotat", (date(2026, 7, 18), date(2026, 7, 18))),
    ("next Saturday", (date(2026, 7, 18), date(2026, 7, 18))),
    ("mercredi prochain", (date(2026, 7, 22), date(2026, 7, 22))),  # strictly after today
    ("mercredi", (WEDNESDAY, WEDNESDAY)),  # a bare weekday: today counts
    ("cette semaine", (WEDNESDAY, date(2026, 7, 19))),
    ("next week", (date(2026, 7, 20), date(2026, 7, 26))),
    ("festivals en juillet", (WEDNESDAY, date(2026, 7, 31))),  # under way: from today
    ("festivals in August", (date(2026, 8, 1), date(2026, 8, 31))),
    ("marchés de Noël en décembre", (date(2026, 12, 1), date(2026, 12, 31))),
    ("fêtes en mai", (date(2027, 5, 1), date(2027, 5, 31))),  # over this year: next year's
    ("en juin 2028", (date(2028, 6, 1), date(2028, 6, 30))),
    ("festival a luglio", (WEDNESDAY, date(2026, 7, 31))),  # Italian, Spanish, German months and seasons
    ("museo ad agosto", (date(2026, 8, 1), date(2026, 8, 31))),
    ("festivales en agosto", (date(2026, 8, 1), date(2026, 8, 31))),
    ("Festivals im August", (date(2026, 8, 1), date(2026, 8, 31))),
    ("conciertos este verano", (WEDNESDAY, date(2026, 8, 31))),
    ("Konzerte im Herbst", (date(2026, 9, 1), date(2026, 11, 30))),
    ("cosa fare questo fine settimana?", (date(2026, 7, 18), date(2026, 7, 19))),
    ("was ist los dieses Wochenende?", (date(2026, 7, 18), date(2026, 7, 19))),
    ("que faire cet été ?", (WEDNESDAY, date(2026, 8, 31))),
    ("this winter", (date(2026, 12, 1), date(2027, 2, 28))),
    ("next summer", (date(2027, 6, 1), date(2027, 8, 31))),
    ("le 14 juillet", (date(2027, 7, 14), date(2027, 7, 14))),  # passed: next year's
    ("le 1er août", (date(2026, 8, 1), date(2026, 8, 1))),
    ("July 20th", (date(2026, 7, 20), date(2026, 7, 20))),
    ("le mois prochain", (date(2026, 8, 1), date(2026, 8, 31))),
    ("ce mois-ci", (WEDNESDAY, date(2026, 7, 31))),
])
def test_each_expression_names_its_window(question, expected):
    assert span(question) == expected


@pytest.mark.parametrize("on, expected", [
    (date(2026, 7, 31), (date(2026, 8, 1), date(2026, 8, 2))),  # a Friday: the weekend is next month's
    (date(2026, 10, 31), (date(2026, 10, 31), date(2026, 11, 1))),  # a Saturday: across the month end
    (date(2026, 12, 31), (date(2027, 1, 2), date(2027, 1, 3))),  # and across the year's
    (date(2026, 8, 2), (date(2026, 8, 2), date(2026, 8, 2))),  # a Sunday: what is left of it
])
def test_a_weekend_may_span_a_month_or_a_year_end(on, expected):
    assert span("ce week-end", on) == expected


@pytest.mark.parametrize("question, expected", [
    ("concerts le week-end dernier", (date(2026, 7, 11), date(2026, 7, 12))),
    ("last weekend in Aix", (date(2026, 7, 11), date(2026, 7, 12))),
    ("samedi dernier", (date(2026, 7, 11), date(2026, 7, 11))),
    ("last Wednesday", (date(2026, 7, 8), date(2026, 7, 8))),  # strictly before today
    ("hier soir à Marseille", (date(2026, 7, 14), date(2026, 7, 14))),
    ("yesterday", (date(2026, 7, 14), date(2026, 7, 14))),
    ("la semaine dernière", (date(2026, 7, 6), date(2026, 7, 12))),
    ("le mois dernier", (date(2026, 6, 1), date(2026, 6, 30))),
    ("festivals l'an dernier", (date(2025, 1, 1), date(2025, 12, 31))),
    ("last year", (date(2025, 1, 1), date(2025, 12, 31))),
    ("en juillet 2025", (date(2025, 7, 1), date(2025, 7, 31))),
])
def test_the_past_is_named_explicitly(question, expected):
    assert span(question) == expected


def test_last_weekend_during_a_weekend_is_the_one_before():
    assert span("le week-end dernier", date(2026, 11, 1)) == (date(2026, 10, 24), date(2026, 10, 25))
    assert span("le mois dernier", date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))


def test_plain_hier_is_german_for_here():
    assert window("Was kann man hier machen?", WEDNESDAY) is None


@pytest.mark.parametrize("question, expected", [
    ("actualités de la métropole", True), ("quoi de neuf à Aubagne ?", True), ("what's on in Marseille?", True),
    ("concerts ce week-end", True), ("en ce moment à Cassis", True), ("latest news from Aix", True),
    ("quels musées à Martigues ?", False), ("festivals de jazz", False),
])
def test_a_question_about_what_is_current_is_timely(question, expected):
    assert timely(question) is expected


def test_during_a_weekend_the_next_one_is_a_week_later():
    assert span("le week-end prochain", date(2026, 10, 31)) == (date(2026, 11, 7), date(2026, 11, 8))


@pytest.mark.parametrize("question", ["Combien d'habitants à Aubagne ?", "Le musée a été créé en 1980",
                                      "Quels musées à Martigues ?", "le 31 février", "Who runs the CEREGE?",
                                      # words of other languages that look like periods
                                      "Is there a march in Marseille?", "a may festival", "jardin d'hiver",
                                      "sports d'hiver", "tell me about this estate", "université d'été"])
def test_no_time_expression_no_window(question):
    assert window(question, WEDNESDAY) is None


def test_today_is_the_setting_when_given():
    assert today("2026-02-28") == date(2026, 2, 28)
    assert isinstance(today(), date)
    with pytest.raises(ConfigError, match="not a date"):
        today("demain")


PIECES = ["ce", "le", "week-end", "weekend", "prochain", "next", "this", "samedi", "Sunday", "en", "in", "juillet",
          "February", "cet", "été", "winter", "hiver", "1er", "31", "29", "demain", "tonight", "semaine", "mois",
          "ci", "-", "'", "?", "à", "Cassis", "2027", "dernier", "dernière", "last", "hier", "soir", "an", "l'",
          "year", "yesterday"]
texts = st.one_of(st.text(), st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join))


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(texts, st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_any_text_gives_no_window_or_one_that_is_not_over(text, on):
    w = window(text, on)
    if w is not None:
        year = re.search(r"\ban|\byear\b", w.phrase)  # "l'an dernier", "last year": a calendar year
        assert w.start <= w.end and (w.end - w.start).days < (366 if year else 93)
        past = re.search(r"\d{4}|dernier|derniere|last|hier|yesterday", w.phrase)  # the past, named explicitly
        if past and not re.search(r"\d{4}", w.phrase):
            assert w.end < on
        elif not past:
            assert w.start >= on


# In the search: a period named leaves out what is dated outside it, and nothing undated.

@pytest.fixture
def on_july_first(data_dir):
    from cigale import Engine, Settings

    engine = Engine.open(settings=Settings.load(environ={}, data_dir=data_dir, today="2026-07-01"))
    yield engine
    engine.close()


def found(engine, question) -> list[str]:
    return [h.doc_id for h in engine.search(question, k=10)]


def test_events_outside_the_period_asked_are_left_out(on_july_first):
    # Wednesday 1 July 2026: this weekend is 4-5 July; Vitrolles's festival runs 3-5 July, Marseille's 15-25.
    weekend = found(on_july_first, "festivals de jazz ce week-end")
    assert "fest-jazz-vitrolles" in weekend and "fest-jazz-marseille" not in weekend
    july = found(on_july_first, "festivals de jazz en juillet")
    assert {"fest-jazz-vitrolles", "fest-jazz-marseille"} <= set(july)


def test_what_carries_no_date_stays_and_past_events_go(on_july_first, data_dir):
    from cigale import Engine, Settings

    assert "fest-piano" in found(on_july_first, "festival de piano ce week-end")  # no dates: kept
    later = Engine.open(settings=Settings.load(environ={}, data_dir=data_dir, today="2026-08-01"))
    try:
        assert not {"fest-jazz-vitrolles", "fest-jazz-marseille"} & set(found(later, "festivals de jazz cet été"))
        assert "fest-jazz-vitrolles" in found(later, "festivals de jazz")  # no period named: the record is found
        assert "fest-jazz-vitrolles" not in found(later, "festivals de jazz en ce moment")  # what is on: from today
        assert "fest-jazz-vitrolles" in found(later, "festivals de jazz en juillet 2026")  # a past period named
    finally:
        later.close()

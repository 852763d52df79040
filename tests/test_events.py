"""Events: what a time question finds on a fixed "today", what is over, and the event answer —
soonest first, each with its dates, place and citation, the territory shared fairly on an open
question, and an honest "no event" when the period holds none.

Today is Wednesday 28 October 2026: "ce week-end" is Saturday 31 October and Sunday 1 November,
a weekend across a month end; last weekend was 24-25 October, the next one is 7-8 November.
"""

import pytest

from cigale import Engine, Settings
from cigale.documents import Document
from cigale.equity import attribute

TODAY = "2026-10-28"
AGENDA = "Test partner: Office de tourisme"


def event(id, title, text, insee, start, end=None, venue=None, price=None):
    extra = {"kind": "event", **({"venue": venue} if venue else {}), **({"price": price} if price else {})}
    return Document(id, title, text, url=f"https://agenda.example.org/{id}", source=AGENDA, lang="fr",
                    places=(insee,), theme="culture/agenda", start=start, end=end, extra=extra)


# Hand-written for these tests: an agenda around the weekend of 31 October 2026.
EVENTS = [
    event("concert-aubagne-samedi", "Jazz au Comoedia", "Concert de jazz du quartet Méditerranée au théâtre "
          "Comoedia d'Aubagne.", "13005", "2026-10-31T20:30", "2026-10-31T23:00", venue="Théâtre Comoedia",
          price="12 €"),
    event("concert-aubagne-passe", "Rock au Comoedia", "Concert de rock au théâtre Comoedia d'Aubagne.", "13005",
          "2026-10-24T21:00", "2026-10-24T23:30", venue="Théâtre Comoedia"),
    event("concert-aubagne-decembre", "Chorale de Noël", "Concert de chants de Noël en l'église Saint-Sauveur "
          "d'Aubagne.", "13005", "2026-12-19T18:00", venue="Église Saint-Sauveur"),
    event("fete-marseille-dimanche", "Fête de la châtaigne", "Fête de la châtaigne sur la Canebière à Marseille : "
          "marché, animations et concert.", "13201", "2026-11-01T10:00", "2026-11-01T18:00", venue="La Canebière"),
    event("marche-marseille-samedi", "Marché des créateurs", "Marché des créateurs et animations au Panier, "
          "à Marseille.", "13202", "2026-10-31", "2026-10-31"),
    event("bal-marseille-samedi", "Bal d'Halloween", "Bal costumé et concert pour Halloween à l'Estaque, "
          "Marseille.", "13216", "2026-10-31T19:00", "2026-11-01T01:00", venue="Salle de l'Estaque"),
    event("cine-marseille-dimanche", "Ciné-goûter", "Projection et goûter pour enfants au cinéma du Prado, "
          "Marseille.", "13208", "2026-11-01T15:00"),
    event("concert-marseille-prochain", "Orchestre au Silo", "Concert symphonique au Silo de Marseille.", "13202",
          "2026-11-07T20:00", venue="Le Silo"),
    event("concert-marseille-passe", "Fanfare du Vieux-Port", "Concert de fanfare sur le Vieux-Port de Marseille.",
          "13201", "2026-10-25T17:00"),
    event("concert-aix-jeudi", "Récital au Grand Théâtre", "Concert de piano au Grand Théâtre de Provence, "
          "Aix-en-Provence.", "13001", "2026-10-29T20:00", venue="Grand Théâtre de Provence"),
    event("expo-aix-weekend", "Portes ouvertes des ateliers", "Portes ouvertes des ateliers d'artistes et "
          "animations à Aix-en-Provence.", "13001", "2026-10-31", "2026-11-01"),
    event("cine-ciotat-samedi", "Ciné-concert à l'Eden", "Ciné-concert au cinéma Eden de La Ciotat, le plus "
          "ancien cinéma du monde.", "13028", "2026-10-31T18:00", venue="Eden Théâtre"),
    event("foire-salon-samedi", "Foire aux santons", "Foire aux santons et animations sur la place de l'Hôtel de "
          "ville de Salon-de-Provence.", "13103", "2026-10-31", "2026-10-31"),
    event("regates-martigues-dimanche", "Régates de la Toussaint", "Régates et animations sur le canal de "
          "Martigues.", "13056", "2026-11-01T09:00", "2026-11-01T17:00"),
    event("festival-istres-juillet", "Festival d'été d'Istres", "Festival de concerts en plein air au théâtre "
          "de l'Olivier à Istres.", "13047", "2027-07-09", "2027-07-11", venue="Théâtre de l'Olivier"),
    event("festival-istres-juillet-passe", "Festival d'été d'Istres 2026", "Festival de concerts en plein air au "
          "théâtre de l'Olivier à Istres.", "13047", "2026-07-10", "2026-07-12", venue="Théâtre de l'Olivier"),
    # A festival's record (not an agenda's occurrence) with the dates of its last edition.
    Document("festival-argile", "Festival de l'argile (Aubagne)", "Festival de l'argile — festival à Aubagne.\n"
             "Période principale de déroulement : août", source="Test partner: Ville d'Aubagne", lang="fr",
             places=("13005",), theme="culture/festival", start="2026-08-14", end="2026-08-16"),
    # Undated: a place, not an event.
    Document("musee-aubagne", "Musée de l'argile (Aubagne)", "Le musée de l'argile d'Aubagne présente les santons "
             "et la céramique du pays d'Aubagne.", source="Test partner: Ville d'Aubagne", lang="fr",
             places=("13005",), theme="culture/musée"),
]


@pytest.fixture(scope="module")
def agenda(tmp_path_factory):
    """An engine over the agenda, asked on Wednesday 28 October 2026."""
    data = tmp_path_factory.mktemp("agenda")
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=data, today=TODAY))
    engine.ingest(documents=EVENTS)
    yield engine
    engine.close()


def found(engine, question, k=20) -> set[str]:
    return {h.doc_id for h in engine.search(question, k=k)}


def listed(answer) -> list[str]:
    return [item.doc_id for item in answer.items]


WEEKEND = {"concert-aubagne-samedi", "fete-marseille-dimanche", "marche-marseille-samedi", "bal-marseille-samedi",
           "cine-marseille-dimanche", "expo-aix-weekend", "cine-ciotat-samedi", "foire-salon-samedi",
           "regates-martigues-dimanche"}
DATED = {d.id for d in EVENTS if d.start}


# --- What a time question finds ------------------------------------------------------------------

def test_this_weekend_spans_the_month_end_and_nothing_else(agenda):
    for question in ("que faire ce week-end ?", "what's on this weekend?"):
        assert found(agenda, question) & DATED == WEEKEND, question
    # not the next weekend's concert, nor last weekend's
    assert not {"concert-marseille-prochain", "concert-aubagne-passe"} & found(agenda, "concerts ce week-end")


def test_this_weekend_in_a_named_commune(agenda):
    hits = agenda.search("what's on this weekend in Aubagne?", k=20)
    assert hits[0].doc_id == "concert-aubagne-samedi"  # the commune named first
    assert not {"concert-aubagne-passe", "concert-aubagne-decembre"} & {h.doc_id for h in hits}


@pytest.mark.parametrize("question, expected", [
    ("un concert demain soir ?", {"concert-aix-jeudi"}),  # Thursday 29 October
    ("que faire samedi prochain ?", {"concert-aubagne-samedi", "marche-marseille-samedi", "bal-marseille-samedi",
                                     "expo-aix-weekend", "cine-ciotat-samedi", "foire-salon-samedi"}),
    ("concerts en juillet", {"festival-istres-juillet"}),  # the next July, 2027
    ("concerts en juillet 2026", {"festival-istres-juillet-passe"}),  # a past period named: what was on then
    ("le week-end dernier", {"concert-aubagne-passe", "concert-marseille-passe"}),
])
def test_each_period_finds_its_events(agenda, question, expected):
    assert found(agenda, question) & DATED == expected


def test_a_past_event_is_not_offered_without_a_period(agenda):
    answer = agenda.ask("quels concerts à Aubagne ?")
    assert listed(answer) == ["concert-aubagne-samedi", "concert-aubagne-decembre"]  # not last Saturday's
    assert "passe" not in str([c.doc_id for c in answer.citations])
    # The record itself is still found by a search (by its name, say); what is current leaves it out.
    assert "concert-aubagne-passe" in found(agenda, "rock au Comoedia à Aubagne")
    assert "concert-aubagne-passe" not in found(agenda, "what's on in Aubagne?")
    assert listed(agenda.ask("what's on in Aubagne?")) == ["concert-aubagne-samedi", "concert-aubagne-decembre"]


def test_a_record_with_past_dates_is_listed_last_and_said_past(agenda):
    answer = agenda.ask("quels festivals à Aubagne ?")
    assert listed(answer)[-1] == "festival-argile"
    assert answer.items[-1].dates == "du vendredi 14 au dimanche 16 août 2026 (date passée)"


def test_a_past_period_named_reaches_the_events_that_are_over(agenda):
    answer = agenda.ask("quels concerts à Aubagne le week-end dernier ?")
    assert listed(answer) == ["concert-aubagne-passe"]
    assert answer.items[0].dates == "samedi 24 octobre, 21 h"


# --- The event answer ----------------------------------------------------------------------------

def test_the_event_answer_is_soonest_first_with_dates_places_and_links(agenda):
    answer = agenda.ask("que faire ce week-end à Marseille ?")
    assert not answer.abstained and answer.intent == "list"
    assert listed(answer) == ["marche-marseille-samedi", "bal-marseille-samedi", "fete-marseille-dimanche",
                              "cine-marseille-dimanche"]
    assert answer.frame == ("Voici des événements à Marseille, du samedi 31 octobre au dimanche 1er novembre :")
    bal = answer.items[1]
    assert bal.dates == "samedi 31 octobre, 19 h" and bal.venue == "Salle de l'Estaque" and bal.place == "Marseille"
    assert answer.sentences[1].text == "Bal d'Halloween — samedi 31 octobre, 19 h — Salle de l'Estaque, Marseille"
    cited = {c.n: c for c in answer.citations}
    assert cited[bal.citation].url == "https://agenda.example.org/bal-marseille-samedi"
    assert answer.answer.splitlines()[2] == f"- {answer.sentences[1].text} [{bal.citation}]"


def test_the_event_answer_in_english(agenda):
    answer = agenda.ask("what's on this weekend in Aubagne?")
    (item,) = answer.items
    assert item.doc_id == "concert-aubagne-samedi" and item.price == "12 €"
    assert item.dates == "Saturday 31 October, 8:30 pm"
    assert answer.frame == "Here are events in Aubagne, from Saturday 31 October to Sunday 1 November:"
    assert answer.sentences[0].text == "Jazz au Comoedia — Saturday 31 October, 8:30 pm — Théâtre Comoedia, " \
                                       "Aubagne — 12 €"


def test_dates_spanning_days_or_years_are_written_as_a_range(agenda):
    answer = agenda.ask("que faire ce week-end à Aix-en-Provence ?")
    (item,) = answer.items
    assert item.dates == "du samedi 31 octobre au dimanche 1er novembre"
    july = agenda.ask("concerts en juillet")
    assert [i.dates for i in july.items] == ["du vendredi 9 au dimanche 11 juillet 2027"]


def sub_territories(engine, doc_ids) -> set[str]:
    places = engine.places_of(doc_ids)
    return {s for d in doc_ids for s in attribute(places[d], engine.territory)}


def test_an_open_question_shares_the_events_among_the_territories(agenda):
    answer = agenda.ask("que faire ce week-end ?")
    assert answer.intent == "open" and len(answer.items) == 8 and answer.more == 1
    # Five sub-territories hold an event this weekend (Istres-Ouest Provence none): all of them are
    # shown, Marseille's four events do not crowd them out.
    assert sub_territories(agenda, listed(answer)) == sub_territories(agenda, WEEKEND)
    # The set is the one the equity re-ranker chose (its first eight events), in the calendar's order.
    ranked = [h.doc_id for h in agenda.search("que faire ce week-end ?", k=40) if h.doc_id in DATED]
    assert set(listed(answer)) == set(ranked[:8])
    starts = [item.starts for item in answer.items]
    assert starts == sorted(starts) and answer.answer.endswith("et 1 autre")


def test_no_event_in_the_period_is_said_plainly(agenda):
    answer = agenda.ask("que faire ce week-end à Cassis ?")
    assert answer.abstained and answer.items == ()
    assert answer.answer.startswith("Je n'ai trouvé aucun événement à Cassis du samedi 31 octobre au dimanche "
                                    "1er novembre dans mes sources.")
    # Martigues's regatta is an event of the weekend, not a concert
    none = agenda.ask("concerts ce week-end à Martigues")
    assert none.abstained and none.answer.startswith("Je n'ai trouvé aucun événement à Martigues du samedi")
    english = agenda.ask("what's on next Saturday in Istres?")
    assert english.answer.startswith("I found no event in Istres on Saturday 31 October in my sources.")


def test_no_upcoming_event_is_said_plainly(agenda):
    answer = agenda.ask("quels concerts à Gardanne ?")
    assert answer.abstained and answer.answer.startswith("Je n'ai trouvé aucun événement à venir à Gardanne")


def test_undated_content_stays_in_the_search_but_is_no_event_of_the_period(agenda):
    assert "musee-aubagne" in found(agenda, "que faire ce week-end à Aubagne ?")
    assert listed(agenda.ask("que faire ce week-end à Aubagne ?")) == ["concert-aubagne-samedi"]

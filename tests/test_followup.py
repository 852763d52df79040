"""Follow-up questions: a short question that refines the previous one is resolved into the
question it means, which is what the engine answers and what the page shows."""

from datetime import date

import pytest

from cigale import when
from cigale.followup import Resolved, resolve
from cigale.territory import load
from cigale.territory.places import Gazetteer

ON = date(2025, 5, 10)  # a Saturday in May: July and August are ahead


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer(load())


# previous (resolved) question, follow-up, the question it resolves to, what was carried over
REFINEMENTS = [
    # A place replaces the place, named by its official name, with the previous preposition.
    ("festivals de jazz à Marseille", "et à Aix ?", "festivals de jazz à Aix-en-Provence", ("kind",)),
    ("festivals à Aix l'été", "et en juillet ?", "festivals à Aix en juillet", ("place", "kind")),  # elided article
    ("festivals à Aix en juillet", "et l'été ?", "festivals à Aix l'été", ("place", "kind")),
    ("jazz festivals in Aix", "and May?", "jazz festivals in Aix in May", ("place", "kind")),
    ("Festivals de jazz à Marseille", "et à Aix ?", "Festivals de jazz à Aix-en-Provence", ("kind",)),
    ("musées à Martigues", "And in Aubagne?", "musées à Aubagne", ("kind",)),
    ("Quels musées à Martigues ?", "What about Aubagne?", "Quels musées à Aubagne ?", ("kind",)),
    ("musées à Martigues", "à Aubagne ?", "musées à Aubagne", ("kind",)),
    ("festival di jazz a Marsiglia", "e a Salon?", "festival di jazz a Salon-de-Provence", ("kind",)),
    ("festivales de jazz en Marsella", "¿y en Aubagne?", "festivales de jazz en Aubagne", ("kind",)),
    ("Jazzfestivals in Marseille", "und in Aix?", "Jazzfestivals in Aix-en-Provence", ("kind",)),
    ("Quels festivals à Aix et Marseille ?", "et à Cassis ?", "Quels festivals à Cassis ?", ("kind",)),
    ("festivals à Marseille", "et à Aix ou à Cassis ?", "festivals à Aix-en-Provence ou à Cassis", ("kind",)),
    ("festivals de jazz à Marseille", "Le Rove ?", "festivals de jazz à Le Rove", ("kind",)),  # "au Rove": not found
    ("festivals de jazz à Marseille", "et aux Pennes-Mirabeau ?", "festivals de jazz aux Pennes-Mirabeau",
     ("kind",)),
    ("festivals de jazz à Marseille", "et dans le Pays d'Aix ?", "festivals de jazz dans le Pays d'Aix", ("kind",)),
    ("musées dans le Pays d'Aix", "et à Aix ?", "musées à Aix-en-Provence", ("kind",)),
    ("Marseille 8e : quels musées ?", "et à Aix ?", "Aix-en-Provence : quels musées ?", ("kind",)),
    ("festivals de jazz à Aix-en-Provence en juillet", "et à Marseille ?", "festivals de jazz à Marseille en juillet",
     ("kind", "time")),
    # A place the previous question lacked is added, with the follow-up's preposition.
    ("festivals de jazz", "et à Aix ?", "festivals de jazz à Aix-en-Provence", ("kind",)),
    ("jazz festivals", "and Aix?", "jazz festivals in Aix-en-Provence", ("kind",)),
    # A period is added, or replaces the period.
    ("jazz festivals in Aix-en-Provence", "and in July?", "jazz festivals in Aix-en-Provence in July",
     ("place", "kind")),
    ("festivals de jazz à Aix-en-Provence", "et en juillet ?", "festivals de jazz à Aix-en-Provence en juillet",
     ("place", "kind")),
    ("musées à Martigues", "en juillet ?", "musées à Martigues en juillet", ("place", "kind")),
    ("concerts in Marseille", "what about next weekend?", "concerts in Marseille next weekend", ("place", "kind")),
    ("Jazzfestivals in Aix-en-Provence", "und im Juli?", "Jazzfestivals in Aix-en-Provence im Juli",
     ("place", "kind")),
    ("conciertos en Aubagne", "¿y en agosto?", "conciertos en Aubagne en agosto", ("place", "kind")),
    ("festival a Aix-en-Provence", "e a luglio?", "festival a Aix-en-Provence a luglio", ("place", "kind")),
    ("festivals à Aix en juillet", "et en août ?", "festivals à Aix en août", ("place", "kind")),
    ("festivals à Aix en juillet", "et août ?", "festivals à Aix en août", ("place", "kind")),
    ("Quels festivals ce week-end à Aubagne ?", "et le week-end prochain ?",
     "Quels festivals le week-end prochain à Aubagne ?", ("place", "kind")),
    # A qualifier is added after the kind (before it, for one English word); kind and place kept.
    ("musées à Martigues", "lesquels sont gratuits ?", "musées gratuits à Martigues", ("place", "kind")),
    ("museums in Martigues", "which ones are free?", "free museums in Martigues", ("place", "kind")),
    ("musées à Martigues", "et pour les enfants ?", "musées pour les enfants à Martigues", ("place", "kind")),
    ("musées à Martigues", "lesquels sont ouverts le dimanche ?", "musées ouverts à Martigues le dimanche",
     ("place", "kind")),
    ("randonnées à Cassis", "lesquelles sont faciles ?", "randonnées faciles à Cassis", ("place", "kind")),
    # A kind replaces the kind, in the previous question's language, with the qualifier that went with it.
    ("Quels festivals à Istres ?", "and museums?", "Quels musées à Istres ?", ("place",)),
    ("Quels festivals à Istres ?", "et les musées ?", "Quels musées à Istres ?", ("place",)),
    ("Quels musées à Istres ?", "et les gares ?", "Quelles gares à Istres ?", ("place",)),
    ("festivals de jazz à Marseille", "et les musées ?", "musées à Marseille", ("place",)),
    ("festivals de jazz à Marseille", "et les musées gratuits ?", "musées gratuits à Marseille", ("place",)),
    ("musées à Martigues", "what about the beaches?", "plages à Martigues", ("place",)),
    ("festivals à Aix en juillet", "et les concerts ?", "concerts à Aix en juillet", ("place", "time")),
    ("Welche Festivals in Istres?", "und Museen?", "Welche Museen in Istres?", ("place",)),
    ("Jazzfestivals in Istres", "und Museen?", "Museen in Istres", ("place",)),
    ("Quali festival a Istres?", "e i musei?", "Quali musei a Istres?", ("place",)),
    ("¿Qué festivales hay en Istres?", "¿y los museos?", "¿Qué museos hay en Istres?", ("place",)),
    ("randonnées à Cassis", "et les musées ?", "musées à Cassis", ("place",)),
    ("musées à Martigues", "musées gratuits ?", "musées gratuits à Martigues", ("place",)),
]


@pytest.mark.parametrize("previous, question, expected, carried", REFINEMENTS)
def test_a_follow_up_refines_the_previous_question(gazetteer, previous, question, expected, carried):
    assert resolve(question, previous, gazetteer, on=ON) == Resolved(expected, True, carried)


@pytest.mark.parametrize("previous, question, expected, carried", REFINEMENTS)
def test_the_resolved_question_names_the_new_parts_and_keeps_the_carried_ones(gazetteer, previous, question,
                                                                              expected, carried):
    text = resolve(question, previous, gazetteer, on=ON).text
    place = gazetteer.tag(question) or gazetteer.tag(previous)
    assert gazetteer.tag(text) == place
    period = when.window(question, ON) or (when.window(previous, ON) if "time" in carried else None)
    if period is not None:  # when.py reads French and English periods
        assert when.window(text, ON).iso() == period.iso()


def test_a_long_text_is_never_read_as_a_follow_up(gazetteer):
    long = "et à Aix " * 20_000
    assert resolve(long, "festivals de jazz à Marseille", gazetteer) == Resolved(long)
    assert resolve("et à Aix ?", "festivals " * 20_000, gazetteer) == Resolved("et à Aix ?")


@pytest.mark.parametrize("previous, question", [
    ("festivals de jazz à Marseille", "Quels lycées à Aubagne ?"),  # its own kind and place
    ("festivals de jazz à Marseille", "et les lycées à Aubagne ?"),
    ("festivals de jazz à Marseille", "Qui est le maire de Gardanne ?"),  # its own question word
    ("festivals de jazz à Marseille", "où se baigner ?"),
    ("musées à Martigues", "et quand ?"),
    ("musées à Martigues", "gratuits ?"),  # a bare qualifier reads as a new topic
    ("musées à Martigues", "Marsatac ?"),
    ("musées à Martigues", "et ?"),  # brings nothing
    ("bonjour", "et à Aix ?"),  # nothing to carry over
    ("festivals de jazz à Marseille", "Quels sont les festivals de musique classique les plus connus à Aix ?"),
])
def test_a_question_of_its_own_is_returned_unchanged(gazetteer, previous, question):
    assert resolve(question, previous, gazetteer, on=ON) == Resolved(question, False, ())


@pytest.mark.parametrize("previous", [None, "", "   "])
def test_without_a_previous_question_the_question_is_returned_unchanged(gazetteer, previous):
    assert resolve("et à Aix ?", previous, gazetteer, on=ON) == Resolved("et à Aix ?", False, ())


def test_follow_ups_chain_each_refining_the_last_resolution(gazetteer):
    turns = [
        ("et à Aix ?", "festivals de jazz à Aix-en-Provence", ("kind",)),
        ("et en juillet ?", "festivals de jazz à Aix-en-Provence en juillet", ("place", "kind")),
        ("lesquels sont gratuits ?", "festivals de jazz gratuits à Aix-en-Provence en juillet",
         ("place", "kind", "time")),
        ("et les musées ?", "musées à Aix-en-Provence en juillet", ("place", "time")),
    ]
    previous = "festivals de jazz à Marseille"
    for question, expected, carried in turns:
        resolved = resolve(question, previous, gazetteer, on=ON)
        assert (resolved.text, resolved.carried) == (expected, carried)
        previous = resolved.text


def test_a_preposition_that_must_be_added_is_the_follow_ups_languages(gazetteer):
    assert resolve("Aix ?", "Jazzfestivals", gazetteer, on=ON, lang="de").text == "Jazzfestivals in Aix-en-Provence"
    assert resolve("Aix ?", "Jazzfestivals", gazetteer, on=ON, lang="fr").text == "Jazzfestivals à Aix-en-Provence"
    assert resolve("and July?", "festivals à Aix", gazetteer, on=ON).text == "festivals à Aix in July"


@pytest.mark.parametrize("previous, question", [(p, q) for p, q, _, _ in REFINEMENTS] + [
    ("festivals de jazz à Marseille", "Quels lycées à Aubagne ?"), ("bonjour", "et à Aix ?"), (None, "et à Aix ?")])
def test_a_follow_up_carries_something_and_a_question_of_its_own_carries_nothing(gazetteer, previous, question):
    resolved = resolve(question, previous, gazetteer, on=ON)
    assert resolved.followup == bool(resolved.carried)
    assert set(resolved.carried) <= {"place", "kind", "time"}
    if not resolved.followup:
        assert resolved.text == question

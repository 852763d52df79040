"""Finding the places a text or a question names."""

import pytest

from cigale.territory import METROPOLIS, load
from cigale.territory.places import Gazetteer


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer(load())


def codes(gazetteer, text):
    return [m.code for m in gazetteer.find(text)]


@pytest.mark.parametrize("text, expected", [
    ("Les Pennes-Mirabeau accueille un marché", ["13071"]),
    ("les pennes mirabeau", ["13071"]),
    ("Septèmes-les-Vallons et Septèmes", ["13106", "13106"]),
    ("SEPTEMES LES VALLONS", ["13106"]),
    ("à La Roque-d'Anthéron", ["13084"]),
    ("la roque d antheron", ["13084"]),
    ("Roque-d'Anthéron", ["13084"]),
    ("St-Chamas et Saint Cannat", ["13092", "13091"]),
    ("Saint-Paul-lez-Durance", ["13099"]),
    ("Port-de-Bouc", ["13077"]),
    ("Fos-sur-Mer", ["13039"]),
    ("le port de Fos", ["13039"]),
    ("Aix et Marseille", ["13001", "13055"]),
    ("La Ciotat", ["13028"]),
])
def test_commune_names_match_whatever_the_case_accents_and_hyphens(gazetteer, text, expected):
    assert codes(gazetteer, text) == expected


def test_the_longest_name_wins(gazetteer):
    assert codes(gazetteer, "Châteauneuf-les-Martigues") == ["13026"]  # not Martigues
    assert codes(gazetteer, "Saint-Mitre-les-Remparts") == ["13098"]


@pytest.mark.parametrize("text", [
    "une fosse septique",  # "Fos" only as a whole word
    "le salon du livre",  # "Salon" the fair, not Salon-de-Provence
    "nous aurons du soleil",  # "Aurons" the verb
    "une crème de cassis",  # the fruit
    "le pertuis d'Antioche",  # a strait, not Pertuis
    "Aixois",  # not a whole-word match of "Aix"
])
def test_common_words_are_not_places(gazetteer, text):
    assert codes(gazetteer, text) == []


def test_ambiguous_names_count_when_capitalised_or_after_a_preposition(gazetteer):
    assert codes(gazetteer, "Les festivals de Salon") == ["13103"]
    assert codes(gazetteer, "festivals à salon") == ["13103"]
    matches = gazetteer.find("meilleur restaurant à cassis")
    assert [m.code for m in matches] == ["13022"] and matches[0].weak


def test_subterritories_and_the_metropolis_are_recognised(gazetteer):
    ct2 = gazetteer.territory.subterritory_of("13001").id
    assert codes(gazetteer, "labs in the Pays d'Aix") == [ct2]
    assert codes(gazetteer, "Aix-Marseille-Provence") == [METROPOLIS]  # not Aix + Marseille


def test_match_offsets_point_at_the_original_text(gazetteer):
    text = "Visiter l'Étang à Berre-l'Étang"
    (m,) = gazetteer.find(text)
    assert text[m.start:m.end] == "Berre-l'Étang" and m.code == "13014"


def test_arrondissements_of_marseille_are_marseille(gazetteer):
    assert "13055" in gazetteer.tag("un restaurant dans le 13e arrondissement")
    assert "13055" in gazetteer.tag("Marseille 8e")
    assert gazetteer.tag("le 13e siècle") == ()


def test_tag_lists_each_place_once_in_order_of_mention(gazetteer):
    assert gazetteer.tag("Istres, Miramas puis Istres encore") == ("13047", "13063")

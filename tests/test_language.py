"""Which language a question is in: the detector, a prior for the site's audiences, and hints."""

import pytest

from cigale.language import detect


@pytest.mark.parametrize("text, lang", [
    ("Quels festivals de musique y a-t-il cet été ?", "fr"),
    ("Which research labs work on the sea?", "en"),
    ("Quali festival ci sono in estate?", "it"),
    ("Welche Museen gibt es in der Stadt?", "de"),
    ("¿Qué estaciones de tren hay?", "es"),
    ("lycées professionnels", "fr"),
])
def test_questions_in_the_main_languages(text, lang):
    assert detect(text) == lang


def test_the_interface_language_decides_when_the_detector_is_unsure():
    assert detect("jazz", hint="en") == "en"
    assert detect("jazz", hint="fr") == "fr"


def test_a_clear_question_beats_the_interface_language():
    assert detect("Où peut-on se baigner près de la ville ?", hint="en") == "fr"


@pytest.mark.parametrize("text, lang", [
    ("Wann findet das Festival de Pâques statt?", "de"),  # French names, German words
    ("Jazz au Ranquet - when was its first year?", "en"),
    ("¿De qué trata el festival À portée de mots?", "es"),
    ("Cosa si può vedere al musée du Vieil Aix?", "it"),
])
def test_the_little_words_of_a_language_outweigh_names_from_another(text, lang):
    assert detect(text) == lang


def test_a_short_unclear_question_takes_the_collection_language():
    assert detect("festivals de jazz", default="fr") == "fr"  # not English, for all its English look
    assert detect("cereq adresse", default="fr") == "fr"

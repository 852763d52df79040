"""The starter corpus: factual sheets generated from the pack, in French and English."""

import pytest

from cigale import Engine, Settings
from cigale.territory import load
from cigale.territory.starter import starter_documents


def test_every_commune_gets_a_french_and_an_english_sheet():
    docs = starter_documents(load())
    sheets = [d for d in docs if d.id.startswith("starter-commune-")]
    assert len(sheets) == 2 * 92
    assert {d.lang for d in sheets} == {"fr", "en"}
    assert all(len(d.places) == 1 for d in sheets)


def test_a_sheet_states_territory_population_and_neighbours_from_the_pack():
    amp = load()
    trets = {d.lang: d for d in starter_documents(amp) if d.places == ("13110",)}
    fr, en = trets["fr"].text, trets["en"].text
    assert "Pays d'Aix" in fr and "Pays d'Aix" in en
    assert f"{amp.communes['13110'].population:,}" in en
    assert "Rousset" in fr and "Bouches-du-Rhône" in fr
    assert trets["fr"].source and trets["fr"].license


def test_each_subterritory_and_the_metropolis_have_a_sheet():
    docs = {d.id: d for d in starter_documents(load())}
    assert "starter-territory-fr" in docs and "starter-territory-en" in docs
    ct6 = next(d for d in docs.values() if d.id.endswith("-fr") and d.title.endswith("Pays de Martigues"))
    assert "Port-de-Bouc" in ct6.text and "3 communes" in ct6.text


@pytest.mark.slow
def test_a_fresh_install_answers_which_territory_a_commune_is_in(tmp_path):
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=tmp_path))
    report = engine.ingest_starter()
    assert report.added == len(starter_documents(engine.territory))
    assert engine.ingest_starter().embedded == 0  # idempotent
    answer = engine.ask("Which territory is Trets in?")
    assert not answer.abstained and "Pays d'Aix" in answer.answer
    assert answer.lang == "en" and answer.citations[0].doc_id == "starter-commune-13110-en"
    fr = engine.ask("Dans quel conseil de territoire se trouve Trets ?")
    assert "Pays d'Aix" in fr.answer and fr.citations[0].doc_id == "starter-commune-13110-fr"

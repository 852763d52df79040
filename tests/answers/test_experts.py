"""Who speaks: the partner to ask for each theme, from the pack, and the publisher a visitor knows."""

from dataclasses import replace

from cigale.answers.experts import expert_for, publisher_of
from cigale.answers.frames import at, of, town_hall
from cigale.answers.lexicon import Theme
from cigale.documents import Document
from cigale.territory import load
from cigale.territory.starter import TOWN_HALL_THEME

AMP = load()


def test_every_theme_has_a_partner_in_the_pack():
    for theme in Theme:
        expert = expert_for(theme, [], AMP, "fr")
        assert expert.name and expert.url and expert.url.startswith("https://")


def test_a_commune_service_goes_to_its_town_hall_in_the_question_language():
    fr = expert_for(Theme.COMMUNE_SERVICES, ["13047"], AMP, "fr")
    assert fr.name == "Mairie d'Istres" and fr.url == AMP.communes["13047"].town_hall.website
    assert expert_for(Theme.COMMUNE_SERVICES, ["13028"], AMP, "en").name == "La Ciotat town hall"


def test_a_town_hall_without_a_website_is_found_through_the_pack_s_directory():
    istres = replace(AMP.communes["13047"], town_hall=None)
    pack = replace(AMP, communes={**AMP.communes, "13047": istres})
    expert = expert_for(Theme.COMMUNE_SERVICES, ["13047"], pack, "fr")
    assert expert.name == "Mairie d'Istres" and "whoWhat=Mairie" in expert.url and "Istres" in expert.url


def test_a_town_hall_sheet_sends_the_visitor_to_the_town_hall():
    # "Qui est le maire de … ?" may name no theme; the sheet it is answered from does.
    sheet = Document("s", "Mairie de Gardanne", "Maire : Hervé Granier", theme=TOWN_HALL_THEME)
    expert = expert_for(Theme.OTHER, ["13041"], AMP, "fr", [sheet])
    assert expert.name == "Mairie de Gardanne" and expert.url == AMP.communes["13041"].town_hall.website


def test_a_partner_with_a_perimeter_is_the_expert_only_there():
    assert expert_for(Theme.NATURE, ["13022"], AMP, "fr").name == "Parc national des Calanques"
    assert expert_for(Theme.NATURE, ["13001"], AMP, "fr").name == "Département des Bouches-du-Rhône"


def test_the_sources_decide_a_theme_the_question_left_open():
    lab = Document("l", "Labo", "x", theme="économie/recherche")
    assert expert_for(Theme.OTHER, [], AMP, "fr", [lab]).name == "Aix-Marseille Université"


def test_the_publisher_is_the_body_a_visitor_knows():
    def doc(source, url=None, **extra):
        return Document("d", "t", "x", source=source, url=url, extra=extra)

    assert publisher_of(doc("Liste des festivals en France (Ministère de la Culture, festivals-global-festivals-_-pl), "
                            "via github owner/repo@abc:file.csv"), AMP) == "Ministère de la Culture"
    assert publisher_of(doc("Structures de recherche (RNSR, MESR, fr-esr-x)"), AMP) == \
        "Ministère de l'Enseignement supérieur et de la Recherche"
    assert publisher_of(doc("English Wikivoyage page bylines, via github a/b@c:d", "https://en.wikivoyage.org/wiki/X"),
                        AMP) == "Wikivoyage"
    assert publisher_of(doc("anything", publisher="Provence Tourisme"), AMP) == "Provence Tourisme"
    assert publisher_of(doc("Templated (fields from @etalab/x)", synthetic_template=True), AMP) == AMP.name


def test_places_take_their_preposition():
    assert at("Martigues", "fr") == "à Martigues" and at("Le Rove", "fr") == "au Rove"
    assert at(["Aubagne", "La Ciotat"], "fr") == "à Aubagne et à La Ciotat"
    assert at(["Aubagne", "La Ciotat"], "en") == "in Aubagne and La Ciotat"
    assert at("Pays d'Aix", "fr", regions=frozenset({"Pays d'Aix"})) == "dans le Pays d'Aix"
    assert of("Aubagne") == "d'Aubagne" and of("Le Rove") == "du Rove" and town_hall("Istres", "de") == "Rathaus Istres"

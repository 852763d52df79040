"""Pages that declare no place (crawled pages, feed items, encyclopaedia-like passages) count as
about the places their text is clearly about: named in the title or the lead, or again and
again. A question naming a place finds the page about that place first, not the structured
records declared about it, nor a page that only mentions it in passing."""

import pytest

from cigale import Engine, Settings
from cigale.documents import Document

# Hand-written for this test, in the manner of encyclopaedia passages: no `places` declared.
# Each names other communes in passing, as real pages do.
PASSAGES = [
    Document(id="page-aubagne", title="Aubagne", lang="fr", source="Test encyclopaedia", text=(
        "Aubagne est une commune située dans la vallée de l'Huveaune, à l'est de Marseille. "
        "La ville est connue pour ses santonniers et ses ateliers de céramique, installés depuis le XIXe siècle. "
        "Aubagne est aussi la ville natale de Marcel Pagnol, qui y naquit en 1895. "
        "Depuis 1962, Aubagne accueille le quartier Viénot, maison mère de la Légion étrangère.")),
    Document(id="page-ciotat", title="Histoire d'une cité de chantiers navals", lang="fr",
             source="Test encyclopaedia", text=(
        "La Ciotat doit son essor aux chantiers navals, qui ont employé des milliers d'ouvriers jusqu'en 1987. "
        "C'est à La Ciotat que les frères Lumière tournèrent L'Arrivée d'un train en gare, projeté à l'Eden, "
        "l'une des plus anciennes salles de cinéma du monde. Les plages de La Ciotat font face à l'île Verte. "
        "La route des Crêtes relie la ville à Cassis.")),
    Document(id="page-martigues", title="La Venise provençale", lang="fr", source="Test encyclopaedia", text=(
        "Martigues s'étend entre l'étang de Berre et le golfe de Fos, de part et d'autre du canal de Caronte. "
        "Ses canaux et ses maisons colorées valent à Martigues le surnom de Venise provençale. "
        "Le peintre Félix Ziem y séjourna longtemps ; Martigues a donné son nom à un musée qui lui est consacré.")),
    Document(id="page-marseille", title="Marseille", lang="fr", source="Test encyclopaedia", text=(
        "Marseille fut fondée vers 600 av. J.-C. par des marins grecs venus de Phocée, sous le nom de Massalia. "
        "Le Vieux-Port de Marseille reste le cœur de la ville, dominé par la basilique Notre-Dame-de-la-Garde. "
        "Deuxième ville de France, Marseille compte environ 870 000 habitants.")),
    Document(id="page-calanques", title="Le massif des Calanques", lang="fr", source="Test encyclopaedia", text=(
        "Le massif des Calanques s'étend sur vingt kilomètres de côte, des Goudes jusqu'à Cassis. "
        "Ses criques de calcaire blanc, comme Sormiou, Morgiou ou En-Vau, sont protégées depuis 2012 par un "
        "parc national, le premier en Europe à la fois terrestre, marin et périurbain. On y accède aussi "
        "depuis Marseille par le sentier du littoral.")),
    Document(id="page-cassis", title="Un port de pêche entre deux falaises", lang="fr", source="Test encyclopaedia",
             text=("Cassis est un petit port de pêche adossé au cap Canaille, la plus haute falaise maritime de "
                   "France. Le vignoble de Cassis produit depuis 1936 l'un des plus anciens vins blancs d'appellation. "
                   "Chaque été, Cassis fête la mer et ses pêcheurs.")),
]
# Structured records declared about the same communes: what the pages compete with.
RECORDS = [
    Document(id="rec-musee-histoire-marseille", title="Musée d'histoire de Marseille", lang="fr",
             source="Test partner", places=("13055",), theme="culture/museum",
             text="Domaines thématiques : Archéologie, histoire\nAtouts : le port antique, les épaves grecques."),
    Document(id="rec-festival-marseille", title="Festival de Marseille", lang="fr", source="Test partner",
             places=("13055",), theme="culture/festival",
             text="Discipline dominante : Spectacle vivant\nPériode principale : juin-juillet\nDanse, théâtre."),
    Document(id="rec-gare-aubagne", title="Gare d'Aubagne", lang="fr", source="Test partner", places=("13005",),
             theme="mobility/station", text="Gare de voyageurs.\nLigne : Marseille - Vintimille\nTER."),
    Document(id="rec-musee-legion", title="Musée de la Légion étrangère (Aubagne)", lang="fr",
             source="Test partner", places=("13005",), theme="culture/museum",
             text="Domaines thématiques : Histoire militaire\nAtouts : la main du capitaine Danjou."),
    Document(id="rec-lycee-ciotat", title="Lycée Auguste et Louis Lumière (La Ciotat)", lang="fr",
             source="Test partner", places=("13028",), theme="education/lycee",
             text="Lycée général et technologique public.\nIndice de position sociale : 103."),
    Document(id="rec-port-cassis", title="Port de Cassis", lang="fr", source="Test partner", places=("13022",),
             theme="tourism/port", text="Port de plaisance et de pêche.\nPlaces : 450."),
    Document(id="rec-gare-martigues", title="Gare de Lavéra (Martigues)", lang="fr", source="Test partner",
             places=("13056",), theme="mobility/station", text="Point ferroviaire.\nFret uniquement."),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    e = Engine.open(settings=Settings.load(environ={}, data_dir=tmp_path_factory.mktemp("pages")))
    e.ingest(documents=PASSAGES + RECORDS)
    yield e
    e.close()


def top(engine, question, k=3):
    return [h.doc_id for h in engine.search(question, k=k, equity=False)]


@pytest.mark.parametrize("question, page", [
    ("Quand Marseille a-t-elle été fondée ?", "page-marseille"),
    ("combien d'habitants à Marseille ?", "page-marseille"),
    ("histoire de La Ciotat", "page-ciotat"),
    ("Pourquoi appelle-t-on Martigues la Venise provençale ?", "page-martigues"),
    ("What is Aubagne known for?", "page-aubagne"),
    ("Aubagne santons", "page-aubagne"),
    ("cinéma à La Ciotat", "page-ciotat"),
])
def test_a_question_naming_a_place_finds_the_page_about_it_first(engine, question, page):
    assert top(engine, question)[0] == page


def test_a_page_is_about_the_places_of_its_title_lead_and_repeated_mentions(engine):
    index = engine.refresh()
    about = {d.id: d.about for d in index.docs}
    assert about["page-aubagne"] == {"13005"}  # Marseille is named once, in passing
    assert about["page-ciotat"] == {"13028"}  # named three times; Cassis once
    assert about["page-marseille"] == {"13055"}
    assert about["rec-gare-aubagne"] == frozenset()  # declared places are what a record is about


def test_a_page_that_names_a_place_in_passing_ranks_after_those_about_it(engine):
    ranked = top(engine, "Marseille, son histoire et son port", k=10)
    assert ranked.index("page-marseille") < ranked.index("page-aubagne")
    assert ranked.index("rec-musee-histoire-marseille") < ranked.index("page-aubagne")


def test_pages_that_only_mention_a_place_come_after_everything_about_it(engine):
    ranked = top(engine, "Que voir à Cassis ?", k=20)
    about = ["page-cassis", "rec-port-cassis"]
    in_passing = ["page-calanques", "page-ciotat"]  # each names Cassis once
    assert max(ranked.index(d) for d in about) < min(ranked.index(d) for d in in_passing)


def test_results_show_the_places_a_page_is_about(engine):
    (hit,) = engine.search("Venise provençale canaux", k=1, equity=False)
    assert hit.doc_id == "page-martigues" and hit.places == ("13056",)

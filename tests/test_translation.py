"""Query translation for BM25 (cigale/translation.py): a question in English, Italian, Spanish
or German meets the French sources' words, through the territory's glossary, the kinds' names
and Debian's FreeDict dictionaries (installed by `make install`)."""

import gzip
from pathlib import Path

import pytest

from cigale.translation import DICT_DIR, Translator, read_freedict

GLOSSARY = ({"fr": "année de création, créé", "en": "year founded, founded", "it": "anno di fondazione"},
            {"fr": "musique de chambre", "en": "chamber music", "de": "Kammermusik"})


@pytest.fixture(scope="module")
def translator():
    assert (DICT_DIR / "freedict-eng-fra.index").exists(), "FreeDict is missing: `make install` installs it (apt-get)"
    return Translator(GLOSSARY)


@pytest.mark.parametrize("lang, question, expected", [
    ("en", "museums with archaeology collections", {"musées", "archéologie", "collection"}),
    ("en", "energy research labs", {"énergie", "laboratoires"}),
    ("it", "musei di storia da visitare", {"musées", "histoire"}),  # read backwards from French → Italian
    ("es", "¿Qué estaciones de tren hay?", {"gares"}),
    ("de", "Welche Museen gibt es?", {"musées"}),
])
def test_each_language_meets_the_french_words(translator, lang, question, expected):
    assert expected <= set(translator.translate(question, lang, "fr"))


@pytest.mark.parametrize("compound, expected", [
    ("Theaterfestivals", {"théâtre", "festivals"}),
    ("Geschichtsmuseen", {"histoire", "musées"}),  # with the linking "s"
])
def test_german_compounds_are_read_as_their_parts(translator, compound, expected):
    assert expected <= set(translator.translate(compound, "de", "fr"))


def test_the_glossary_comes_first_and_knows_phrases(translator):
    assert translator.translate("chamber music in July", "en", "fr")[0] == "musique de chambre"
    assert translator.translate("Kammermusik", "de", "fr") == ["musique de chambre"]
    assert {"année de création", "créé"} <= set(translator.translate("when was it founded?", "en", "fr"))


def test_names_and_question_words_are_not_translated(translator):
    found = translator.translate("which stations have TGV trains from Paris?", "en", "fr")
    assert "gares" in found
    assert not {"quelles", "Pâris", "Paname", "avoir"} & set(found)


def test_nothing_to_translate_within_a_language_or_without_any_lexicon():
    assert Translator(GLOSSARY).translate("festivals de jazz", "fr", "fr") == []
    assert Translator((), directory=None, sources=()).translate("jazz festivals", "en", "fr") == []


def test_without_the_dictionaries_the_glossary_and_kinds_still_translate(tmp_path):
    bare = Translator(GLOSSARY, directory=tmp_path)  # no dictionary there
    assert bare.translate("chamber music museums", "en", "fr") == ["musique de chambre", "musées", "musée"]
    assert bare.translate("ceramics", "en", "fr") == []


def write_dictd(stem: Path, entries: dict[str, str]) -> None:
    """A dictionary in dictd format (index of base64 offsets, gzip data), as FreeDict ships."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    def b64(n):
        out = ""
        while True:
            out = alphabet[n % 64] + out
            n //= 64
            if not n:
                return out

    data, index = b"", []
    for head, body in entries.items():
        raw = body.encode()
        index.append(f"{head}\t{b64(len(data))}\t{b64(len(raw))}")
        data += raw
    stem.with_suffix(".index").write_text("\n".join(index) + "\n", encoding="utf-8")
    stem.with_suffix(".dict.dz").write_bytes(gzip.compress(data))


def test_a_freedict_entry_gives_its_first_senses_translations_not_its_glosses(tmp_path):
    write_dictd(tmp_path / "freedict-eng-fra", {
        "00databaseshort": "00databaseshort\n     English-French\n",
        "station": "station /steiʃən/\n1. gare\nwhere trains stop\n2. station, poste\n3. rang\n",
        "museum": "museum /mjuːziəm/\nmusée\n",
    })
    assert read_freedict(tmp_path / "freedict-eng-fra") == {"station": ["gare", "station", "poste"],
                                                             "museum": ["musée"]}
    assert Translator((), directory=tmp_path, sources=("dictionary",)).translate(
        "museums and stations", "en", "fr") == ["musée", "gare", "station", "poste"]


def test_a_damaged_dictionary_is_as_if_absent(tmp_path):
    (tmp_path / "freedict-eng-fra.index").write_text("museum\tA\tZZ\n", encoding="utf-8")
    (tmp_path / "freedict-eng-fra.dict.dz").write_bytes(b"not gzip")
    assert Translator((), directory=tmp_path, sources=("dictionary",)).translate("museum", "en", "fr") == []


def test_an_english_question_finds_the_french_document_by_its_words(engine):
    # BM25 alone: without translation "railway station" shares no word with the French record.
    hits = engine.search("railway station lines at Miramas", k=3, mode="bm25", lang="en")
    assert hits and hits[0].doc_id == "gare-miramas"


def test_a_question_is_translated_into_the_languages_the_collection_holds_more_of(engine):
    searcher = engine.searcher
    assert searcher.translated_into(engine.question("jazz festivals", lang="en")) == ["fr"]
    assert searcher.translated_into(engine.question("festivals de jazz", lang="fr")) == []

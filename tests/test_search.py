"""Search: BM25, dense and hybrid retrieval, place-aware, with filters."""

import dataclasses

import numpy as np
import pytest

from cigale import search
from cigale.errors import NotReadyError, QuestionError
from cigale.search import Filters, Searcher
from cigale.settings import Mode


def ids(hits):
    return [h.doc_id for h in hits]


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_each_mode_finds_the_document_that_answers(engine, mode):
    hits = engine.search("gare de Miramas : quelles lignes ?", k=3, mode=mode)
    assert ids(hits)[0] == "gare-miramas"


def test_hits_carry_what_a_results_page_needs(engine):
    (hit, *_) = engine.search("festival de piano", k=3)
    assert hit.doc_id == "fest-piano"
    assert hit.title.startswith("Festival international de piano")
    assert hit.places == ("13084",) and hit.url == "https://example.org/piano"
    assert "1980" in hit.snippet or "piano" in hit.snippet.lower()
    assert set(hit.signals) == {"bm25", "dense"} and hit.score > 0


def test_an_english_or_italian_question_finds_french_documents(engine):
    assert ids(engine.search("geoscience laboratory studying climate and soils", k=2))[0] == "labo-cerege"
    assert ids(engine.search("quale museo ha opere di Félix Ziem?", k=2))[0] == "musee-ziem"


def test_bm25_returns_only_documents_sharing_a_term(engine):
    assert engine.search("xylophone quantique", mode="bm25") == []


def test_a_named_commune_puts_its_documents_first(engine):
    hits = engine.search("festivals de jazz à Vitrolles", k=5)
    assert ids(hits)[0] == "fest-jazz-vitrolles"
    hits = engine.search("jazz in Marseille", k=5)
    assert ids(hits)[0] == "fest-jazz-marseille"  # declared in the 3rd arrondissement: Marseille


def test_a_named_subterritory_ranks_its_communes_first(engine):
    hits = engine.search("que faire dans le Pays d'Aubagne et de l'Étoile ?", k=3)
    assert ids(hits)[0] == "aubagne-santons"


def test_a_question_without_place_is_ranked_on_relevance_alone(engine):
    hits = engine.search("festivals de jazz", k=2)
    assert set(ids(hits)) == {"fest-jazz-vitrolles", "fest-jazz-marseille"}


def test_filters_on_commune_territory_theme_language_and_dates(engine):
    assert ids(engine.search("festival", filters=Filters(communes=("13117",)))) == ["fest-jazz-vitrolles"]
    ct4 = engine.territory.subterritory_of("13005").id
    assert ids(engine.search("tradition", filters=Filters(territories=(ct4,)))) == ["aubagne-santons"]
    assert set(ids(engine.search("musique", filters=Filters(themes=("culture/festival",))))) == {
        "fest-piano", "fest-jazz-vitrolles", "fest-jazz-marseille"}
    assert ids(engine.search("port", filters=Filters(langs=("en",)))) == ["guide-en-cassis"]
    dated = engine.search("jazz", filters=Filters(date_from="2026-07-10", date_to="2026-07-31"))
    assert ids(dated) == ["fest-jazz-marseille"]


def test_same_language_sources_come_first_when_relevance_is_close(engine):
    engine.ingest(documents=[_doc("cassis-fr", "Guide de Cassis", "Cassis est un port de pêche à l'est de "
                                  "Marseille, connu pour son vin blanc et les promenades en bateau vers les Calanques.",
                                  "fr")])
    assert ids(engine.search("Cassis port de pêche et vin blanc", k=2, lang="fr"))[0] == "cassis-fr"
    assert ids(engine.search("Cassis fishing port and white wine", k=2, lang="en"))[0] == "guide-en-cassis"


def test_questions_are_validated(engine):
    with pytest.raises(QuestionError, match="empty"):
        engine.search("   ")
    with pytest.raises(QuestionError, match="too long"):
        engine.search("festival " * 10_000)


def test_an_empty_index_is_not_ready(empty_engine):
    with pytest.raises(NotReadyError, match="ingest"):
        empty_engine.search("festival")


def by_candidates(engine):
    """A Searcher whose dense retrieval is a candidate list, as pgvector returns one: a brute-force
    top-K over the same vectors, the index itself holding none."""
    index = engine.refresh()

    def nearest(qvec, k):
        similarity = index.dense @ qvec
        top = np.argsort(-similarity, kind="stable")[:k]
        return [(int(index.chunk_ids[i]), float(similarity[i])) for i in top]

    without = dataclasses.replace(index, dense=np.zeros((0, index.dense.shape[1]), np.float32))
    return Searcher(without, engine.store, engine.vectors, engine.territory, engine.settings, engine.translator,
                    nearest=nearest)


QUESTIONS = ["gare de Miramas : quelles lignes ?", "festival de piano", "festivals de jazz à Vitrolles",
             "geoscience laboratory studying climate and soils", "quale museo ha opere di Félix Ziem?",
             "plages pour les familles", "que faire dans le Pays d'Aubagne et de l'Étoile ?"]


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_candidates_covering_every_chunk_give_the_exact_results(engine, monkeypatch, mode):
    monkeypatch.setattr(search, "DENSE_CANDIDATES", engine.refresh().size)
    exact, candidates = engine.searcher, by_candidates(engine)
    for text in QUESTIONS:
        question = engine.question(text)
        assert candidates.search(question, k=5, mode=Mode(mode)) == exact.search(question, k=5, mode=Mode(mode))


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_a_short_candidate_list_keeps_the_best_results(engine, monkeypatch, mode):
    monkeypatch.setattr(search, "DENSE_CANDIDATES", 3)
    exact, candidates = engine.searcher, by_candidates(engine)
    for text in QUESTIONS:
        question = engine.question(text)
        top = ids(exact.search(question, k=2, mode=Mode(mode), equity=False))
        assert ids(candidates.search(question, k=2, mode=Mode(mode), equity=False)) == top, text


def test_in_dense_mode_only_candidates_are_results(engine, monkeypatch):
    monkeypatch.setattr(search, "DENSE_CANDIDATES", 2)
    hits = by_candidates(engine).search(engine.question("festival de piano"), k=10, mode=Mode.DENSE)
    assert 1 <= len(hits) <= 2 and hits[0].doc_id == "fest-piano"


def _doc(doc_id, title, text, lang):
    from cigale.documents import Document

    return Document(doc_id, title, text, lang=lang, places=("13022",))

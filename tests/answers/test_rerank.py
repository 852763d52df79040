"""Optional re-ranking by a model (cigale/rerank.py), over the real protocol: the scripted
OpenAI-compatible server (fake_llm.py) answers with a ranking, prose, or an error. Nothing
depends on it: whatever the model does, the search's results are all there."""

import pytest

from cigale.rerank import order

QUESTION = "festivals à Vitrolles et à La Roque-d'Anthéron"  # names places: not an open question


def ids(hits):
    return [h.doc_id for h in hits]


def test_off_by_default_the_model_is_never_asked_to_rank(engine_with, llm):
    import httpx

    before = httpx.get(llm + "/calls").json()["calls"]
    engine_with("rank-reverse").search(QUESTION, k=5)
    assert httpx.get(llm + "/calls").json()["calls"] == before


def test_the_model_orders_the_best_results(engine_with):
    plain = ids(engine_with("rank-reverse").search(QUESTION, k=6))
    reranked = ids(engine_with("rank-reverse", llm_rerank=4).search(QUESTION, k=6))
    assert reranked[:4] == plain[:4][::-1]  # the scripted model reverses what it is shown
    assert reranked[4:] == plain[4:]  # what it was not shown keeps its place


@pytest.mark.parametrize("model", ["rank-prose", "rank-ramble", "fail", "slow"])
def test_a_model_that_does_not_rank_leaves_the_search_order(engine_with, model):
    plain = ids(engine_with("rank-reverse").search(QUESTION, k=6))
    assert ids(engine_with(model, llm_rerank=4, llm_timeout=0.5, llm_retries=0).search(QUESTION, k=6)) == plain


def test_an_open_question_keeps_the_equity_order(engine_with):
    plain = ids(engine_with("rank-reverse").search("festivals de jazz", k=5))
    assert ids(engine_with("rank-reverse", llm_rerank=4).search("festivals de jazz", k=5)) == plain


@pytest.mark.parametrize("text, expected", [
    ("3 > 1 > 2", [2, 0, 1]),
    ("[2] > [2] > [9] > [1]", [1, 0, 2]),  # repeated and unknown numbers ignored, the rest kept after
    ("2", [1, 0, 2]),
    ("Passage one is best.", None),
])
def test_a_ranking_is_read_from_the_numbers_the_model_names(text, expected):
    assert order(text, 3) == expected

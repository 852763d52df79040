"""Evaluation helpers: question files, TREC runs and metrics on hand-made rankings."""

import pytest

from cigale.errors import SourceError
from cigale.evaluate import load_qrels, load_queries, percentile, score, write_trec


@pytest.fixture
def qrels(tmp_path):
    path = tmp_path / "qrels.txt"
    path.write_text("q1 0 a 3\nq1 0 b 0\nq2 0 c 2\nq2 0 d 1\nq3 0 e 0\n")
    return load_qrels(path)


def test_a_perfect_run_scores_one_and_unjudged_questions_are_left_out(qrels):
    result = score({"q1": {"a": 2, "b": 1}, "q2": {"c": 2, "d": 1}, "q3": {"e": 1}}, qrels)
    assert result == {"ndcg@10": 1.0, "recall@20": 1.0, "mrr@10": 1.0, "questions": 2}


def test_a_relevant_document_at_rank_two_halves_the_reciprocal_rank(qrels):
    result = score({"q1": {"b": 2, "a": 1}, "q2": {"c": 2}}, qrels)
    assert result["mrr@10"] == pytest.approx((0.5 + 1.0) / 2)
    assert result["ndcg@10"] < 1.0


def test_trec_runs_are_ranked_by_score(tmp_path):
    path = tmp_path / "run.trec"
    write_trec({"q1": {"x": 0.2, "y": 0.9}}, path, tag="t")
    assert path.read_text().splitlines() == ["q1 Q0 y 1 0.900000 t", "q1 Q0 x 2 0.200000 t"]


def test_question_files_are_checked_line_by_line(tmp_path):
    good = tmp_path / "q.jsonl"
    good.write_text('{"id": "1", "text": "jazz", "lang": "fr"}\n\n{"id": 2, "text": "museums"}\n')
    assert [(q.id, q.lang) for q in load_queries(good)] == [("1", "fr"), ("2", None)]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "text": "jazz"}\n{"text": "no id"}\n')
    with pytest.raises(SourceError, match="bad.jsonl:2"):
        load_queries(bad)


def test_percentiles():
    assert percentile(list(range(1, 101)), 95) == 95
    assert percentile([5.0], 95) == 5.0

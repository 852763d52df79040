"""The `cigale` command line, run for real in subprocesses (as a user or a script runs it)."""

import json
import os
import re
import subprocess
import sys

import pytest
from records import CORPUS

from cigale import Settings

QUERIES = [
    {"id": "q-jazz", "text": "festival de jazz"},
    {"id": "q-gare", "text": "gare de Miramas", "lang": "fr"},
    {"id": "q-cassis", "text": "boat trips to the Calanques from Cassis", "lang": "en"},
    {"id": "q-unjudged", "text": "horaires de la piscine"},
]
# qid iteration docid grade (TREC qrels); q-unjudged has no relevant document: left out of the averages.
QRELS = """q-jazz 0 fest-jazz-marseille 2
q-jazz 0 fest-jazz-vitrolles 2
q-jazz 0 fest-piano 1
q-gare 0 gare-miramas 3
q-cassis 0 guide-en-cassis 2
q-unjudged 0 plage-sausset 0
"""


def environment(**extra):
    """The caller's environment without any CIGALE_* setting; a wide terminal so that rich does not
    wrap the output (the wrapping itself is tested below)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIGALE_") and k != "COLUMNS"}
    env["COLUMNS"] = "400"
    env.update(extra)
    return env


def cigale(*args, env=None, cwd=None, timeout=180):
    return subprocess.run([sys.executable, "-m", "cigale.cli", *map(str, args)], capture_output=True, text=True,
                          env=environment() if env is None else env, cwd=cwd, timeout=timeout)


def assert_clean_error(result, code):
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("cigale: ")


@pytest.fixture(scope="module")
def data(tmp_path_factory, copy_of_built):
    """The corpus, ingested once for the module (a copy of the session's data directory)."""
    return copy_of_built(tmp_path_factory.mktemp("cli") / "data")


@pytest.fixture(scope="module")
def queries(tmp_path_factory):
    path = tmp_path_factory.mktemp("questions") / "questions.jsonl"
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUERIES), encoding="utf-8")
    return path


# --- ingest ------------------------------------------------------------------------------------------


def test_ingest_prints_a_summary_and_lists_failed_files_with_their_reason(tmp_path, corpus_file):
    missing = tmp_path / "absent.md"
    broken = tmp_path / "casse.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type")

    result = cigale("ingest", corpus_file, missing, broken, "--data", tmp_path / "data")

    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert f"failed {missing}: no such file or directory" in lines
    assert any(line.startswith(f"failed {broken}: unreadable PDF") for line in lines)
    summary = re.compile(r"2 files: 10 added, 0 updated, 0 unchanged, 0 removed, 2 failed; "
                         r"10 chunks \(10 embedded\), \d+ lines embedded in \d+\.\ds")
    assert any(summary.fullmatch(line) for line in lines), result.stderr
    assert (tmp_path / "data" / "cigale.sqlite3").is_file()


def test_ingest_output_keeps_one_line_per_message_when_piped(tmp_path):
    folder = tmp_path / "un_dossier_de_partenaire_au_nom_assez_long" / "et_encore_un_sous_dossier"
    missing = folder / "fiche-absente.md"
    env = environment()
    del env["COLUMNS"]

    result = cigale("ingest", missing, "--data", tmp_path / "data", env=env)

    lines = result.stderr.splitlines()
    assert f"failed {missing}: no such file or directory" in lines
    assert any(line.startswith("0 files: 0 added") and line.endswith("s") and "embedded)" in line for line in lines)


def test_ingest_json_prints_the_report(tmp_path, copy_of_built, corpus_file):
    data = tmp_path / "data"
    copy_of_built(data)
    note = tmp_path / "notes" / "navette.md"
    note.parent.mkdir()
    note.write_text("# Navette\n\nLa navette relie Aubagne et La Ciotat.\n", encoding="utf-8")

    result = cigale("ingest", corpus_file, note.parent, "--json", "--data", data)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"added", "updated", "unchanged", "deleted", "chunks", "embedded", "lines", "files",
                           "failed", "seconds"}
    assert (report["added"], report["unchanged"], report["embedded"], report["files"]) == (1, 10, 1, 2)
    assert report["lines"] == 2  # the note's title and its sentence, as answers may quote them
    assert report["failed"] == []


def test_ingest_json_lists_failed_files(tmp_path):
    missing = tmp_path / "absent.md"

    result = cigale("ingest", missing, "--json", "--data", tmp_path / "data")

    assert "Traceback" not in result.stderr
    assert json.loads(result.stdout)["failed"] == [{"path": str(missing), "reason": "no such file or directory"}]


def test_ingest_of_a_missing_path_is_reported_and_fails(tmp_path):
    missing = tmp_path / "nulle-part"

    result = cigale("ingest", missing, "--data", tmp_path / "data")

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert f"failed {missing}: no such file or directory" in result.stderr.splitlines()


# --- search ------------------------------------------------------------------------------------------


def test_search_json_returns_ranked_hits(data):
    result = cigale("search", "festival de jazz", "--json", "--k", "3", "--data", data)

    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    for hit in hits:
        assert {"doc_id", "score", "title", "snippet", "places"} <= set(hit)
    assert {h["doc_id"] for h in hits[:2]} == {"fest-jazz-marseille", "fest-jazz-vitrolles"}
    titles = {r["id"]: r["title"] for r in CORPUS}
    assert all(h["title"] == titles[h["doc_id"]] for h in hits)
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_search_text_output_lists_ranked_titles(data):
    result = cigale("search", "gare de Miramas", "--k", "2", "--data", data)

    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert re.fullmatch(r" 1\. Gare de Miramas  \[\d\.\d{3}\]  gare-miramas", first), first


def test_search_batch_writes_a_trec_run(tmp_path, data, queries):
    out = tmp_path / "run.trec"

    result = cigale("search", "--queries", queries, "--run", out, "--k", "5", "--data", data)

    assert result.returncode == 0, result.stderr
    rows = [line.split(" ") for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows and all(len(r) == 6 for r in rows)
    by_query = {}
    for qid, q0, doc_id, rank, score, tag in rows:
        assert q0 == "Q0" and tag == "cigale-hybrid"
        by_query.setdefault(qid, []).append((int(rank), float(score), doc_id))
    assert set(by_query) == {q["id"] for q in QUERIES}
    for ranked in by_query.values():
        assert 1 <= len(ranked) <= 5
        assert [r for r, _, _ in ranked] == list(range(1, len(ranked) + 1))
        scores = [s for _, s, _ in ranked]
        assert scores == sorted(scores, reverse=True)
        assert len({d for _, _, d in ranked}) == len(ranked)  # ranked by document
    assert by_query["q-gare"][0][2] == "gare-miramas"


def test_search_on_an_empty_data_directory_says_to_ingest_first(tmp_path):
    result = cigale("search", "festival de jazz", "--data", tmp_path / "empty")

    assert_clean_error(result, 3)
    assert "ingest" in result.stderr


def test_embed_lines_catches_up_the_lines_of_documents_ingested_without_them(tmp_path, corpus_file):
    off = environment(CIGALE_EMBED_LINES="false")
    ingested = cigale("ingest", corpus_file, "--data", tmp_path / "d", env=off)
    assert re.search(r"\(\d+ embedded\), 0 lines embedded", ingested.stderr), ingested.stderr
    first = cigale("embed-lines", "--data", tmp_path / "d")
    assert first.returncode == 0, first.stderr
    assert int(re.match(r"(\d+) lines embedded", first.stdout)[1]) > 0
    assert cigale("embed-lines", "--data", tmp_path / "d").stdout.startswith("0 lines embedded")
    assert_clean_error(cigale("embed-lines", "--data", tmp_path / "empty"), 3)


@pytest.mark.parametrize("command", ["ask", "search"])
@pytest.mark.parametrize("question", ["", "   "], ids=["empty", "blank"])
def test_an_empty_question_is_a_usage_error_without_traceback(data, command, question):
    result = cigale(command, question, "--data", data)

    assert_clean_error(result, 2)
    assert "empty" in result.stderr
    assert result.stdout == ""


# --- ask ---------------------------------------------------------------------------------------------


def test_ask_json_gives_the_answer_with_citations_and_places(data):
    result = cigale("ask", "Où se tient le festival international de piano ?", "--json", "--data", data)

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {"question", "lang", "answer", "abstained", "confidence", "citations", "places"} <= set(answer)
    assert answer["question"] == "Où se tient le festival international de piano ?"
    assert answer["lang"] == "fr"
    assert answer["abstained"] is False
    assert 0 < answer["confidence"] <= 1
    assert "[1]" in answer["answer"]
    for citation in answer["citations"]:
        assert {"n", "doc_id", "title", "url", "source", "places"} <= set(citation)
    first = answer["citations"][0]
    assert first["n"] == 1 and first["doc_id"] == "fest-piano"
    assert first["url"] == "https://example.org/piano"
    assert first["source"] == "Test partner: Provence Tourisme"
    assert first["places"] == ["13084"]
    assert {"insee": "13084", "name": "La Roque-d'Anthéron", "territory": "Pays d'Aix"} in answer["places"]
    for place in answer["places"]:
        assert set(place) == {"insee", "name", "territory"}


def test_ask_batch_writes_one_answer_per_line(tmp_path, data):
    asked = QUERIES[1:3]  # two questions keep the test short: each answer runs the model
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in asked), encoding="utf-8")
    out = tmp_path / "answers.jsonl"

    result = cigale("ask", "--queries", questions, "--out", out, "--data", data)

    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [a["id"] for a in answers] == ["q-gare", "q-cassis"]
    assert [a["question"] for a in answers] == [q["text"] for q in asked]
    for a in answers:
        assert {"answer", "abstained", "confidence", "citations", "places", "lang"} <= set(a)
    assert [a["lang"] for a in answers] == ["fr", "en"]
    assert answers[0]["citations"][0]["doc_id"] == "gare-miramas"
    assert "wrote 2 answers" in result.stdout


# --- eval --------------------------------------------------------------------------------------------


def test_eval_json_reports_ranking_metrics_and_latency(tmp_path, data, queries):
    qrels = tmp_path / "qrels.txt"
    qrels.write_text(QRELS, encoding="utf-8")

    result = cigale("eval", "--queries", queries, "--qrels", qrels, "--json", "--data", data)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["mode"] == "hybrid"
    assert report["questions"] == 3  # the unjudged question is left out
    for metric in ("ndcg@10", "recall@20", "mrr@10"):
        assert 0 <= report[metric] <= 1
    # every judged question has its answer ranked first on this small corpus
    assert report["mrr@10"] == 1.0
    assert report["recall@20"] == 1.0
    assert report["ndcg@10"] > 0.9
    latency = report["latency"]
    assert 0 < latency["p50_ms"] <= latency["p95_ms"]
    assert latency["n"] == len(QUERIES)


# --- settings ----------------------------------------------------------------------------------------


def test_settings_lists_every_setting_with_value_and_environment_variable(tmp_path):
    result = cigale("settings", "--data", tmp_path / "data",
                    env=environment(CIGALE_CHUNK_WORDS="77"))

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for name, _default, _help in Settings.describe():
        assert any(line.startswith(f"{name} = ") and "(env CIGALE_" in line for line in lines), name
    assert any(line.startswith(f"data_dir = {tmp_path / 'data'} ") for line in lines)
    assert any(line.startswith("chunk_words = 77 ") for line in lines)  # the environment shows through


def test_chat_answers_each_question_until_an_empty_line(data):
    result = subprocess.run([sys.executable, "-m", "cigale.cli", "chat", "--data", str(data)],
                            input="Quelles lignes à la gare de Miramas ?\n\nnever read\n", capture_output=True,
                            text=True, env=environment(), timeout=180)
    assert result.returncode == 0, result.stderr
    assert "Ligne" in result.stdout or "ligne" in result.stdout
    assert "[1] Gare de Miramas" in result.stdout
    assert "never read" not in result.stdout


def test_chat_reads_a_follow_up_as_refining_the_previous_question(data):
    result = subprocess.run([sys.executable, "-m", "cigale.cli", "chat", "--data", str(data)],
                            input="festivals de jazz à Marseille\net à Vitrolles ?\nQuelles lignes à la gare de "
                                  "Miramas ?\n\n", capture_output=True, text=True, env=environment(), timeout=180)
    assert result.returncode == 0, result.stderr
    assert "→ festivals de jazz à Vitrolles" in result.stdout and "Charlie Jazz Festival" in result.stdout
    assert "→ Quelles lignes" not in result.stdout  # a new topic stands alone


@pytest.mark.slow
def test_init_builds_the_starter_corpus_once(tmp_path):
    """Idempotent: run it twice, the second run embeds nothing (slow: ~400 short chunks and their
    ~2,500 lines, two minutes on 2 cores)."""
    first = cigale("init", "--data", tmp_path / "d", timeout=600)
    assert first.returncode == 0, first.stderr
    assert re.search(r"starter corpus for .*: (\d+) added", first.stdout)
    second = cigale("init", "--data", tmp_path / "d")
    assert re.search(r"0 added, 0 updated, \d+ unchanged \(0 chunks and 0 lines embedded\)", second.stdout)

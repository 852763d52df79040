"""`cigale audit` and `cigale coverage`, run for real in subprocesses."""

import json

import pytest
from records import CORPUS
from test_cli import assert_clean_error, cigale

from cigale import Engine, Settings
from cigale.territory import load

TERRITORIES = ["Marseille-Provence", "Pays d'Aix", "Pays Salonais", "Pays d'Aubagne et de l'Étoile",
               "Istres-Ouest Provence", "Pays de Martigues"]
REPORT_KEYS = {"source", "lists", "disparity", "marseille_share", "territories", "ndcg", "gaps"}
QUERIES = [
    {"id": "q-jazz", "text": "festivals de jazz"},
    {"id": "q-gare", "text": "gare de Miramas", "lang": "fr"},  # names a commune: not audited
    {"id": "q-baignade", "text": "où se baigner en été ?"},
    {"id": "q-piscine", "text": "horaires de la piscine"},  # nothing relevant: a coverage gap
]
QRELS = """q-jazz 0 fest-jazz-marseille 2
q-jazz 0 fest-jazz-vitrolles 2
q-gare 0 gare-miramas 3
q-baignade 0 plage-sausset 2
q-piscine 0 plage-sausset 0
"""
# Documents per sub-territory of the test corpus, counted by hand (no-place-note has no place).
DOCUMENTS = {"Marseille-Provence": 3, "Pays d'Aix": 3, "Pays Salonais": 0, "Pays d'Aubagne et de l'Étoile": 1,
             "Istres-Ouest Provence": 1, "Pays de Martigues": 1}


@pytest.fixture(scope="module")
def data(tmp_path_factory, copy_of_built):
    return copy_of_built(tmp_path_factory.mktemp("cli-audit") / "data")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audit-files")
    (folder / "q.jsonl").write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUERIES),
                                    encoding="utf-8")
    (folder / "qrels.txt").write_text(QRELS, encoding="utf-8")
    return folder / "q.jsonl", folder / "qrels.txt"


def test_audit_of_questions_prints_the_report_and_writes_it(tmp_path, data, files):
    queries, qrels = files
    out = tmp_path / "audit.json"

    result = cigale("audit", "--queries", queries, "--qrels", qrels, "--json", "--out", out, "--data", data)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) >= REPORT_KEYS
    assert report["source"] == "questions" and report["equity"] is True
    assert report["lists"] == 2  # jazz and baignade; Miramas is named, piscine is a gap
    assert report["gaps"] == 1
    assert set(report["ndcg"]) == {"on", "off"}
    assert [row["name"] for row in report["territories"]] == TERRITORIES
    assert sum(row["target"] for row in report["territories"]) == pytest.approx(1, abs=1e-3)
    assert 0 <= report["disparity"] <= 1 and 0 <= report["marseille_share"] <= 1
    assert json.loads(out.read_text(encoding="utf-8")) == report


def test_audit_accepts_equity_off(data, files):
    queries, _ = files
    result = cigale("audit", "--queries", queries, "--equity", "off", "--json", "--data", data)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["equity"] is False and report["lists"] == 3 and report["gaps"] == 0 and report["ndcg"] is None


def test_audit_text_output_is_a_table_of_the_territories(data, files):
    queries, _ = files
    result = cigale("audit", "--queries", queries, "--data", data)

    assert result.returncode == 0, result.stderr
    for name in TERRITORIES:
        assert name in result.stdout
    assert "over 3 open questions (equity on)" in result.stdout and "disparity" in result.stdout


@pytest.mark.parametrize("args", [[], ["--log", "--queries", "q.jsonl"]])
def test_audit_needs_either_questions_or_the_log(data, args):
    result = cigale("audit", *args, "--data", data)
    assert_clean_error(result, 2)
    assert "--queries" in result.stderr and "--log" in result.stderr


def test_audit_of_the_log_without_answers_served_is_empty(data):
    result = cigale("audit", "--log", "--json", "--data", data)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["source"] == "log" and report["lists"] == 0 and report["disparity"] == 0
    assert [row["name"] for row in report["territories"]] == TERRITORIES


def test_audit_of_the_log_counts_the_open_answers_recorded(tmp_path, copy_of_built):
    data = tmp_path / "data"
    copy_of_built(data)
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=data))
    for question in ("festivals de jazz", "quels musées visiter ?", "gare de Miramas"):
        engine.ask(question, record=True)
    engine.close()

    result = cigale("audit", "--log", "--json", "--data", data)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["lists"] == 2  # the question naming Miramas is logged, not audited
    assert sum(row["exposure"] for row in report["territories"]) == pytest.approx(1, abs=1e-3)


def test_coverage_json_lists_territories_communes_and_those_without_content(data):
    result = cigale("coverage", "--json", "--data", data)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"subterritories", "communes", "without_content"}
    assert {row["name"]: row["documents"] for row in report["subterritories"]} == DOCUMENTS
    words = sum(len(r["text"].split()) for r in CORPUS if r["id"] != "no-place-note")
    assert sum(row["words"] for row in report["subterritories"]) == words
    assert all({"code", "name", "documents", "words", "population", "words_per_10k"} <= set(row)
               for row in report["subterritories"] + report["communes"])
    with_content = {row["name"] for row in report["communes"] if row["documents"]}
    assert with_content == {"La Roque-d'Anthéron", "Vitrolles", "Marseille", "Martigues", "Miramas",
                            "Aix-en-Provence", "Sausset-les-Pins", "Cassis", "Aubagne"}
    assert set(report["without_content"]) == {row["name"] for row in report["communes"]} - with_content
    population = {row["name"]: row["population"] for row in report["communes"]}
    missing = [population[name] for name in report["without_content"]]
    assert missing == sorted(missing, reverse=True)  # largest first


def test_coverage_prints_a_table_of_the_six_territories(data):
    result = cigale("coverage", "--data", data)

    assert result.returncode == 0, result.stderr
    for name in TERRITORIES:
        assert name in result.stdout
    assert f"{len(load().communes) - 9} communes have no content: " in result.stdout
    assert "Salon-de-Provence" in result.stdout

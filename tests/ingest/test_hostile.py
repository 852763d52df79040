"""A folder of hostile files (scripts/hostile_files.py) ingested with the real engine into an
index that already holds the test corpus: no file crashes the ingest or spoils the batch, each
bad one gets one precise SourceError, nothing of it is stored, and the index stays sound."""

import sqlite3
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_readers import deadline

from cigale import Engine, Settings
from cigale.ingest import IngestReport

sys.path.insert(0, str(Path(__file__).parents[2] / "scripts"))
from hostile_files import Case, Expect, generate  # noqa: E402


@dataclass
class Hostile:
    engine: Engine
    folder: Path
    cases: list[Case]
    report: IngestReport
    documents_before: dict  # the corpus already stored, by id
    jazz_before: list[str]  # what a lexical search for "jazz" returned


def found(engine, word) -> list[str]:
    """Documents a lexical search for `word` returns (BM25 returns only documents holding it)."""
    return [h.doc_id for h in engine.search(word, k=20, mode="bm25")]


def failures_of(report, folder, case) -> list:
    """The SourceErrors naming the case's file, or one of its lines."""
    path = str(folder / case.name)
    return [e for e in report.failed if e.path == path or e.path.startswith(path + ":")]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, copy_of_built):
    """The corpus ingested once, with --prune, into a copy of the built test index."""
    root = tmp_path_factory.mktemp("hostile")
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=copy_of_built(root / "data")))
    documents_before = engine.store.get_documents(set(engine.store.document_hashes()))
    jazz_before = found(engine, "jazz")
    folder = root / "hostile"
    cases = generate(folder)
    with deadline(120):  # a named pipe read, or quadratic markup, would hang instead of failing
        report = engine.ingest([folder], prune=True)
    yield Hostile(engine, folder, cases, report, documents_before, jazz_before)
    engine.close()


def test_the_corpus_covers_every_kind_of_outcome_and_stays_small(hostile):
    assert {c.expect for c in hostile.cases} == set(Expect)
    sizes = [(hostile.folder / c.name).lstat().st_size for c in hostile.cases]
    assert max(sizes) < 1024 * 1024 and sum(sizes) < 4 * 1024 * 1024


def test_every_bad_file_gets_exactly_one_precise_error(hostile):
    for case in hostile.cases:
        failures = failures_of(hostile.report, hostile.folder, case)
        if case.expect == Expect.OK:
            assert failures == [], case.name
            continue
        assert len(failures) == 1, (case.name, failures)
        (error,) = failures
        assert case.reason in error.reason, (case.name, error.reason)
        assert "Traceback" not in error.reason and "\n" not in error.reason and len(error.reason) < 250
    named = [e for c in hostile.cases for e in failures_of(hostile.report, hostile.folder, c)]
    assert len(named) == len(hostile.report.failed), "every error names a file of the corpus"


def test_the_documents_of_good_files_and_good_records_are_searchable(hostile):
    engine = hostile.engine
    origins = {d.origin for d in engine.store.get_documents(set(engine.store.document_hashes())).values()}
    for case in hostile.cases:
        if case.expect == Expect.ERROR:
            assert str(hostile.folder / case.name) not in origins, case.name
        else:
            assert found(engine, case.word), case.name
            assert str(hostile.folder / case.name) in origins, case.name


def test_no_hidden_word_becomes_searchable(hostile):
    """Words of refused files, of scripts, and of the file a link points to outside the folder."""
    hidden = {c.hidden for c in hostile.cases if c.hidden}
    assert {"zqxsecret", "zqxscript"} <= hidden
    for word in hidden:
        assert found(hostile.engine, word) == [], word
        assert not any(word in s.chunk.text for s in hostile.engine.store.iter_chunks()), word


def test_the_previous_index_stays_intact_and_searchable(hostile):
    engine, report = hostile.engine, hostile.report
    before = hostile.documents_before

    assert report.deleted == 0
    assert engine.store.get_documents(set(before)) == before
    assert len(engine.store.document_hashes()) == len(before) + report.added
    assert len(hostile.jazz_before) >= 2 and set(found(engine, "jazz")) == set(hostile.jazz_before)


def test_the_store_passes_the_sqlite_integrity_check(hostile):
    path = hostile.engine.settings.data_dir / "cigale.sqlite3"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_a_second_ingest_of_the_same_folder_changes_nothing(hostile):
    engine, first = hostile.engine, hostile.report
    version = engine.store.version()

    with deadline(120):
        second = engine.ingest([hostile.folder], prune=True)

    assert (second.added, second.updated, second.deleted, second.embedded) == (0, 0, 0, 0)
    assert second.unchanged == first.added
    assert [(e.path, e.reason) for e in second.failed] == [(e.path, e.reason) for e in first.failed]
    assert engine.store.version() == version

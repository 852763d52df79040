"""One engine over the partner-shaped records of tests/records.py for the whole session (the
answer tests only read)."""

import pytest

from cigale import Engine, Settings


@pytest.fixture(scope="session")
def answers(answers_data):
    """The engine over tests/records.py (built once: `answers_data`); tests read only (no `record`)."""
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=answers_data))
    yield engine
    engine.close()

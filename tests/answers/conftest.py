"""One engine over the partner-shaped records of tests/records.py for the whole session (the
answer tests only read), and engines whose model is one of the scripted server's (fake_llm.py)."""

import pytest

from cigale import Engine, Settings


@pytest.fixture(scope="session")
def answers(answers_data):
    """The engine over tests/records.py (built once: `answers_data`); tests read only (no `record`)."""
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=answers_data))
    yield engine
    engine.close()


@pytest.fixture
def engine_with(llm, tmp_path, copy_of_built):
    """An engine over a copy of the test corpus whose model is `model` at the scripted server."""
    data = tmp_path / "data"
    copy_of_built(data)
    opened = []

    def make(model, **settings):
        values = {"data_dir": data, "llm_base_url": llm + "/v1", "llm_model": model, "llm_timeout": 2.0, **settings}
        engine = Engine.open(settings=Settings.load(environ={}, **values))
        opened.append(engine)
        return engine

    yield make
    for engine in opened:
        engine.close()

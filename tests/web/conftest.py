"""Fixtures of the web tests: a running server over a copy of the test corpus."""


import httpx
import pytest
from server import start


@pytest.fixture(scope="session")
def web_data(tmp_path_factory, copy_of_built):
    return copy_of_built(tmp_path_factory.mktemp("web") / "data")


@pytest.fixture(scope="session")
def server(web_data):
    with start(web_data) as running:
        yield running


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def web_data_copy(tmp_path, copy_of_built):
    """A private copy of the test corpus, for servers that record what they serve."""
    return copy_of_built(tmp_path / "data")


@pytest.fixture
def pg_writer(web_data_copy, pg_url, tmp_path):
    """The test corpus copied (`cigale migrate`) into a new PostgreSQL database, and an engine on
    it: what another machine ingests with. Its database URL is `pg_url`."""
    from cigale import Engine, Settings
    from cigale.store.migrate import migrate

    source = Engine.open(settings=Settings.load(environ={}, data_dir=web_data_copy))
    writer = Engine.open(settings=Settings.load(environ={}, data_dir=tmp_path / "writer", database_url=pg_url),
                         upgrade=True)
    migrate(source.store, writer.store)
    source.close()
    yield writer
    writer.close()

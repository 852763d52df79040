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

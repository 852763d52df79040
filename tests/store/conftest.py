"""The stores under test: a fresh, empty, writable store of each backend (PostgreSQL: a new
database on the session's server, see tests/conftest.py)."""

import pytest

from cigale.store.postgres import PostgresStore
from cigale.store.sqlite import SQLiteStore

BACKENDS = ("sqlite", "postgres")


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    """A fresh, empty, writable store; a test class narrows the backends with
    ``@pytest.mark.parametrize("store", ["postgres"], indirect=True)``."""
    if request.param == "sqlite":
        made = SQLiteStore(tmp_path / "data")
    else:
        made = PostgresStore(request.getfixturevalue("pg_url"), upgrade=True)
    yield made
    made.close()

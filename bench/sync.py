"""Content operations figures: a large export ingested in bounded memory, and the sync's cost.

    python bench/sync.py [--pages 2000] [--jsonl-mb 200] [--only sync|jsonl]

1. A generated JSONL export of `--jsonl-mb` MB (a partner's dump: distinct records whose texts
   come from a pool of 400, so that the model embeds 400 texts, not the whole file) ingested by
   `cigale ingest` in a subprocess; its peak memory (ru_maxrss), the file size and the time.
2. A generated partner site of `--pages` pages on loopback (tests/ingest/partner_site.py, half
   of the sitemap entries with a lastmod, half without), synced three times into a fresh data
   directory: the first sync (everything new, every chunk embedded), the same without the
   embedding (the pages and their chunks' vectors already in the cache: fetch, parse, chunk,
   store, index), and a re-sync with no change. Pages/s for the first two; the cost of the
   re-sync as a share of the first (requests, bytes downloaded, seconds).

Writes bench/results/sync.json. Runs without ../shared (its own generated data).
"""

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "ingest")]

from bench.common import write  # noqa: E402
from cigale import Engine, Settings  # noqa: E402

COMMUNES = ["Aix-en-Provence", "Aubagne", "Martigues", "Istres", "Salon-de-Provence", "Marseille", "Cassis",
            "La Ciotat", "Gardanne", "Vitrolles", "Marignane", "Miramas", "Trets", "Pélissanne", "Allauch"]
THINGS = ["musée", "plage", "marché", "festival", "sentier", "bibliothèque", "théâtre", "port", "jardin", "chapelle",
          "cinéma", "piscine", "médiathèque", "stade", "conservatoire"]
WORDS = ("le", "la", "les", "de", "du", "des", "un", "une", "et", "à", "au", "en", "sur", "pour", "avec", "dans",
         "ouvert", "chaque", "samedi", "dimanche", "matin", "soir", "été", "hiver", "visite", "gratuite",
         "entrée", "tarif", "réduit", "accès", "bus", "parking", "centre", "ville", "vieux", "quartier", "place",
         "cours", "avenue", "historique", "provençal", "producteurs", "artisans", "concerts", "expositions",
         "ateliers", "enfants", "familles")
CONTACT = "https://cigale.test/bench"


def text(rng: random.Random, words: int = 140) -> tuple[str, str]:
    commune, thing = rng.choice(COMMUNES), rng.choice(THINGS)
    title = f"{thing.capitalize()} de {commune} n° {rng.randrange(10**6)}"
    body = " ".join(rng.choice(WORDS) for _ in range(words))
    return title, f"Le {thing} de {commune} : {body}."


def jsonl(path: Path, megabytes: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    pool = [text(rng, 300) for _ in range(400)]
    target, n = megabytes * 1024 * 1024, 0
    with path.open("w", encoding="utf-8") as f:
        while f.tell() < target:
            title, body = pool[n % len(pool)]
            f.write(json.dumps({"id": f"export-{n}", "title": title, "text": body, "source": "Export",
                                "places": [rng.choice(["13001", "13005", "13056", "13047"])]},
                               ensure_ascii=False) + "\n")
            n += 1
    return n


def bench_jsonl(tmp: Path, megabytes: int) -> dict:
    path = tmp / "export.jsonl"
    records = jsonl(path, megabytes)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cigale.cli", "ingest", "--data", str(tmp / "jsonl-data"),
                           str(path), "--json"], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        return {"error": done.stderr[-2000:]}
    report = json.loads(done.stdout.strip().splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    return {"file_mb": round(path.stat().st_size / 2**20, 1), "records": records, "added": report["added"],
            "failed": len(report["failed"]), "embedded_chunks": report["embedded"], "seconds": round(seconds, 1),
            "peak_rss_mb": round(peak, 1)}


def site_pages(site, pages: int, seed: int = 1) -> None:
    from partner_site import Page

    rng = random.Random(seed)
    entries = []
    for i in range(pages):
        title, body = text(rng)
        path = f"/pages/{i:05d}.html"
        site.routes[path] = Page(f"<html lang='fr'><head><title>{title}</title></head><body><nav>Menu</nav>"
                                 f"<article><h1>{title}</h1><p>{body}</p></article></body></html>")
        lastmod = f"<lastmod>2026-{1 + i % 12:02d}-01</lastmod>" if i % 2 else ""
        entries.append(f"<url><loc>{site.url}{path}</loc>{lastmod}</url>")
    site.routes["/robots.txt"] = Page("User-agent: *\nAllow: /\n", "text/plain")
    site.routes["/sitemap.xml"] = Page('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                                       f'sitemap/0.9">{"".join(entries)}</urlset>', "application/xml")


def bench_sync(tmp: Path, pages: int) -> dict:
    from partner_site import Site

    from cigale.ingest.sources import load_sources
    from cigale.ingest.sync import sync

    sources = tmp / "sources.toml"
    out = {"pages": pages}
    with Site() as site:
        site_pages(site, pages)
        sources.write_text(f'[[source]]\npartner = "Bench"\nname = "bench"\nkind = "sitemap"\n'
                           f'url = "{site.url}/sitemap.xml"\nallow_private = true\nrate = 0\nconcurrency = 4\n'
                           f"max_pages = {pages}\n", encoding="utf-8")
        for run, data in (("first", "a"), ("cached_vectors", "b"), ("no_change", "b")):
            if run == "cached_vectors":  # vectors already cached: copy the first run's cache into a fresh store
                _copy_vectors(tmp / "a", tmp / "b")
            engine = Engine.open(settings=Settings.load(environ={}, data_dir=tmp / data, crawler_contact=CONTACT))
            site.reset_counts()
            started = time.perf_counter()
            [report] = sync(engine, load_sources(sources, engine.territory))
            seconds = time.perf_counter() - started
            sent = sum(len(site.routes[p].data) for p, n in site.bodies.items() for _ in range(n))
            out[run] = {"seconds": round(seconds, 2), "pages_per_s": round(pages / seconds, 1),
                        "requests": report.requests, "bodies": report.fetched, "bytes_downloaded": sent,
                        "new": report.new, "unchanged": report.unchanged, "embedded": report.embedded,
                        "failed": len(report.failed) + len(report.refused)}
            engine.close()
    first = out["first"]
    out["no_change_share"] = {k: round(out["no_change"][k] / first[k], 4) if first[k] else 0.0
                              for k in ("seconds", "requests", "bytes_downloaded")}
    return out


def _copy_vectors(source: Path, target: Path) -> None:
    import sqlite3

    Engine.open(settings=Settings.load(environ={}, data_dir=target)).close()  # the schema
    with sqlite3.connect(target / "cigale.sqlite3") as db:
        db.execute("ATTACH DATABASE ? AS a", (str(source / "cigale.sqlite3"),))
        db.execute("INSERT OR IGNORE INTO vectors SELECT * FROM a.vectors")
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--jsonl-mb", type=int, default=200)
    parser.add_argument("--only", choices=("sync", "jsonl"))
    args = parser.parse_args()
    previous = ROOT / "bench" / "results" / "sync.json"
    # --only reruns one part and keeps the other's figures
    result = json.loads(previous.read_text(encoding="utf-8")) if args.only and previous.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.only != "jsonl":
            result["sync"] = bench_sync(tmp, args.pages)
            print(json.dumps(result["sync"], indent=2))
        if args.only != "sync":
            result["jsonl"] = bench_jsonl(tmp, args.jsonl_mb)
            print(json.dumps(result["jsonl"], indent=2))
    write("sync", result)


if __name__ == "__main__":
    main()

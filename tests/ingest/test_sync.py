"""`cigale sync`: a partner's site, feeds and calendar kept in sync, politely and safely.

Every test runs a real HTTP server on loopback (tests/ingest/partner_site.py) holding a small partner
site; the sources allow that private address (`allow_private`), except where the test is that
they must not.
"""

from datetime import UTC, datetime

import pytest
from partner_site import Page, Site

from cigale import Engine, Settings
from cigale.cli import main
from cigale.errors import ConfigError
from cigale.ingest.fetch import Fetcher, Refused
from cigale.ingest.sources import Kind, load_sources
from cigale.ingest.sync import sync

CONTACT = "https://cigale.test/contact"
LIMIT = 100_000  # sync_max_page_bytes in these tests


def html(title: str, body: str, links: str = "") -> str:
    return (f"<html lang='fr'><head><title>{title}</title></head><body><nav>Accueil</nav><article><h1>{title}</h1>"
            f"<p>{body}</p>{links}</article><footer>Mentions légales</footer></body></html>")


CALANQUES = html("Les calanques de Cassis", "Les calanques de Port-Miou, Port-Pin et En-Vau se visitent à pied "
                 "depuis Cassis ; le sentier du littoral part du port. Baignade surveillée en été à la plage "
                 "de la Grande Mer.")
MUSEE = html("Musée d'histoire de Marseille", "Le musée d'histoire de Marseille, au Centre Bourse, retrace vingt-six "
             "siècles d'histoire de la ville ; ouvert du mardi au dimanche de 9 h 30 à 18 h.")
MUSEE_V2 = html("Musée d'histoire de Marseille", "Le musée d'histoire de Marseille, au Centre Bourse, retrace "
                "vingt-six siècles d'histoire ; à partir de novembre il ouvre aussi le lundi, de 10 h à 17 h.")
SAINTE_VICTOIRE = html("La montagne Sainte-Victoire", "La Sainte-Victoire domine le pays d'Aix : la croix de "
                       "Provence se gagne depuis le parking des Cabassols à Vauvenargues en deux heures de marche.")
GONE = html("Fête de la Saint-Éloi à Gardanne", "La fête de la Saint-Éloi anime Gardanne chaque été : procession, "
            "charrettes décorées et bal sur le cours.")


def sitemap(*entries) -> str:
    urls = "".join(f"<url><loc>{loc}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</url>" for loc, mod in entries)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def fill(site: Site) -> None:
    """The partner's site as the first sync finds it."""
    u = site.url
    site.routes.update({
        "/robots.txt": Page("User-agent: *\nDisallow: /prive/\n", "text/plain"),
        "/sitemap.xml": Page('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                             f"<sitemap><loc>{u}/sitemap-pages.xml</loc></sitemap></sitemapindex>", "application/xml"),
        "/sitemap-pages.xml": Page(sitemap(
            (f"{u}/calanques.html", "2026-09-01"),
            (f"{u}/musee.html", "2026-09-02"),
            (f"{u}/sainte-victoire.html", None),  # no lastmod: the conditional request does the work
            (f"{u}/saint-eloi.html", "2026-09-03"),
            (f"{u}/prive/intranet.html", None),
            (f"{u}/boucle", None),
            (f"{u}/enorme.html", None),
            (f"{u}/plan.png", None),
            (f"{u}/panne.html", None),
            ("http://169.254.169.254/latest/meta-data/", None),
        ), "application/xml"),
        "/calanques.html": Page(CALANQUES),
        "/musee.html": Page(MUSEE),
        "/sainte-victoire.html": Page(SAINTE_VICTOIRE),
        "/saint-eloi.html": Page(GONE),
        "/prive/intranet.html": Page(html("Intranet", "Réservé au personnel.")),
        "/boucle": Page(status=302, headers={"Location": "/boucle-2"}),
        "/boucle-2": Page(status=302, headers={"Location": "/boucle"}),
        "/enorme.html": Page(html("Énorme", "mot " * (LIMIT // 4))),
        "/plan.png": Page(b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png"),
        "/panne.html": Page("Internal Server Error", "text/plain", status=500),
    })


@pytest.fixture
def site():
    with Site() as s:
        fill(s)
        yield s


def settings(data, **more) -> Settings:
    return Settings.load(environ={}, data_dir=data, crawler_contact=CONTACT, sync_max_page_bytes=LIMIT, **more)


@pytest.fixture
def engine(tmp_path):
    e = Engine.open(settings=settings(tmp_path / "data"))
    yield e
    e.close()


def sources_file(tmp_path, site, body: str = "") -> str:
    path = tmp_path / "sources.toml"
    path.write_text(body or f"""
[[source]]
partner = "provence-tourisme"
name = "tourisme"
kind = "sitemap"
url = "{site.url}/sitemap.xml"
allow_private = true
rate = 0
""", encoding="utf-8")
    return path


def run(engine, path, *names):
    from cigale.ingest.sources import select

    return {r.name: r for r in sync(engine, select(load_sources(path, engine.territory), names))}


def problems(report) -> dict[str, str]:
    return {p.url.rsplit("/", 1)[-1] or p.url: p.reason for p in report.refused + report.failed}


def test_a_first_sync_ingests_the_pages_the_sitemap_lists_and_says_why_it_left_out_the_others(
        engine, site, tmp_path):
    report = run(engine, sources_file(tmp_path, site))["tourisme"]
    assert (report.new, report.updated, report.removed, report.error) == (4, 0, 0, None)
    docs = engine.store.get_documents([f"tourisme:{site.url}/{p}.html" for p in
                                       ("calanques", "musee", "sainte-victoire", "saint-eloi")])
    assert len(docs) == 4
    calanques = docs[f"tourisme:{site.url}/calanques.html"]
    # The partner is credited by the pack's name and linked; the page's furniture is left out.
    assert (calanques.source, calanques.url, calanques.lang) == ("Provence Tourisme", f"{site.url}/calanques.html",
                                                                 "fr")
    assert "Port-Miou" in calanques.text and "Mentions légales" not in calanques.text
    assert calanques.modified == "2026-09-01T00:00:00"  # the sitemap's lastmod

    refused = {p.url.rsplit("/", 2)[-1]: p.reason for p in report.refused}
    assert refused["intranet.html"] == "disallowed by robots.txt"
    assert refused["boucle"].startswith("redirect loop")
    assert "larger than the limit" in refused["enorme.html"]
    assert refused["plan.png"].startswith("content type image/png")
    assert refused[""] == "not on the source's site"  # the cloud metadata address listed in the sitemap
    assert {p.url.rsplit("/", 1)[-1]: p.reason for p in report.failed} == {
        "panne.html": "the server answered 500"}
    assert site.requests["/prive/intranet.html"] == 0  # robots.txt is read before, not after
    assert site.agents == {f"Cigale/0.1.0 (territorial answer engine; +{CONTACT})"}

    hits = engine.search("sentier des calanques depuis Cassis", k=3)
    assert hits[0].doc_id == f"tourisme:{site.url}/calanques.html"


def test_a_second_sync_without_change_downloads_nothing_and_embeds_nothing(engine, site, tmp_path):
    path = sources_file(tmp_path, site)
    run(engine, path)
    version = engine.store.version()
    site.reset_counts()
    report = run(engine, path)["tourisme"]
    assert (report.fetched, report.embedded, report.new, report.updated, report.removed) == (0, 0, 0, 0, 0)
    assert report.unchanged == 4
    # Every page it had was answered 304, or not asked at all (what it refused is asked again:
    # the limit or the type may have changed; it hangs up before the body).
    assert not set(site.bodies) - {"/enorme.html", "/plan.png"}
    assert site.requests["/calanques.html"] == 0  # its lastmod did not move: not even asked
    assert site.requests["/sainte-victoire.html"] == 1  # no lastmod: asked, answered 304
    assert engine.store.version() == version  # nothing written


def test_changed_pages_are_updated_and_removed_ones_deleted(engine, site, tmp_path):
    path = sources_file(tmp_path, site)
    run(engine, path)
    u = site.url
    site.routes["/musee.html"] = Page(MUSEE_V2, modified=datetime(2026, 10, 20, tzinfo=UTC))
    site.routes["/sitemap-pages.xml"] = Page(sitemap(
        (f"{u}/musee.html", "2026-10-20"),  # changed
        (f"{u}/sainte-victoire.html", None),
        (f"{u}/saint-eloi.html", "2026-10-22"),
        (f"{u}/panne.html", None),
    ), "application/xml")  # calanques.html no longer listed
    del site.routes["/saint-eloi.html"]  # listed as changed, but gone: 404
    site.reset_counts()
    report = run(engine, path)["tourisme"]
    assert (report.new, report.updated, report.removed) == (0, 1, 2)
    assert report.unchanged == 1  # sainte-victoire
    ids = set(engine.store.document_hashes())
    assert ids == {f"tourisme:{u}/musee.html", f"tourisme:{u}/sainte-victoire.html"}
    assert site.bodies["/musee.html"] == 1 and site.bodies["/sainte-victoire.html"] == 0
    hits = engine.search("le musée d'histoire ouvre-t-il le lundi ?", k=1)
    assert "lundi" in engine.store.get_documents([hits[0].doc_id])[hits[0].doc_id].text


def test_a_page_that_fails_keeps_what_it_said_before(engine, site, tmp_path):
    path = sources_file(tmp_path, site)
    run(engine, path)
    site.routes["/musee.html"] = Page("oops", "text/plain", status=503)
    site.routes["/sitemap-pages.xml"].body = sitemap((f"{site.url}/musee.html", "2026-10-21"))
    report = run(engine, path)["tourisme"]
    assert problems(report) == {"musee.html": "the server answered 503"}
    assert f"tourisme:{site.url}/musee.html" in engine.store.document_hashes()


CRAWL = """
[[source]]
partner = "Office de tourisme de Martigues"
name = "martigues"
kind = "crawl"
url = "{url}/accueil.html"
depth = 2
exclude = ["/agenda/"]
allow_private = true
rate = 0
"""


def test_a_crawl_follows_the_site_links_and_no_other(engine, site, tmp_path):
    site.routes.update({
        "/accueil.html": Page(html("Martigues, la Venise provençale", "Bienvenue à Martigues, entre l'étang de "
                                   "Berre et la mer.", "<a href='/canaux.html'>Canaux</a> "
                                   "<a href='http://10.0.0.1/admin'>admin</a> <a href='/agenda/noel.html'>Agenda</a> "
                                   "<a href='https://www.example.org/ailleurs.html'>ailleurs</a>")),
        "/canaux.html": Page(html("Les canaux de Martigues", "Le miroir aux oiseaux, quai Brescon, est le coin le "
                                  "plus photographié de Martigues.", "<a href='/plages.html'>Plages</a>")),
        "/plages.html": Page(html("Les plages de Martigues", "La Couronne et Carro offrent des plages de sable et "
                                  "des criques.", "<a href='/trop-loin.html'>encore</a>")),
        "/trop-loin.html": Page(html("Trop loin", "Au-delà de la profondeur demandée.")),
    })
    path = sources_file(tmp_path, site, CRAWL.format(url=site.url))
    report = run(engine, path)["martigues"]
    ids = {i.split("/")[-1] for i in engine.store.document_hashes()}
    assert ids == {"accueil.html", "canaux.html", "plages.html"}  # depth 2; the agenda is excluded
    assert (report.new, report.refused, report.failed) == (3, [], [])
    assert site.requests["/agenda/noel.html"] == 0

    # A page no longer linked from the site leaves the index at the next (complete) crawl.
    site.routes["/canaux.html"].body = html("Les canaux de Martigues", "Le miroir aux oiseaux, quai Brescon.")
    report = run(engine, path)["martigues"]
    assert (report.updated, report.removed) == (1, 1)
    assert {i.split("/")[-1] for i in engine.store.document_hashes()} == {"accueil.html", "canaux.html"}


def test_private_addresses_are_refused_unless_the_source_allows_them(engine, site, tmp_path):
    port = site.url.rsplit(":", 1)[1]
    path = sources_file(tmp_path, site, f"""
[[source]]
partner = "Quelqu'un"
name = "par-adresse"
kind = "sitemap"
url = "{site.url}/sitemap.xml"

[[source]]
partner = "Quelqu'un"
name = "par-nom"
kind = "rss"
url = "http://localhost:{port}/actualites.xml"

[[source]]
partner = "Provence Tourisme"
name = "tourisme"
kind = "sitemap"
url = "{site.url}/sitemap.xml"
allow_private = true
rate = 0
""")
    reports = run(engine, path)
    assert reports["par-adresse"].error == "127.0.0.1 resolves to 127.0.0.1, a loopback address"
    # The name is resolved, and its address checked: "localhost" is no way round.
    assert reports["par-nom"].error.endswith("a loopback address")
    assert site.requests["/actualites.xml"] == 0
    assert reports["tourisme"].new == 4  # a failing source does not stop the others


def test_the_link_local_range_is_refused_even_to_a_source_that_allows_private_addresses():
    with Fetcher(CONTACT, allow_private=True) as fetcher, pytest.raises(Refused, match="link-local"):
        fetcher.get("http://169.254.169.254/latest/meta-data/")


def test_sync_from_the_command_line_prints_a_summary_and_fails_when_a_source_failed(site, tmp_path, capsys,
                                                                                    monkeypatch):
    monkeypatch.setenv("CIGALE_CRAWLER_CONTACT", CONTACT)
    data = tmp_path / "data"
    path = sources_file(tmp_path, site)
    assert main(["sync", "--data", str(data), "--sources", str(path)]) == 0
    out = capsys.readouterr().out
    assert "tourisme" in out and "disallowed by robots.txt" in out
    del site.routes["/sitemap.xml"]
    assert main(["sync", "--data", str(data), "--sources", str(path), "--json"]) == 1
    assert '"error": "404 Not Found"' in capsys.readouterr().out


def test_sync_refuses_to_crawl_anonymously(tmp_path, site):
    e = Engine.open(settings=Settings.load(environ={}, data_dir=tmp_path / "d"))
    with pytest.raises(ConfigError, match="crawler_contact"):
        run(e, sources_file(tmp_path, site))


@pytest.mark.parametrize(("body", "message"), [
    ('[[source]]\nkind = "rss"\nurl = "https://a.example/f.xml"', "`partner` is required"),
    ('[[source]]\npartner = "P"\nkind = "ftp"\nurl = "https://a.example/"', "kind 'ftp' is not one of"),
    ('[[source]]\npartner = "P"\nkind = "rss"\nurl = "file:///etc/passwd"', "is not an http(s) URL"),
    ('[[source]]\npartner = "P"\nkind = "rss"', "a rss source needs `url`"),
    ('[[source]]\npartner = "P"\nkind = "crawl"\nurl = "https://a.example/"\ndepth = -1', "`depth` must be"),
    ('[[source]]\npartner = "P"\nkind = "crawl"\nurl = "https://a.example/"\nexclude = ["("]', "not a regular"),
    ('[[source]]\npartner = "P"\nkind = "rss"\nurl = "https://a.example/"\nspeed = 3', "unknown key(s) speed"),
    ('[[source]]\npartner = "P"\nkind = "rss"\nurl = "https://a/"\n[[source]]\npartner = "P"\nkind = "rss"\n'
     'url = "https://b/"', "several sources are named 'P rss'"),
    ("[[source]\n", "not valid TOML"),
])
def test_a_mistake_in_sources_toml_is_named_before_anything_is_fetched(tmp_path, body, message):
    path = tmp_path / "sources.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_sources(path)
    assert message in str(error.value)


def test_a_source_names_a_partner_of_the_pack_by_id_or_name(tmp_path, engine):
    path = tmp_path / "sources.toml"
    path.write_text('[[source]]\npartner = "amu"\nkind = "folder"\npath = "docs"\n', encoding="utf-8")
    [source] = load_sources(path, engine.territory)
    assert (source.partner, source.kind, source.path) == ("Aix-Marseille Université", Kind.FOLDER, tmp_path / "docs")


@pytest.mark.slow
def test_a_running_server_answers_from_newly_synced_content_without_a_restart(site, tmp_path):
    import socket
    import subprocess
    import sys
    import time

    import httpx
    from test_cli import environment

    data = tmp_path / "data"
    path = sources_file(tmp_path, site)
    e = Engine.open(settings=settings(data))
    run(e, path)
    e.close()
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    env = environment(CIGALE_CRAWLER_CONTACT=CONTACT, CIGALE_SYNC_MAX_PAGE_BYTES=str(LIMIT), CIGALE_RATE_LIMIT="0")
    server = subprocess.Popen([sys.executable, "-m", "cigale.cli", "serve", "--data", str(data), "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    question = {"q": "Où voir les flamants roses à Martigues ?"}
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read() if server.poll() else ""
            time.sleep(0.3)
        before = httpx.get(f"{url}/api/ask", params=question, timeout=60).json()
        assert not any("flamants" in c.get("url", "") for c in before["citations"])

        site.routes["/flamants.html"] = Page(html("Les flamants roses de l'étang de Berre", "À Martigues, les "
                                                  "flamants roses se voient toute l'année depuis la plage de Ferrières "
                                                  "et les salins de la pointe de Caronte."))
        site.routes["/sitemap-pages.xml"].body = sitemap((f"{site.url}/flamants.html", "2026-11-30"),
                                                         (f"{site.url}/calanques.html", "2026-09-01"))
        done = subprocess.run([sys.executable, "-m", "cigale.cli", "sync", "--data", str(data), "--sources",
                               str(path)], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr

        after = httpx.get(f"{url}/api/ask", params=question, timeout=60).json()
        assert after["citations"][0]["url"] == f"{site.url}/flamants.html"
        assert "Ferrières" in after["answer"]
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_example_sources_of_the_readme_are_valid_and_name_the_packs_partners(engine):
    from pathlib import Path

    sources = load_sources(Path(__file__).parents[2] / "docs" / "sources.toml", engine.territory)
    partners = {p.name for p in engine.territory.partners}
    assert {s.kind for s in sources} == set(Kind)
    assert len(partners & {s.partner for s in sources}) >= 8
    assert not any(s.allow_private for s in sources)


# --- feeds, calendars and events ---------------------------------------------------------------

AGENDA_ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Office de tourisme//Agenda//FR
X-WR-CALNAME:Agenda de Cassis
BEGIN:VEVENT
UID:marche-nocturne@cassis.test
DTSTAMP:20260901T000000Z
DTSTART;TZID=Europe/Paris:20261003T180000
DTEND;TZID=Europe/Paris:20261003T220000
RRULE:FREQ=WEEKLY;BYDAY=SA;UNTIL=20261128T230000Z
EXDATE;TZID=Europe/Paris:20261114T180000
SUMMARY:Marché nocturne de Cassis
LOCATION:Quai des Baux, Cassis
DESCRIPTION:Artisans et producteurs sur le port de Cassis, chaque samedi soir.
END:VEVENT
BEGIN:VEVENT
UID:concert-toussaint@aubagne.test
DTSTAMP:20260901T000000Z
DTSTART;TZID=Europe/Paris:20261101T170000
DTEND;TZID=Europe/Paris:20261101T190000
SUMMARY:Concert de la Toussaint
LOCATION:Église Saint-Sauveur, Aubagne
DESCRIPTION:Chœur et orgue pour le concert de la Toussaint à Aubagne.
END:VEVENT
BEGIN:VEVENT
UID:vendanges@trets.test
DTSTAMP:20260901T000000Z
DTSTART;VALUE=DATE:20260912
DTEND;VALUE=DATE:20260914
SUMMARY:Fête des vendanges de Trets
LOCATION:Trets
DESCRIPTION:Défilé de chars et dégustation au domaine.
END:VEVENT
END:VCALENDAR
"""

EVENTS_PAGE = html("Agenda de La Ciotat", "Les rendez-vous de la saison à La Ciotat et alentour.") .replace(
    "</head>", """<script type="application/ld+json">[
{"@context": "https://schema.org", "@type": "Festival", "name": "Festival du film de La Ciotat",
 "startDate": "2026-10-31T10:00:00+01:00", "endDate": "2026-11-01T22:00:00+01:00",
 "description": "Projections à l'Eden, la plus ancienne salle de cinéma du monde.",
 "location": {"@type": "Place", "name": "Eden Théâtre",
              "address": {"@type": "PostalAddress", "streetAddress": "25 boulevard Georges Clemenceau",
                          "postalCode": "13600", "addressLocality": "La Ciotat"}},
 "organizer": {"@type": "Organization", "name": "Ville de La Ciotat"},
 "offers": {"@type": "Offer", "price": "8", "priceCurrency": "EUR"}},
{"@context": "https://schema.org", "@type": "Event", "name": "Salon du livre de Martigues",
 "startDate": "2026-11-07", "endDate": "2026-11-08",
 "description": "Auteurs et éditeurs de Provence au salon du livre de Martigues.",
 "location": {"@type": "Place", "name": "Halle de Martigues",
              "address": {"@type": "PostalAddress", "addressLocality": "Martigues", "postalCode": "13500"}},
 "isAccessibleForFree": true}
]</script></head>""")

NEWS_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Actualités de la Métropole</title><link>{url}/</link><language>fr</language>
<item><title>Nouvelle ligne de bus entre Gardanne et Aix</title><link>{url}/actu/bus.html</link>
<guid>{url}/actu/bus.html</guid><pubDate>Mon, 26 Oct 2026 09:00:00 +0100</pubDate>
<description>&lt;p&gt;La ligne express relie Gardanne à Aix-en-Provence en vingt minutes.&lt;/p&gt;</description></item>
<item><title>Travaux sur le Vieux-Port</title><link>{url}/actu/travaux.html</link>
<guid>{url}/actu/travaux.html</guid><pubDate>Tue, 27 Oct 2026 09:00:00 +0100</pubDate>
<description>Le quai de la Fraternité est fermé aux voitures jusqu'au 15 novembre.</description></item>
</channel></rss>"""

FEEDS = """
[[source]]
partner = "Office de tourisme de Cassis"
name = "agenda"
kind = "ical"
url = "{url}/agenda.ics"
allow_private = true
rate = 0

[[source]]
partner = "Provence Tourisme"
name = "evenements"
kind = "jsonld"
url = "{url}/evenements.html"
allow_private = true
rate = 0

[[source]]
partner = "metropole"
name = "actualites"
kind = "rss"
url = "{url}/actualites.xml"
allow_private = true
rate = 0
"""

WEDNESDAY = "2026-10-28"  # the weekend after it runs from Saturday 31 October to Sunday 1 November


@pytest.fixture
def feeds_site(site):
    site.routes.update({
        "/agenda.ics": Page(AGENDA_ICS, "text/calendar; charset=utf-8"),
        "/evenements.html": Page(EVENTS_PAGE),
        "/actualites.xml": Page(NEWS_RSS.format(url=site.url), "application/rss+xml"),
    })
    return site


@pytest.fixture
def on_wednesday(tmp_path):
    e = Engine.open(settings=settings(tmp_path / "data", today=WEDNESDAY))
    yield e
    e.close()


def stored(engine) -> dict:
    return engine.store.get_documents(engine.store.document_hashes())


def test_calendars_feeds_and_event_pages_become_dated_documents(on_wednesday, feeds_site, tmp_path):
    path = sources_file(tmp_path, feeds_site, FEEDS.format(url=feeds_site.url))
    reports = run(on_wednesday, path)
    assert all(r.error is None and not r.failed for r in reports.values()), reports
    docs = stored(on_wednesday)

    markets = sorted(d.start[:10] for d in docs.values() if d.title == "Marché nocturne de Cassis")
    # Every Saturday from a week before today, up to the rule's end, but the excluded one.
    assert markets == ["2026-10-24", "2026-10-31", "2026-11-07", "2026-11-21", "2026-11-28"]
    market = next(d for d in docs.values() if d.title == "Marché nocturne de Cassis" and d.start.startswith(
        "2026-10-31"))
    assert market.places == ("13022",)  # Cassis, from the event's location
    assert "Quai des Baux" in market.text and market.url == f"{feeds_site.url}/agenda.ics"
    assert not any("vendanges" in d.title for d in docs.values())  # over long before today

    festival = next(d for d in docs.values() if d.title == "Festival du film de La Ciotat")
    assert (festival.start[:10], festival.end[:10], festival.places) == ("2026-10-31", "2026-11-01", ("13028",))
    assert "Eden Théâtre" in festival.text and "Ville de La Ciotat" in festival.text
    assert festival.source == "Provence Tourisme"

    bus = next(d for d in docs.values() if "bus" in d.title)
    assert bus.url == f"{feeds_site.url}/actu/bus.html" and bus.published.startswith("2026-10-26")
    assert bus.source == "Métropole Aix-Marseille-Provence" and "<p>" not in bus.text

    # Nothing changed: nothing downloaded, nothing embedded, nothing rewritten.
    version = on_wednesday.store.version()
    again = run(on_wednesday, path)
    assert all((r.fetched, r.embedded, r.new, r.updated, r.removed) == (0, 0, 0, 0, 0) for r in again.values())
    assert on_wednesday.store.version() == version


@pytest.mark.parametrize(("question", "lang"), [("Que faire ce week-end ?", "fr"),
                                                ("What's on this weekend?", "en")])
def test_this_weekend_across_the_month_end_finds_the_events_of_saturday_and_sunday(
        on_wednesday, feeds_site, tmp_path, question, lang):
    run(on_wednesday, sources_file(tmp_path, feeds_site, FEEDS.format(url=feeds_site.url)))
    docs = stored(on_wednesday)
    hits = on_wednesday.search(question, k=20, lang=lang)
    days = {docs[h.doc_id].title: docs[h.doc_id].start[:10] for h in hits if docs[h.doc_id].start}
    assert days["Marché nocturne de Cassis"] == "2026-10-31"
    assert days["Concert de la Toussaint"] == "2026-11-01"
    assert days["Festival du film de La Ciotat"] == "2026-10-31"
    assert "Salon du livre de Martigues" not in days  # the weekend after
    assert all("2026-10-31" <= docs[h.doc_id].start[:10] <= "2026-11-01" for h in hits if docs[h.doc_id].start)


def test_next_saturday_and_in_november_are_windows_too(on_wednesday, feeds_site, tmp_path):
    run(on_wednesday, sources_file(tmp_path, feeds_site, FEEDS.format(url=feeds_site.url)))
    docs = stored(on_wednesday)

    def dates(question):
        return sorted({docs[h.doc_id].start[:10] for h in on_wednesday.search(question, k=30, lang="fr")
                       if docs[h.doc_id].start})

    assert dates("marché nocturne samedi prochain") == ["2026-10-31"]
    november = [docs[h.doc_id] for h in on_wednesday.search("quels événements en novembre ?", k=30, lang="fr")]
    # What takes place in November, the festival of 31 October - 1 November included.
    assert all((d.end or d.start)[:10] >= "2026-11-01" and d.start[:10] <= "2026-11-30" for d in november if d.start)
    assert "Salon du livre de Martigues" in {d.title for d in november}


def test_hostile_answers_are_reported_page_by_page_and_break_no_later_sync(engine, site, tmp_path):
    import gzip

    u = site.url
    bomb = gzip.compress(gzip.compress(b"<html>" + b" " * 50_000_000 + b"</html>"))  # 50 MB in a few KB
    site.routes.update({
        "/bombe.html": Page(bomb, headers={"Content-Encoding": "gzip, gzip"}),
        "/etag.html": Page(html("Le vallon des Auffes", "Le vallon des Auffes, petit port de pêcheurs de "
                                "Marseille, se découvre depuis la corniche Kennedy."), headers={"ETag": '"café"'}),
        "/mailto": Page(status=302, headers={"Location": "mailto:office@example.org"}),
        "/ailleurs": Page(status=302, headers={"Location": "https://www.example.org/"}),
        "/sitemap-pages.xml": Page(sitemap(*((f"{u}{p}", None) for p in (
            "/bombe.html", "/etag.html", "/mailto", "/ailleurs", "/calanques.html"))) .replace(
            "</urlset>", "<url><loc>http://[::1</loc></url></urlset>"), "application/xml"),
    })
    path = sources_file(tmp_path, site)
    for _ in range(2):  # the second run sends the validators the first one kept
        report = run(engine, path)["tourisme"]
        assert report.error is None
        found = problems(report)
        assert found["bombe.html"].startswith("compressed body (Content-Encoding: gzip, gzip)")
        assert found["mailto"].startswith("unusable URL or header")
        assert found["ailleurs"] == "redirected off the source's site, to https://www.example.org/"
    assert {i.rsplit("/", 1)[-1] for i in engine.store.document_hashes()} == {"etag.html", "calanques.html"}


def test_a_forbidden_page_or_a_cut_sitemap_removes_nothing(engine, site, tmp_path):
    path = sources_file(tmp_path, site)
    run(engine, path)
    before = set(engine.store.document_hashes())
    site.routes["/musee.html"] = Page("Forbidden", "text/plain", status=403)
    site.routes["/sitemap-pages.xml"].body = site.routes["/sitemap-pages.xml"].data.decode()[:400]
    report = run(engine, path)["tourisme"]
    assert "malformed sitemap XML" in problems(report)["sitemap-pages.xml"]
    assert (report.removed, set(engine.store.document_hashes())) == (0, before)
    site.routes["/sitemap-pages.xml"] = Page(sitemap((f"{site.url}/musee.html", "2026-12-01"),
                                                     (f"{site.url}/calanques.html", "2026-09-01")), "application/xml")
    report = run(engine, path)["tourisme"]
    assert problems(report) == {"musee.html": "the server answered 403"}
    assert f"tourisme:{site.url}/musee.html" in engine.store.document_hashes()


def test_two_sources_of_one_partner_never_delete_each_others_documents(engine, site, tmp_path):
    site.routes["/evenements.html"] = Page(EVENTS_PAGE)
    site.routes["/agenda.html"] = Page(EVENTS_PAGE)
    path = sources_file(tmp_path, site, "".join(f"""
[[source]]
partner = "Provence Tourisme"
name = "{name}"
kind = "jsonld"
url = "{site.url}/{page}"
allow_private = true
rate = 0
""" for name, page in (("pages", "evenements.html"), ("agenda", "agenda.html"))))
    run(engine, path)
    site.routes["/evenements.html"] = Page(html("Agenda", "Plus rien ici."))
    run(engine, path)
    festivals = [i for i, d in stored(engine).items() if d.title == "Festival du film de La Ciotat"]
    assert any(i.startswith("agenda:") for i in festivals)  # each source's copy is its own

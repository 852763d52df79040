"""Sources: what `cigale sync` keeps up to date, read from a `sources.toml`.

Each `[[source]]` names a partner (a name or an id of the territory pack's `partners`), a kind
and where its content lives::

    [[source]]
    partner = "Provence Tourisme"
    kind = "sitemap"                  # sitemap | crawl | rss | ical | jsonld | folder
    url = "https://www.example.org/sitemap.xml"

Everything else has a default (below, and the README's "Partner sources"). A mistake in the
file is a `ConfigError` naming the source and the key, before anything is fetched.
"""

import enum
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from cigale.errors import ConfigError


class Kind(enum.Enum):
    SITEMAP = "sitemap"  # the pages a sitemap lists (sitemap indexes followed)
    CRAWL = "crawl"  # the pages reached by links from start URLs, on the same site
    RSS = "rss"  # an RSS or Atom feed: one document per item
    ICAL = "ical"  # an iCalendar feed: one document per occurrence of each event
    JSONLD = "jsonld"  # pages or files of schema.org JSON-LD / microdata (DATAtourisme exports)
    FOLDER = "folder"  # a local folder, ingested as `cigale ingest` would


@dataclass(frozen=True)
class Source:
    partner: str
    kind: Kind
    name: str = ""  # unique; default "<partner> <kind>" (the key of --source and of the sync state)
    urls: tuple[str, ...] = ()  # `url` in the file may be one URL or a list
    path: Path | None = None  # for kind = "folder"
    include: tuple[str, ...] = ()  # regular expressions a page URL must match (one of them)
    exclude: tuple[str, ...] = ()  # regular expressions no page URL may match
    depth: int = 3  # crawl: links followed from a start URL
    max_pages: int = 2000  # pages fetched per sync at most (a runaway site stays bounded)
    rate: float = 1.0  # requests per second to one host (robots.txt Crawl-delay may slow it further)
    concurrency: int = 2  # requests in flight to one host
    allow_private: bool = False  # true only to reach loopback/private addresses (tests, an intranet)
    license: str | None = None
    lang: str | None = None
    theme: str | None = None
    places: tuple[str, ...] = ()  # INSEE codes every document of the source is about (a commune's site)
    extra: dict = field(default_factory=dict, compare=False)

    def wants(self, url: str) -> bool:
        """Whether a page URL passes the source's include and exclude patterns."""
        if self.include and not any(re.search(p, url) for p in self.include):
            return False
        return not any(re.search(p, url) for p in self.exclude)


_KEYS = {f.name for f in fields(Source)} - {"urls", "extra"} | {"url"}


def load_sources(path: Path, territory=None) -> list[Source]:
    """The sources of a sources.toml; `ConfigError` with the place of the mistake."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Sources file not found: {path} (see the README, \"Partner sources\").") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    entries = data.get("source", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{path}: sources are [[source]] tables")
    sources = [_source(entry, n, path, territory) for n, entry in enumerate(entries, start=1)]
    names = [s.name for s in sources]
    if twice := sorted({n for n in names if names.count(n) > 1}):
        raise ConfigError(f"{path}: several sources are named {', '.join(map(repr, twice))}; give each a `name`")
    return sources


def _source(entry: dict, n: int, path: Path, territory) -> Source:
    where = f"{path}, source {n}"

    def fail(message):
        raise ConfigError(f"{where}: {message}")

    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        fail(f"unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}")
    for key in ("partner", "kind"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            fail(f"`{key}` is required")
    try:
        kind = Kind(entry["kind"].strip().lower())
    except ValueError:
        fail(f"kind {entry['kind']!r} is not one of {', '.join(k.value for k in Kind)}")
    partner = _partner(entry["partner"].strip(), territory)
    values: dict = {"partner": partner, "kind": kind, "name": entry.get("name") or f"{partner} {kind.value}"}
    urls = entry.get("url", [])
    urls = [urls] if isinstance(urls, str) else urls
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        fail("`url` is a URL or a list of URLs")
    for url in urls:
        if not re.match(r"https?://[^/\s]+", url):
            fail(f"{url!r} is not an http(s) URL")
    if kind is Kind.FOLDER:
        if not isinstance(entry.get("path"), str):
            fail("a folder source needs `path`")
        folder = Path(entry["path"]).expanduser()
        values["path"] = folder if folder.is_absolute() else path.parent / folder  # relative to the file
    elif not urls:
        fail(f"a {kind.value} source needs `url`")
    values["urls"] = tuple(urls)
    for key in ("include", "exclude", "places"):
        items = entry.get(key, [])
        items = [items] if isinstance(items, str) else items
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            fail(f"`{key}` is a string or a list of strings")
        if key != "places":
            for pattern in items:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    fail(f"{key} pattern {pattern!r} is not a regular expression ({exc})")
        values[key] = tuple(items)
    for key, kind_of, least in (("depth", int, 0), ("max_pages", int, 1), ("rate", float, 0.0),
                                ("concurrency", int, 1)):
        if key in entry:
            value = entry[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value < least or (
                    kind_of is int and not isinstance(value, int)):
                fail(f"`{key}` must be a {'whole ' if kind_of is int else ''}number of at least {least}")
            values[key] = kind_of(value)
    for key in ("license", "lang", "theme", "name"):
        if key in entry and not isinstance(entry[key], str):
            fail(f"`{key}` must be a string")
        if key in entry:
            values[key] = entry[key]
    if "allow_private" in entry:
        if not isinstance(entry["allow_private"], bool):
            fail("`allow_private` is true or false")
        values["allow_private"] = entry["allow_private"]
    return Source(**values)


def _partner(name: str, territory) -> str:
    """The pack's name for a partner given by id or name (else the name as written: a partner
    the pack does not list yet still gets its content credited)."""
    for p in getattr(territory, "partners", None) or ():
        if name.lower() in (p.id.lower(), p.name.lower()):
            return p.name
    return name


def select(sources: list[Source], names) -> list[Source]:
    """The sources named (by name or partner); ConfigError naming the unknown ones."""
    if not names:
        return sources
    wanted = {n.lower() for n in names}
    chosen = [s for s in sources if s.name.lower() in wanted or s.partner.lower() in wanted]
    found = {s.name.lower() for s in chosen} | {s.partner.lower() for s in chosen}
    if missing := sorted(wanted - found):
        raise ConfigError(f"No source named {', '.join(map(repr, missing))}; known: "
                          f"{', '.join(s.name for s in sources)}")
    return chosen

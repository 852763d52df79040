"""Fetching partners' pages politely and safely: the one way `cigale sync` touches the network.

- Only http(s). Redirects are followed by hand, at most MAX_REDIRECTS, each hop checked again.
- No private, loopback, link-local or otherwise non-public address unless the source allows it
  (`allow_private`), and never the link-local range (cloud metadata endpoints) at all. The check
  is made on the address the name resolves to, at the moment of connecting, and the connection
  goes to that very address: a DNS answer that changes between a check and a connect (DNS
  rebinding) cannot reach the admin network.
- robots.txt is obeyed (`protego`, RFC 9309: a missing one allows all, an unreachable one
  forbids all), its Crawl-delay too; requests to one host are spaced by the source's rate.
- A body is read up to `max_bytes` (decompressed size) and within PAGE_SECONDS, then dropped.
- Conditional requests (ETag, Last-Modified) let an unchanged page cost a 304 and no body.
- The User-Agent names Cigale and the operator's contact (setting `crawler_contact`).
"""

import ipaddress
import math
import socket
import threading
import time
from dataclasses import dataclass
from importlib.metadata import version
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from protego import Protego

from cigale.errors import SourceError
from cigale.ingest.crawl import same_site

MAX_REDIRECTS = 5
PAGE_SECONDS = 60.0  # a page that trickles in slower than this is given up (slowloris)
TIMEOUT = httpx.Timeout(20.0, connect=10.0)
ROBOTS_BYTES = 512 * 1024  # Google reads the first 500 KiB of a robots.txt (RFC 9309 asks for 500 KiB at least)
AGENT = "Cigale"  # the product token robots.txt rules name
MAX_CRAWL_DELAY = 30.0  # seconds: a Crawl-delay of a day would stall the nightly sync for years
# Bodies are asked for, and accepted, uncompressed: httpx inflates a whole chunk at once, once per
# Content-Encoding layer, before any size check can run (3 KB of nested gzip is 4 GB in memory).
IDENTITY = {"Accept-Encoding": "identity"}


class Refused(SourceError):
    """The page is not fetched by choice: robots.txt, address, size, type, redirects."""


class Failed(SourceError):
    """The page could not be fetched: network error, server error. What it gave before stays."""


class Gone(SourceError):
    """The server says the page is no more (404, 410): its documents are removed."""


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int  # 200, or 304 when the conditional request found it unchanged
    content_type: str  # media type only, lower case ("text/html")
    body: bytes
    etag: str | None
    last_modified: str | None


class _BlockedAddress(Exception):
    def __init__(self, host: str, address: str, why: str):
        super().__init__(f"{host} resolves to {address}, a {why} address")


def address_refused(address: str, allow_private: bool) -> str | None:
    """Why a connection to `address` is refused ("loopback"...), or None when it may go."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_link_local:
        return "link-local"  # 169.254.169.254 and friends: never content, whatever the source says
    if ip.is_loopback or (ip.is_private and not ip.is_unspecified):  # ::1 is "reserved" too: asked first
        return None if allow_private else "loopback" if ip.is_loopback else "private"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


class _GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses `address_refused` lets through, to the very address checked."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host} ({exc.strerror})") from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        for address in addresses:  # one bad address in the answer is enough to refuse the name
            if why := address_refused(address, self.allow_private):
                raise _BlockedAddress(host, address, why)
        error = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        raise error or httpcore.ConnectError(f"no address for {host}")


class _Transport(httpx.HTTPTransport):
    def __init__(self, allow_private: bool, concurrency: int):
        super().__init__(trust_env=False, limits=httpx.Limits(max_connections=concurrency * 4))
        # httpx has no public hook for the network backend; httpcore's pool takes one. Checked, so
        # an httpx release that renames it fails loudly here instead of fetching unguarded.
        if not hasattr(self._pool, "_network_backend"):
            raise RuntimeError("this httpx version cannot be guarded: pin the one in pyproject.toml")
        self._pool._network_backend = _GuardedBackend(allow_private)


class _Pace:
    """Requests to one host at most `concurrency` at a time and one every `interval` seconds."""

    def __init__(self, interval: float, concurrency: int):
        self.interval, self.concurrency = interval, concurrency
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._slots: dict[str, threading.Semaphore] = {}

    def slot(self, host: str) -> threading.Semaphore:
        with self._lock:
            return self._slots.setdefault(host, threading.BoundedSemaphore(self.concurrency))

    def wait(self, host: str, interval: float) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + interval
        if start > now:
            time.sleep(start - now)


class Fetcher:
    """The pages of one source. Thread-safe: a sync fetches with a few threads."""

    def __init__(self, contact: str, *, allow_private: bool = False, rate: float = 1.0, concurrency: int = 2,
                 max_bytes: int = 5 * 1024 * 1024, robots_cache: dict | None = None):
        # robots_cache: robots.txt URL → (ETag, Last-Modified, text) from an earlier run, so that an
        # unchanged robots.txt costs a 304; `robots_seen` holds this run's, to keep for the next.
        self.robots_cache, self.robots_seen = robots_cache or {}, {}
        self.allow_private, self.max_bytes = allow_private, max_bytes
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.user_agent = f"{AGENT}/{version('cigale')} (territorial answer engine; +{contact})"
        self._client = httpx.Client(transport=_Transport(allow_private, concurrency), timeout=TIMEOUT, trust_env=False,
                                    follow_redirects=False, headers={"User-Agent": self.user_agent})
        self._pace = _Pace(self.interval, concurrency)
        self._robots: dict[str, Protego | None] = {}
        self._robots_lock = threading.Lock()
        self._count = threading.Lock()  # the counters below are added to from several threads
        self.requests = 0  # requests sent, robots.txt included
        self.downloaded = 0  # bodies received (200), robots.txt included

    def close(self) -> None:
        self._client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None,
            accept: tuple[str, ...] = (), site: str | None = None) -> Response:
        """The page at `url` (200), or a 304 `Response` without body when the validators still hold.
        Raises Refused, Gone or Failed, each with a reason a partner would understand. With `site`,
        a redirect off that site is refused, not followed."""
        try:
            return self._get(url, etag, last_modified, accept, site)
        except (ValueError, UnicodeError, OverflowError, httpx.InvalidURL) as exc:  # a URL or header no client can send
            raise Refused(url, f"unusable URL or header ({type(exc).__name__}: {str(exc)[:120]})") from None

    def _get(self, url, etag, last_modified, accept, site) -> Response:
        seen = [url]
        while True:
            self._check_url(url)
            if not self.allowed(url):
                raise Refused(url, "disallowed by robots.txt")
            first = len(seen) == 1
            response = self._request(url, etag if first else None, last_modified if first else None, accept=accept)
            if response.status in (301, 302, 303, 307, 308):
                target = response.location
                if not target:
                    raise Failed(url, f"redirect ({response.status}) without a Location")
                target = urljoin(url, target).split("#", 1)[0]
                if target in seen:
                    raise Refused(seen[0], f"redirect loop ({' → '.join([*seen, target])})")
                if len(seen) > MAX_REDIRECTS:
                    raise Refused(seen[0], f"more than {MAX_REDIRECTS} redirects")
                if site and not same_site(target, site):
                    raise Refused(seen[0], f"redirected off the source's site, to {target}")
                seen.append(target)
                url = target
                continue
            break
        return Response(url, response.status, response.content_type, response.body, response.etag,
                        response.last_modified)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets Cigale fetch `url`. Raises Refused or Failed, with the reason,
        when the robots.txt cannot be read: nothing is fetched from that site until it can."""
        robots = self.robots(url)
        if isinstance(robots, Refused):  # the site's address itself is refused
            raise Refused(url, robots.reason)
        if isinstance(robots, SourceError):
            raise Failed(url, f"its robots.txt could not be read ({robots.reason})")
        return True if robots is None else robots.can_fetch(url, AGENT)

    def robots(self, url: str) -> "Protego | SourceError | None":
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            if origin not in self._robots:
                self._robots[origin] = self._read_robots(origin)
            return self._robots[origin]

    def _read_robots(self, origin: str) -> "Protego | SourceError | None":
        url = f"{origin}/robots.txt"
        known = self.robots_cache.get(url)
        try:
            r = self._request(url, *(known[:2] if known else (None, None)), limit=ROBOTS_BYTES, truncate=True)
            for _ in range(MAX_REDIRECTS):  # RFC 9309 2.3.1.2: follow at least five redirects
                if r.status not in (301, 302, 303, 307, 308) or not r.location:
                    break
                url = urljoin(url, r.location)
                self._check_url(url)
                r = self._request(url, limit=ROBOTS_BYTES, truncate=True)
        except Gone:
            return None  # no robots.txt: everything is allowed (RFC 9309 2.3.1.3)
        except (Refused, Failed) as exc:
            if exc.reason.startswith("the server answered 4") and "429" not in exc.reason:
                return None  # any other 4xx: "unavailable", everything allowed too
            return exc  # unreachable: complete disallow (2.3.1.4), and the reason why
        except (ValueError, UnicodeError, OverflowError, httpx.InvalidURL) as exc:
            return Refused(url, f"unusable robots.txt redirect ({type(exc).__name__})")
        if r.status == 304 and known:
            text = known[2]
        elif r.status == 200:
            text = r.body.decode("utf-8", "replace")
        else:
            return Failed(url, f"robots.txt answered {r.status}")
        self.robots_seen[f"{origin}/robots.txt"] = (r.etag, r.last_modified, text)
        return Protego.parse(text)

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise Refused(url, f"{parts.scheme or 'no'} scheme: only http and https are fetched")
        if not parts.hostname:
            raise Refused(url, "no host in the URL")
        if parts.username or parts.password:
            raise Refused(url, "credentials in the URL")

    def _request(self, url: str, etag=None, last_modified=None, limit: int | None = None,
                 truncate: bool = False, accept: tuple[str, ...] = ()) -> "_Raw":
        host = urlsplit(url).netloc
        robots = self._robots.get(f"{urlsplit(url).scheme}://{host}")
        delay = (robots.crawl_delay(AGENT) if isinstance(robots, Protego) else None) or 0.0
        delay = min(float(delay), MAX_CRAWL_DELAY) if math.isfinite(float(delay)) else MAX_CRAWL_DELAY
        headers = dict(IDENTITY)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        limit = self.max_bytes if limit is None else limit
        with self._pace.slot(host):
            self._pace.wait(host, max(self.interval, float(delay)))
            with self._count:
                self.requests += 1
            started = time.monotonic()
            try:
                with self._client.stream("GET", url, headers=headers) as r:
                    encoding = r.headers.get("Content-Encoding", "identity").strip().lower()
                    if r.status_code != 200:
                        raw = _Raw(r, b"")
                    elif encoding not in ("", "identity"):
                        raise Refused(url, f"compressed body (Content-Encoding: {encoding[:40]}) though none was asked")
                    elif accept and (kind := _media_type(r)) not in accept:  # refused unread
                        raise Refused(url, f"content type {kind or '(none)'} is not one of {', '.join(accept)}")
                    else:
                        raw = _Raw(r, self._body(url, r, limit, truncate, started))
                        with self._count:
                            self.downloaded += 1
            except _BlockedAddress as exc:
                raise Refused(url, str(exc)) from None
            except httpx.TooManyRedirects:  # not raised with follow_redirects=False, but to be sure
                raise Refused(url, "too many redirects") from None
            except httpx.TimeoutException:
                raise Failed(url, "timed out") from None
            except httpx.HTTPError as exc:
                raise Failed(url, f"network error ({type(exc).__name__}: {exc})") from None
        if raw.status in (404, 410):
            raise Gone(url, f"{raw.status} {'Not Found' if raw.status == 404 else 'Gone'}")
        if raw.status == 429 or raw.status >= 500:
            raise Failed(url, f"the server answered {raw.status}")
        if raw.status >= 400:  # 401, 403, 451...: not proof the page is gone, so what it gave stays
            raise Failed(url, f"the server answered {raw.status}")
        return raw

    def _body(self, url: str, r: httpx.Response, limit: int, truncate: bool, started: float) -> bytes:
        declared = r.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit and not truncate:
            raise Refused(url, f"larger than the limit ({int(declared):,} bytes declared; the limit is {limit:,})")
        parts, size = [], 0
        for part in r.iter_raw():  # as sent: nothing is inflated (see IDENTITY)
            size += len(part)
            if size > limit:
                if truncate:
                    parts.append(part[: len(part) - (size - limit)])
                    break
                raise Refused(url, f"larger than the limit of {limit:,} bytes")
            if time.monotonic() - started > PAGE_SECONDS:
                raise Failed(url, f"took more than {PAGE_SECONDS:.0f} s to arrive")
            parts.append(part)
        return b"".join(parts)


class _Raw:
    def __init__(self, r: httpx.Response, body: bytes):
        self.status = r.status_code
        self.location = r.headers.get("Location")
        self.content_type = _media_type(r)
        self.etag = _validator(r.headers.get("ETag"))
        self.last_modified = _validator(r.headers.get("Last-Modified"))
        self.body = body


def _media_type(r: httpx.Response) -> str:
    """"text/html" of "text/html; charset=utf-8"."""
    return r.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


def _validator(value: str | None) -> str | None:
    """An ETag or Last-Modified worth sending back: visible ASCII only (RFC 9110), else none (a
    header a client cannot send would break every later sync of the page)."""
    if value and value.isascii() and value.isprintable() and len(value) <= 256:
        return value
    return None

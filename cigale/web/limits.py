"""What protects the server: security headers, a request-body cap and a per-client rate limit.
Plain ASGI middleware, so that they also hold for streamed responses."""

import ipaddress
import json
import threading
import time
from collections import OrderedDict
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect

SECURITY_HEADERS = [
    # No inline script anywhere, so the strictest script policy holds; styles are files too.
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
                                 b"object-src 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def _json_error(status: int, kind: str, message: str, extra_headers=()):
    body = json.dumps({"error": {"type": kind, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               *extra_headers]
    return status, headers, body


async def _send_error(send, status, headers, body):
    await send({"type": "http.response.start", "status": status, "headers": headers + SECURITY_HEADERS})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        private = path == "/admin" or path.startswith("/admin/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in names]
                if private and b"cache-control" not in names:  # no copy of admin pages in any cache
                    message["headers"].append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, send_with_headers)


HEADER_BYTES = 16_384  # more than any browser sends (cookies included), far less than an attack needs


class BodyLimit:
    """413 for bodies over `limit` bytes, whether announced by Content-Length or streamed; 431
    for headers over HEADER_BYTES (the server itself lets them through when sent at once)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = scope.get("headers", [])
        if sum(len(k) + len(v) for k, v in headers) > HEADER_BYTES:
            return await _send_error(send, *_json_error(431, "TooLarge", "The request's headers are too large."))
        message = f"The request body is larger than {self.limit} bytes."
        length = dict(headers).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await _send_error(send, *_json_error(413, "TooLarge", message))
        received, answered = 0, False

        async def counting_receive():
            # Past the limit, answer 413 ourselves and tell the app the client has gone.
            nonlocal received, answered
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > self.limit and not answered:
                    answered = True
                    await _send_error(send, *_json_error(413, "TooLarge", message))
                    return {"type": "http.disconnect"}
            return event

        async def guarded_send(event):
            if not answered:
                await send(event)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except ClientDisconnect:
            if not answered:
                raise
            # The 413 is sent; the app was told the client left, which it reports as an error.


class Clients:
    """Who a request comes from, without believing what anyone can write.

    The connection's address is the client, unless it is one of the configured reverse proxies:
    then the right-most address of `X-Forwarded-For` that is not itself a trusted proxy is. IPv6
    clients are counted by their /64 network: one host is given a whole /64 and can hop within it.
    """

    def __init__(self, trusted: str = ""):
        self.trusted = [ipaddress.ip_network(p.strip(), strict=False) for p in trusted.split(",") if p.strip()]

    def _is_trusted(self, address) -> bool:
        return address is not None and any(address in net for net in self.trusted)

    def of(self, scope) -> str:
        peer = _address((scope.get("client") or ("", 0))[0])
        if self.trusted and self._is_trusted(peer):
            forwarded = b",".join(v for k, v in scope.get("headers", []) if k == b"x-forwarded-for")
            for part in reversed(forwarded.decode("latin-1").split(",")):
                address = _address(part.strip())
                if address is None:
                    break  # garbage: trust nothing to its left
                if not self._is_trusted(address):
                    peer = address
                    break
        if peer is None:
            return "unknown"
        if peer.version == 6:
            if peer.ipv4_mapped is not None:
                return str(peer.ipv4_mapped)
            return str(ipaddress.ip_network(f"{peer}/64", strict=False))
        return str(peer)


def _address(text: str):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def forget_oldest(table: OrderedDict, size: int) -> None:
    """Bound a table kept in least-recently-seen order (entries are moved to its end when seen)."""
    while len(table) > size:
        table.popitem(last=False)


class Buckets:
    """Token buckets per client, at most `size` of them: past that, the least recently seen client
    is forgotten (it starts again with a full bucket, which is what an idle client would have)."""

    def __init__(self, per_minute: int, size: int):
        self.per_minute, self.size = per_minute, max(1, size)
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.lock = threading.Lock()

    def allow(self, client: str) -> float:
        """0 if the request may go, else the seconds to wait."""
        now = time.monotonic()
        rate = self.per_minute / 60.0
        with self.lock:
            tokens, last = self.buckets.pop(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
            self.buckets[client] = (tokens - 1 if not wait else tokens, now)
            forget_oldest(self.buckets, self.size)
            return wait


class RateLimit:
    """A token bucket per client on the paths that run the engine or take input."""

    def __init__(self, app, paths: tuple[str, ...], limiter: Buckets, clients: Clients | None = None):
        self.app, self.paths, self.limiter = app, paths, limiter
        self.per_minute = limiter.per_minute
        self.clients = clients or Clients()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not self.per_minute or not _matches(scope, self.paths):
            return await self.app(scope, receive, send)
        wait = self.limiter.allow(self.clients.of(scope))
        if wait:
            retry = str(max(1, round(wait))).encode()
            message = f"Too many requests from your address: try again in {retry.decode()} s."
            return await _send_error(send, *_json_error(429, "TooManyRequests", message, [(b"retry-after", retry)]))
        await self.app(scope, receive, send)


def _matches(scope, paths) -> bool:
    """A question to the page (`/?q=…`, however the name is encoded) or a limited path."""
    path = scope.get("path", "")
    if path == "/":
        query = scope.get("query_string", b"").decode("latin-1")
        return any(name == "q" for name, _ in parse_qsl(query, keep_blank_values=True))
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in paths)


class Visits:
    """Which served answers count for the equity audit: one per visitor, question and hour, and
    at most `per_client` per visitor and hour. Reloading a page, or a script asking the same
    thing a thousand times, must not move the exposure counters that steer the ranking.
    Bounded: the least recently seen entries are forgotten first."""

    def __init__(self, window: float = 3600.0, per_client: int = 30, size: int = 100_000):
        self.window, self.per_client, self.size = window, per_client, size
        self.seen: OrderedDict[tuple, float] = OrderedDict()
        self.budget: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self.lock = threading.Lock()

    def first(self, client: str, key: tuple) -> bool:
        """True the first time `client` is served `key` in the window, within its budget."""
        now = time.monotonic()
        with self.lock:
            when = self.seen.pop((client, key), None)
            if when is not None and now - when < self.window:
                self.seen[(client, key)] = when
                return False
            since, n = self.budget.pop(client, (now, 0))
            if now - since >= self.window:
                since, n = now, 0
            self.budget[client] = (since, n + 1)
            self.seen[(client, key)] = now
            forget_oldest(self.seen, self.size)
            forget_oldest(self.budget, self.size)
            return n < self.per_client


class Lockout:
    """Wrong admin passwords: after `attempts` failures from one client, it is refused for
    `seconds` (counted from its last failure), right password or not. Bounded like the others."""

    def __init__(self, attempts: int = 5, seconds: float = 900.0, size: int = 10_000):
        self.attempts, self.seconds, self.size = attempts, seconds, size
        self.failures: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self.lock = threading.Lock()

    def wait(self, client: str) -> float:
        """The seconds `client` must still wait; 0 when it may try."""
        with self.lock:
            n, last = self.failures.get(client, (0, 0.0))
            left = self.seconds - (time.monotonic() - last)
            if left <= 0:
                self.failures.pop(client, None)
                return 0.0
            return left if n >= self.attempts else 0.0

    def failed(self, client: str) -> None:
        with self.lock:
            n, _ = self.failures.pop(client, (0, 0.0))
            self.failures[client] = (n + 1, time.monotonic())
            forget_oldest(self.failures, self.size)

    def succeeded(self, client: str) -> None:
        with self.lock:
            self.failures.pop(client, None)

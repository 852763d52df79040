"""What protects the server: security headers, a request-body cap and a per-client rate limit.
Plain ASGI middleware, so that they also hold for streamed responses."""

import json
import threading
import time

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

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """413 for bodies over `limit` bytes, whether announced by Content-Length or streamed."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        message = f"The request body is larger than {self.limit} bytes."
        length = dict(scope.get("headers", [])).get(b"content-length")
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

        await self.app(scope, counting_receive, guarded_send)


class RateLimit:
    """A token bucket per client address on the paths that run the engine."""

    def __init__(self, app, per_minute: int, paths: tuple[str, ...]):
        self.app, self.per_minute, self.paths = app, per_minute, paths
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def allow(self, client: str) -> float:
        """0 if the request may go, else the seconds to wait."""
        now = time.monotonic()
        rate = self.per_minute / 60.0
        with self.lock:
            tokens, last = self.buckets.get(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * rate)
            if tokens >= 1:
                self.buckets[client] = (tokens - 1, now)
                if len(self.buckets) > 100_000:  # forget idle clients rather than grow without bound
                    self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < 120}
                return 0.0
            self.buckets[client] = (tokens, now)
            return (1 - tokens) / rate

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not self.per_minute or not _matches(scope, self.paths):
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.allow(client)
        if wait:
            retry = str(max(1, round(wait))).encode()
            message = f"Too many questions from your address: try again in {retry.decode()} s."
            return await _send_error(send, *_json_error(429, "TooManyRequests", message, [(b"retry-after", retry)]))
        await self.app(scope, receive, send)


def _matches(scope, paths) -> bool:
    path = scope.get("path", "")
    if path == "/":
        return b"q=" in scope.get("query_string", b"")
    return path.startswith(paths)

"""A partner's website on loopback, for the sync tests: real HTTP, pages that change between syncs.

`Site.routes` maps a path to a `Page` (body, content type, status, headers); the server answers
conditional requests as a well-behaved site does (ETag from the body, If-None-Match → 304,
Last-Modified / If-Modified-Since) and counts what it served, so a test can tell a sync that
downloaded nothing from one that downloaded everything again.
"""

import hashlib
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes | str = b""
    type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict = field(default_factory=dict)
    modified: datetime = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)

    @property
    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


class Site:
    def __init__(self):
        self.routes: dict[str, Page] = {}
        self.dynamic = None  # path → Page | None, asked instead of `routes` when set
        self.requests: Counter = Counter()  # path → requests
        self.bodies: Counter = Counter()  # path → 200 answers with a body
        self.agents: set[str] = set()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                site.requests[path] += 1
                site.agents.add(self.headers.get("User-Agent", ""))
                page = site.dynamic(path) if site.dynamic else site.routes.get(path)
                if page is None:
                    return self._send(404, b"not found", "text/plain")
                data = page.data
                etag = '"' + hashlib.sha1(data).hexdigest() + '"'
                headers = {"ETag": etag, "Last-Modified": format_datetime(page.modified, usegmt=True),
                           **page.headers}
                if page.status == 200 and self._unchanged(etag, page.modified):
                    return self._send(304, b"", page.type, headers)
                if page.status == 200:
                    site.bodies[path] += 1
                self._send(page.status, data, page.type, headers)

            def _unchanged(self, etag, modified) -> bool:
                if match := self.headers.get("If-None-Match"):
                    return match == etag
                if since := self.headers.get("If-Modified-Since"):
                    try:
                        return modified <= parsedate_to_datetime(since)
                    except (TypeError, ValueError):
                        return False
                return False

            def _send(self, status, data, kind, headers=None):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(0 if status == 304 else len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if status != 304:
                    self.wfile.write(data)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that hangs up on a page it refuses (too large) is no error of the site

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def reset_counts(self):
        self.requests.clear()
        self.bodies.clear()

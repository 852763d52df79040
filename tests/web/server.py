"""A real Cigale server on loopback: uvicorn in a thread, on a free port."""

import socket
import threading
import time

import uvicorn

from cigale import Engine, Settings
from cigale.web.app import create_app, server_options


class Server:
    def __init__(self, app):
        self.app = app
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # The options `cigale serve` runs with: what is tested is what is served.
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    **server_options(app.state.settings)))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start(data_dir, **settings):
    values = {"data_dir": data_dir, "rate_limit": 0, **settings}
    settings = Settings.load(environ={}, **values)
    return Server(create_app(settings, Engine.open(settings=settings)))

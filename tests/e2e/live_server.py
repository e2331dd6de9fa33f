"""The real Kanal app served over HTTP from a background thread, for the browser to talk to."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from core.app import create_app
from core.db import dispose_engines, unit_of_work

READY_TIMEOUT_SECONDS = 15.0


class LiveServer:
    """Kanal built from `environ`, listening on a free port of 127.0.0.1 until `stop()`."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.app: Flask = create_app(environ)
        # Threaded, because a browser opens several connections at once (page, stylesheet, favicon).
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="kanal-live-server", daemon=True
        )

    def start(self) -> LiveServer:
        self._thread.start()
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        probe = f"{self.url}/static/css/kanal.css"
        while True:
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:  # noqa: S310 - our own server
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the live server at {self.url} did not answer within {READY_TIMEOUT_SECONDS} s"
                )
            time.sleep(0.05)

    @contextmanager
    def data(self) -> Iterator[None]:
        """Create test data with the builders inside this block; it is committed when the block ends."""
        with self.app.app_context(), unit_of_work():
            yield

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        dispose_engines(self.app)

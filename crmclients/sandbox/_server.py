"""A threaded HTTP server on 127.0.0.1 for an emulator. Strictly private."""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """No access log lines: tests capture logs and the sandbox should not add noise."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None

    def log_error(self, format: str, *args: Any) -> None:
        return None

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header follows the emulator's clock (which tests can move)."""
        now = getattr(self.server.app, "now", None)
        if timestamp is None and callable(now):
            timestamp = now()
        return super().date_time_string(timestamp)


class ServerThread:
    """Serves a WSGI app in a daemon thread until stopped."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=_QuietHandler
        )
        self.host = host
        self.port = self.server.server_port
        self._thread = threading.Thread(
            # A short poll interval: stop() returns in ~50 ms instead of ~500 ms.
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"crmclients-sandbox-{self.port}",
            daemon=True,
        )

    def start(self) -> None:
        """Start serving."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Serve in the current thread (for ``crmclients sandbox``)."""
        try:
            self.server.serve_forever()
        finally:
            self.server.server_close()

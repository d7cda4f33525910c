"""The JSON-RPC layer of the Odoo test server: Odoo's error format, the calls it
counts, and the HTTP handler that answers POSTs the way Odoo's HTTP layer does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any


class OdooRpcFault(Exception):
    """An error the server answers in Odoo's JSON-RPC error format."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message

    def as_json(self) -> dict[str, Any]:
        """Return the ``error`` member of the JSON-RPC answer."""
        not_found = self.name == "werkzeug.exceptions.NotFound"
        return {
            "code": 404 if not_found else 200,
            "message": "404: Not Found" if not_found else "Odoo Server Error",
            "data": {
                "name": self.name,
                "debug": f"Traceback (most recent call last):\n{self.name}: {self.message}\n",
                "message": self.message,
                "arguments": [self.message],
                "context": {},
            },
        }


def access_denied() -> OdooRpcFault:
    """The fault Odoo raises for a wrong password on an object call."""
    return OdooRpcFault("odoo.exceptions.AccessDenied", "Access Denied")


@dataclass(frozen=True)
class RpcCall:
    """One RPC the server answered (or refused)."""

    service: str
    method: str
    model: str | None = None
    model_method: str | None = None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def make_handler(server: Any) -> type[BaseHTTPRequestHandler]:
    """The HTTP handler of ``server`` (an :class:`~testbed.odoo_server.OdooTestServer`):
    its ``mode``, ``dispatch``, ``_lock`` and ``bytes_sent``."""

    class Handler(BaseHTTPRequestHandler):
        """Answer JSON-RPC POSTs the way Odoo's HTTP layer does."""

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with server._lock:
                server.paths[self.path] += 1
            if server.mode == "http_error":
                self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
                return
            if server.mode == "not_json":
                self._send(200, b"<html><body>Welcome to nginx</body></html>", "text/html")
                return
            if self.path == "/json/2" or self.path.startswith("/json/2/"):
                json2 = server.answer_json2(self.path, self.headers, body)
                self._send(
                    json2.status, json2.body, json2.headers.pop("Content-Type"), json2.headers
                )
                return
            try:
                request = json.loads(body)
            except ValueError:
                self._send(400, b"bad request", "text/plain")
                return
            answer: dict[str, Any] = {"jsonrpc": "2.0", "id": request.get("id")}
            try:
                answer["result"] = server.dispatch(self.path, request.get("params") or {})
            except OdooRpcFault as fault:
                answer["error"] = fault.as_json()
            except (KeyError, IndexError, TypeError, ValueError) as err:
                answer["error"] = OdooRpcFault(f"builtins.{type(err).__name__}", str(err)).as_json()
            self._send(200, json.dumps(answer).encode("utf-8"), "application/json")

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str,
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            with server._lock:
                server.bytes_sent += len(body)

    return Handler

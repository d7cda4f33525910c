"""One HTTP POST to Odoo with a total deadline, for both transports of the client.

No Home Assistant imports here (see odoo_client.py). The client runs in Home
Assistant's executor, so this is blocking code on the standard library's
``http.client``: a socket timeout alone lets a server that trickles its answer hold
a worker for ever, so every read re-arms the socket timeout with what is left of
the call's deadline and the call fails with :class:`OdooTimeoutError` once it is
spent. :class:`DeadlineOpener` gives odoorpc the same deadline.
"""

from __future__ import annotations

import http.client
import io
import json
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from http import HTTPStatus
from typing import Any

from .odoo_errors import OdooConnectionError, OdooTimeoutError
from .odoo_server_info import ServerAddress

_CHUNK = 65536
# An answer larger than this is not one of Odoo's to the hub: refuse it rather than hold it.
MAX_ANSWER_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """An HTTP answer read whole: status code, lower-cased headers, body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def status_text(self) -> str:
        """``HTTP 500 Internal Server Error``: the status and its standard phrase."""
        try:
            return f"HTTP {self.status} {HTTPStatus(self.status).phrase}"
        except ValueError:
            return f"HTTP {self.status}"

    @property
    def is_json(self) -> bool:
        """Whether the server said the body is JSON."""
        return self.headers.get("content-type", "").split(";")[0].strip() == "application/json"

    def json(self) -> Any:
        """The body parsed as JSON; ValueError when it is not JSON."""
        return json.loads(self.body)


def post(
    address: ServerAddress,
    path: str,
    body: bytes,
    *,
    headers: dict[str, str],
    timeout: float,
) -> HttpAnswer:
    """POST ``body`` to ``path`` and read the whole answer within ``timeout`` seconds.

    Raises OdooTimeoutError when the answer is not complete in time, and
    OdooConnectionError when the server cannot be reached or breaks the connection.
    Any HTTP status is returned, not raised.
    """
    deadline = time.monotonic() + timeout

    def left() -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise OdooTimeoutError(f"{address.url} answered too slowly (more than {timeout:g} s)")
        return remaining

    connection: http.client.HTTPConnection
    if address.protocol == "jsonrpc+ssl":
        connection = http.client.HTTPSConnection(
            address.host, address.port, timeout=left(), context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(address.host, address.port, timeout=left())
    try:
        connection.request("POST", path, body=body, headers=headers)
        if connection.sock is not None:
            connection.sock.settimeout(left())
        response = connection.getresponse()
        chunks: list[bytes] = []
        size = 0
        while True:
            if connection.sock is not None:
                connection.sock.settimeout(left())
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise OdooConnectionError(f"{address.url} sent more than {MAX_ANSWER_BYTES} bytes")
            chunks.append(chunk)
        left()
        return HttpAnswer(
            status=response.status,
            headers={key.lower(): value for key, value in response.getheaders()},
            body=b"".join(chunks),
        )
    except TimeoutError as err:
        raise OdooTimeoutError(
            f"{address.url} answered too slowly (more than {timeout:g} s)"
        ) from err
    except (http.client.HTTPException, OSError) as err:
        raise OdooConnectionError(f"Cannot reach {address.url}: {err}") from err
    finally:
        connection.close()


def post_jsonrpc(address: ServerAddress, path: str, params: dict[str, Any], timeout: float) -> Any:
    """Call a ``type='jsonrpc'`` route (e.g. ``/web/webclient/version_info``): its
    ``result``. Raises JsonRpcFault with the ``error`` member, and the errors of :func:`post`
    (OdooConnectionError also for an answer that is not JSON-RPC)."""
    request = {"jsonrpc": "2.0", "method": "call", "params": params, "id": None}
    answer = post(
        address,
        path,
        json.dumps(request).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        timeout=timeout,
    )
    try:
        reply = answer.json()
    except ValueError:
        reply = None
    if answer.status != 200 or not isinstance(reply, dict):
        raise OdooConnectionError(
            f"{address.url}{path} does not answer like an Odoo server ({answer.status_text})"
        )
    if "error" in reply:
        raise JsonRpcFault(reply["error"])
    return reply.get("result")


class JsonRpcFault(Exception):
    """An Odoo JSON-RPC ``error`` member (``{"code", "message", "data": {"name", ...}}``)."""

    def __init__(self, error: Any) -> None:
        """Keep the error member as sent."""
        self.error = error if isinstance(error, dict) else {}
        raw = self.error.get("data")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        self.name = str(data.get("name") or "")
        self.message = str(data.get("message") or self.error.get("message") or error)
        super().__init__(f"{self.name}: {self.message}" if self.name else self.message)


class DeadlineOpener:
    """A urllib opener for odoorpc whose every request has a total deadline.

    odoorpc calls ``open(request, timeout=...)`` and reads the returned object whole;
    this opener sends through :func:`post` so a slow answer fails the same way on both
    transports. A non-200 answer raises urllib's HTTPError, as urllib's opener does.
    """

    def __init__(self, address: ServerAddress, timeout: float) -> None:
        """Send to ``address``; each request gets ``timeout`` seconds in all."""
        self.address = address
        self.timeout = timeout

    def open(self, request: urllib.request.Request, timeout: float | None = None) -> io.BytesIO:
        """Send one odoorpc request (a POST with a JSON body); return the body to read."""
        data = request.data if isinstance(request.data, bytes) else b""
        path = request.selector or "/"
        answer = post(
            self.address,
            path,
            data,
            headers=dict(request.header_items()),
            timeout=min(self.timeout, timeout) if timeout else self.timeout,
        )
        if answer.status != 200:
            raise urllib.error.HTTPError(
                request.full_url, answer.status, answer.status_text, Message(), None
            )
        return io.BytesIO(answer.body)

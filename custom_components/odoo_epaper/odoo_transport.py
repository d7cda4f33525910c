"""The two ways the hub talks to Odoo, chosen by the server's version.

No Home Assistant imports here (see odoo_client.py).

- 19.0 and later: JSON-2 (``POST /json/2/<model>/<method>``, ``Authorization: bearer
  <API key>``, ``X-Odoo-Database``, named arguments, bare result): Odoo 19 deprecates
  ``/jsonrpc`` (a WARNING per call) and newer sources drop it.
- Older: JSON-RPC through odoorpc (``/jsonrpc``), with a password or an API key.

Both take a call as (model, method, ids, named arguments): ``ids`` is None for
``@api.model`` methods and the record ids of record methods. Every failure leaves as a
typed error of odoo_errors.py with the same meaning on both, through :func:`map_fault`.
"""

from __future__ import annotations

import json
import re
from typing import Any, Protocol

import odoorpc

from .odoo_errors import (
    OdooAccessError,
    OdooAddonTooOldError,
    OdooAuthError,
    OdooConnectionError,
    OdooDatabaseError,
    OdooError,
)
from .odoo_http import DeadlineOpener, JsonRpcFault, post, post_jsonrpc
from .odoo_server_info import DISPLAY_MODEL, SCHEDULE_METHOD, ServerAddress

JSON2_SINCE = (19, 0)
JSONRPC = "jsonrpc"
JSON2 = "json2"


class Transport(Protocol):
    """One way to call model methods as one user."""

    name: str

    def login(self) -> tuple[int, dict[str, Any]]:
        """Check the credentials: the user's id and context (``tz``, ``lang``)."""

    def call(self, model: str, method: str, ids: list[int] | None, kwargs: dict[str, Any]) -> Any:
        """Run ``model.method`` with named arguments; its result."""


def series_of(version: Any) -> tuple[int, int]:
    """(major, minor) of ``server_version_info`` ([19, 0, ...], ["saas~18", 3, ...])."""
    info = version.get("server_version_info") if isinstance(version, dict) else None
    if not isinstance(info, list | tuple) or len(info) < 2:
        raise OdooConnectionError(f"The server does not say its version: {version!r}")
    match = re.search(r"\d+", str(info[0]))
    if match is None or not isinstance(info[1], int):
        raise OdooConnectionError(f"Unknown Odoo version {info!r}")
    return int(match.group()), int(info[1])


def detect_version(address: ServerAddress, timeout: float) -> tuple[str, tuple[int, int]]:
    """Ask ``/web/webclient/version_info`` (not deprecated, on every series): the server
    version text and its (major, minor)."""
    try:
        answer = post_jsonrpc(address, "/web/webclient/version_info", {}, timeout)
    except JsonRpcFault as fault:
        raise OdooConnectionError(f"{address.url} does not answer like Odoo: {fault}") from fault
    return str(answer.get("server_version") or ""), series_of(answer)


def list_databases(address: ServerAddress, timeout: float) -> list[str] | None:
    """The server's databases (``/web/database/list``), or None when listing is off."""
    try:
        names = post_jsonrpc(address, "/web/database/list", {}, timeout)
    except JsonRpcFault:
        return None
    return [str(name) for name in names] if isinstance(names, list) else None


def missing_model(err: OdooError) -> bool:
    """Whether ``err`` is Odoo saying the model does not exist (JSON-RPC: a UserError
    "Object X doesn't exist"; JSON-2: a 404 "the model 'X' does not exist")."""
    text = str(err)
    return "doesn't exist" in text or ("NotFound" in text and "model" in text)


def map_fault(name: str, message: str, model: str = "", method: str = "") -> OdooError:
    """Turn an Odoo exception (its dotted class name and message) into a typed error."""
    if name.endswith("AccessDenied"):
        return OdooAuthError(message)
    if name.endswith("AccessError"):
        return OdooAccessError(message)
    if (SCHEDULE_METHOD in message or method == SCHEDULE_METHOD) and (
        "does not exist" in message or name.endswith("NotFound")
    ):
        return OdooAddonTooOldError(message)
    if name.endswith("NotFound") and model == DISPLAY_MODEL:
        return OdooAddonTooOldError(message)
    if "OperationalError" in name or ("does not exist" in message and "database" in message):
        return OdooDatabaseError(message)
    return OdooError(f"{name}: {message}" if name else message)


class JsonRpcTransport:
    """``/jsonrpc`` through odoorpc, each request within the deadline (DeadlineOpener)."""

    name = JSONRPC

    def __init__(
        self,
        address: ServerAddress,
        database: str,
        username: str,
        password: str,
        *,
        version: str,
        timeout: float,
    ) -> None:
        """Prepare the odoorpc connector (no request: the version is known)."""
        self.address = address
        self.database = database
        self.username = username
        self._password = password
        self._odoo = odoorpc.ODOO(
            address.host,
            protocol=address.protocol,
            port=address.port,
            timeout=timeout,
            version=version,
            opener=DeadlineOpener(address, timeout),
        )

    def login(self) -> tuple[int, dict[str, Any]]:
        """odoorpc's login (``common.login``, then ``res.users.context_get``)."""
        self._guard(lambda: self._odoo.login(self.database, self.username, self._password))
        return int(self._odoo.env.uid), dict(self._odoo.env.context)

    def call(self, model: str, method: str, ids: list[int] | None, kwargs: dict[str, Any]) -> Any:
        """``execute_kw`` with the ids (record methods) as the only positional argument."""
        args = [] if ids is None else [list(ids)]
        return self._guard(
            lambda: self._odoo.execute_kw(model, method, args, kwargs), model, method
        )

    def _guard(self, run: Any, model: str = "", method: str = "") -> Any:
        try:
            return run()
        except odoorpc.error.RPCError as err:
            info = err.info if isinstance(err.info, dict) else {}
            data = info.get("data") or {}
            if not info and "password" in str(err):
                raise OdooAuthError(str(err)) from err
            name = str(data.get("name") or "")
            raise map_fault(name, str(data.get("message") or err), model, method) from err
        except OdooError:
            raise
        except (OSError, ValueError) as err:  # urllib's HTTPError, JSON that is not Odoo's
            raise OdooConnectionError(
                f"{self.address.url} does not answer like an Odoo server: {err}"
            ) from err


class Json2Transport:
    """JSON-2 with an API key: one stateless request per call, its own transaction."""

    name = JSON2

    def __init__(
        self, address: ServerAddress, database: str, api_key: str, *, timeout: float
    ) -> None:
        """Send as the owner of ``api_key`` to ``database``."""
        self.address = address
        self.database = database
        self._headers = {
            "Content-Type": "application/json",
            "Authorization": f"bearer {api_key}",
            "X-Odoo-Database": database,
        }
        self._timeout = timeout

    def login(self) -> tuple[int, dict[str, Any]]:
        """``res.users.context_get``: the key's user (``uid``) and context."""
        context = self.call("res.users", "context_get", None, {})
        if not isinstance(context, dict) or not isinstance(context.get("uid"), int):
            raise OdooConnectionError(f"{self.address.url} answered context_get with {context!r}")
        return int(context["uid"]), context

    def call(self, model: str, method: str, ids: list[int] | None, kwargs: dict[str, Any]) -> Any:
        """POST the named arguments (and ``ids``); the bare result, or a typed error."""
        body = dict(kwargs) if ids is None else {"ids": list(ids), **kwargs}
        answer = post(
            self.address,
            f"/json/2/{model}/{method}",
            json.dumps(body).encode("utf-8"),
            headers=self._headers,
            timeout=self._timeout,
        )
        try:
            decoded = answer.json() if answer.is_json else None
        except ValueError:
            decoded = None
        if answer.status == 200 and answer.is_json:
            return decoded
        if answer.status == 401:
            raise OdooAuthError(_message(decoded) or "The API key was refused")
        if answer.status == 404 and not answer.is_json:
            raise OdooDatabaseError(f"{self.address.url} has no database {self.database!r}")
        if not isinstance(decoded, dict) or "name" not in decoded:
            raise OdooConnectionError(
                f"{self.address.url} does not answer like an Odoo server ({answer.status_text})"
            )
        raise map_fault(str(decoded["name"]), _message(decoded), model, method)


def _message(error: Any) -> str:
    """The message of Odoo's error object."""
    return str(error.get("message") or "") if isinstance(error, dict) else ""

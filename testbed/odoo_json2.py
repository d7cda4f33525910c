"""The JSON-2 API of the Odoo test server, as Odoo 19's ``rpc`` module serves it.

``POST /json/2/<model>/<method>`` (``odoo/addons/rpc/controllers/json2.py`` of 19.0):
the caller is the owner of the API key in ``Authorization: bearer <key>`` (401 with
``WWW-Authenticate: Bearer`` without one or with a bad one), the database comes from
``X-Odoo-Database`` (an unknown one gets the 404 HTML page of a server with no
database), the body is a JSON object of NAMED arguments bound to the method's
signature (``ids`` for record methods, ``context`` dropped; a bad binding is 422 with
Python's message, e.g. "missing a required argument: 'start'"), and the answer is the
method's result, bare. Errors are Odoo's ``serialize_exception`` object with the
status of the exception: UserError 422, AccessError and AccessDenied 403, unknown
model or method 404, anything else 500.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from typing import Any

from testbed.odoo_rpc import OdooRpcFault, RpcCall

JSON2_PREFIX = "/json/2/"
NOT_FOUND_NODB = (
    b"<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    b"<p>No database is selected and the requested URL was not found in the server-wide "
    b"controllers.</p>\n"
)
_STATUS = {
    "odoo.exceptions.AccessError": 403,
    "odoo.exceptions.AccessDenied": 403,
    "odoo.exceptions.MissingError": 404,
    "odoo.exceptions.UserError": 422,
    "odoo.exceptions.ValidationError": 422,
    "werkzeug.exceptions.NotFound": 404,
    "werkzeug.exceptions.UnprocessableEntity": 422,
}
# The leading parameters of the test server's handlers that JSON-2 does not bind.
_SERVER_PARAMS = ("model", "_model", "uid", "_uid")


class Json2Answer:
    """What the HTTP handler sends: status, headers, body."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        """``body``: bytes as they are (HTML), anything else as JSON."""
        self.status = status
        self.headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        if isinstance(body, bytes):
            self.headers["Content-Type"] = "text/html; charset=utf-8"
            self.body = body
        else:
            self.body = json.dumps(body).encode("utf-8")


def error_body(name: str, message: str, arguments: list[Any] | None = None) -> dict[str, Any]:
    """Odoo 19's ``serialize_exception`` of an exception named ``name``."""
    return {
        "name": name,
        "message": message,
        "arguments": arguments if arguments is not None else [message],
        "context": {},
        "debug": f"Traceback (most recent call last):\n{name}: {message}\n",
    }


def handler_parameters(handler: Callable[..., Any]) -> list[inspect.Parameter]:
    """The parameters a caller names: the handler's, without the server's own leading
    ``model`` and ``uid`` (a wrapped handler is read through ``__wrapped__``)."""
    params = list(inspect.signature(handler).parameters.values())
    while params and params[0].name in _SERVER_PARAMS:
        params.pop(0)
    return params


class Json2Dispatch:
    """Answer one JSON-2 request; the server provides the checks and the methods."""

    calls: list[RpcCall]
    databases: list[str]
    fields: dict[str, dict[str, dict[str, Any]]]
    denied: set[str]
    dropped_methods: set[str]
    series: str

    def _methods(self) -> dict[str, Callable[..., Any]]:
        raise NotImplementedError

    def _key_user(self, key: str) -> int | None:
        raise NotImplementedError

    def _restrict(self, model: str, uid: int, kwargs: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def answer_json2(self, path: str, headers: Mapping[str, str], body: bytes) -> Json2Answer:
        """Answer ``POST path`` with ``headers`` and ``body`` as Odoo 19 does."""
        parts = path[len(JSON2_PREFIX) :].split("/") if path.startswith(JSON2_PREFIX) else []
        refusal, uid = self._admit(parts, headers)
        if refusal is not None:
            return refusal
        try:
            arguments = json.loads(body) if body else {}
        except ValueError as err:
            message = f"could not parse the body as json: {err}"
            return Json2Answer(400, error_body("werkzeug.exceptions.BadRequest", message))
        if not isinstance(arguments, dict):
            arguments = {}  # Odoo's dispatcher drops a body that is not an object
        try:
            return Json2Answer(200, self._run(uid, parts[0], parts[1], arguments))
        except OdooRpcFault as fault:
            status = _STATUS.get(fault.name, 500)
            if fault.name == "builtins.AttributeError":  # get_public_method's, as NotFound
                status = 404
            return Json2Answer(status, error_body(fault.name, fault.message))
        except (KeyError, IndexError, TypeError, ValueError) as err:
            return Json2Answer(500, error_body(f"builtins.{type(err).__name__}", str(err)))

    def _admit(
        self, parts: list[str], headers: Mapping[str, str]
    ) -> tuple[Json2Answer | None, int]:
        """The route, database and key checks: (a refusal or None, the key's user)."""
        if self.series < "19" or len(parts) != 2 or not all(parts):
            message = "Did you mean POST /json/2/<model>/<method>?"
            return Json2Answer(404, error_body("werkzeug.exceptions.NotFound", message)), 0
        if headers.get("X-Odoo-Database") not in self.databases:
            return Json2Answer(404, NOT_FOUND_NODB), 0
        scheme, _, key = (headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            message = "User not authenticated, use an API Key with a Bearer Authorization header."
            return self._unauthorized(message), 0
        uid = self._key_user(key.strip())
        if uid is None:
            return self._unauthorized("Invalid apikey"), 0
        return None, uid

    def _unauthorized(self, message: str) -> Json2Answer:
        body = error_body("werkzeug.exceptions.Unauthorized", message, [message, 401])
        return Json2Answer(401, body, {"WWW-Authenticate": "Bearer"})

    def _run(self, uid: int, model: str, method: str, arguments: dict[str, Any]) -> Any:
        """Bind the named arguments like ``signature.bind(records, **kwargs)`` and call."""
        ids = arguments.pop("ids", [])
        arguments.pop("context", None)
        self.calls.append(RpcCall("object", "json2", model, method, (), dict(arguments)))
        if model not in self.fields:
            raise OdooRpcFault(
                "werkzeug.exceptions.NotFound", f"the model {model!r} does not exist"
            )
        handler = self._methods().get(method)
        if handler is None or method in self.dropped_methods or method.startswith("_"):
            raise OdooRpcFault(
                "werkzeug.exceptions.NotFound",
                f"The method {method!r} does not exist on the model {model!r}",
            )
        params = handler_parameters(handler)
        record_method = bool(params) and params[0].name == "ids"
        if not record_method and ids:
            raise OdooRpcFault(
                "werkzeug.exceptions.UnprocessableEntity", f"cannot call {model}.{method} with ids"
            )
        if record_method:
            arguments = {"ids": ids, **arguments}
        try:
            inspect.Signature(params).bind(**arguments)
        except TypeError as err:
            raise OdooRpcFault("werkzeug.exceptions.UnprocessableEntity", str(err)) from err
        self._refuse_unless_allowed(model, uid, method)
        return handler(model, uid, **self._restrict(model, uid, arguments))

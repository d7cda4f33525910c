"""The JSON-RPC services of the Odoo test server: ``/web/webclient/version_info`` and
``/jsonrpc`` (``common``, ``db``, ``object``), with Odoo 18's checks before a model method
runs (database, password, private methods, unknown models, denied models).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from testbed.odoo_rpc import OdooRpcFault, RpcCall, access_denied

SERVER_VERSION = "18.0"
SERVER_VERSION_INFO = [18, 0, 0, "final", 0, ""]
_PRIVATE_METHOD = re.compile(r"^_(?!_)")


class RpcDispatch:
    """Route one JSON-RPC request to a service; ``object`` calls reach :meth:`_methods`."""

    calls: list[RpcCall]
    databases: list[str]
    list_db: bool
    passwords: dict[str, str]
    records: dict[str, dict[int, dict[str, Any]]]
    fields: dict[str, dict[str, dict[str, Any]]]
    denied: set[str]
    dropped_methods: set[str]
    _lock: threading.RLock

    def _methods(self) -> dict[str, Callable[..., Any]]:
        """The model methods by name (``model, uid, *args, **kwargs``)."""
        raise NotImplementedError

    def dispatch(self, path: str, params: dict[str, Any]) -> Any:
        """Answer one JSON-RPC request body's ``params`` for ``path``."""
        if path == "/web/webclient/version_info":
            with self._lock:
                self.calls.append(RpcCall("webclient", "version_info"))
            return {
                "server_version": SERVER_VERSION,
                "server_version_info": SERVER_VERSION_INFO,
                "server_serie": SERVER_VERSION,
                "protocol_version": 1,
            }
        if path != "/jsonrpc":
            raise OdooRpcFault("werkzeug.exceptions.NotFound", f"404: Not Found: {path}")
        service, method = params.get("service"), params.get("method")
        args = list(params.get("args") or [])
        if service == "common":
            return self._common(str(method), args)
        if service == "db":
            return self._db(str(method))
        if service == "object":
            return self._object(str(method), args)
        raise OdooRpcFault("builtins.Exception", f"No such service: {service}")

    def _common(self, method: str, args: list[Any]) -> Any:
        with self._lock:
            self.calls.append(RpcCall("common", method, args=tuple(args[:2])))
            if method == "version":
                return {"server_version": SERVER_VERSION, "protocol_version": 1}
            if method not in ("login", "authenticate"):
                raise OdooRpcFault("builtins.AttributeError", f"no method {method}")
            db, login, password = args[0], args[1], args[2]
            self._check_db(db)
            if self.passwords.get(login) != password:
                return False
            return next(
                uid for uid, user in self.records["res.users"].items() if user["login"] == login
            )

    def _db(self, method: str) -> Any:
        with self._lock:
            self.calls.append(RpcCall("db", method))
            if method == "list":
                if not self.list_db:
                    raise OdooRpcFault("odoo.exceptions.AccessDenied", "Access Denied")
                return list(self.databases)
            if method == "server_version":
                return SERVER_VERSION
            raise OdooRpcFault("builtins.KeyError", f"unknown db method {method}")

    def _check_db(self, db: str) -> None:
        if db not in self.databases:
            raise OdooRpcFault(
                "psycopg2.OperationalError",
                f'connection to server failed: FATAL:  database "{db}" does not exist',
            )

    def _object(self, method: str, args: list[Any]) -> Any:
        db, uid, password, model, model_method = args[:5]
        rest = args[5:]
        if method == "execute_kw":
            call_args = list(rest[0]) if rest else []
            call_kwargs = dict(rest[1]) if len(rest) > 1 and rest[1] else {}
        elif method == "execute":
            call_args, call_kwargs = list(rest), {}
        else:
            raise OdooRpcFault("builtins.AttributeError", f"no method {method}")
        with self._lock:
            self.calls.append(
                RpcCall("object", method, model, model_method, tuple(call_args), call_kwargs)
            )
            if _PRIVATE_METHOD.match(str(model_method)):
                raise OdooRpcFault(
                    "odoo.exceptions.AccessError",
                    f"Private methods (such as {model_method}) cannot be called remotely.",
                )
            call_kwargs.pop("context", None)
            self._check_db(db)
            user = self.records["res.users"].get(uid)
            if user is None or self.passwords.get(user["login"]) != password:
                raise access_denied()
            if model not in self.fields:
                raise OdooRpcFault("odoo.exceptions.UserError", f"Object {model} doesn't exist")
            if model in self.denied and model_method not in ("check_access_rights", "has_access"):
                raise OdooRpcFault(
                    "odoo.exceptions.AccessError",
                    f"You are not allowed to access '{model}' ({model}) records.",
                )
            handler = self._methods().get(model_method)
            if handler is None or model_method in self.dropped_methods:
                raise OdooRpcFault(
                    "builtins.AttributeError",
                    f"The method '{model_method}' does not exist on the model '{model}'",
                )
            return handler(model, uid, *call_args, **call_kwargs)

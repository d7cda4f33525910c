"""The JSON-RPC services of the Odoo test server: ``/web/webclient/version_info``,
``/web/database/list`` and ``/jsonrpc`` (``common``, ``db``, ``object``), with Odoo 18's
checks before a model method runs (database, password or API key, private methods,
unknown models, denied models).

As 19.0 (``series``), every ``/jsonrpc`` call logs Odoo 19's deprecation notice and is
counted in ``deprecated_calls``; with ``legacy_rpc`` off it answers 404 as the newer
sources do unless ``rpc.use_deprecated_services`` is set.
"""

from __future__ import annotations

import inspect
import logging
import re
import threading
from collections.abc import Callable
from typing import Any

from testbed.odoo_json2 import handler_parameters
from testbed.odoo_rpc import OdooRpcFault, RpcCall, access_denied

SERIES = ("18.0", "19.0")
RPC_DEPRECATION_NOTICE = (
    "The /xmlrpc, /xmlrpc/2 and /jsonrpc endpoints are deprecated in Odoo 19 "
    "and scheduled for removal in Odoo 20. Please report the problem to the "
    "client making the request."
)
_LOGGER = logging.getLogger("testbed.odoo.rpc")
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
    series: str
    legacy_rpc: bool
    deprecated_calls: int
    _lock: threading.RLock

    def _methods(self) -> dict[str, Callable[..., Any]]:
        """The model methods by name (``model, uid, *args, **kwargs``)."""
        raise NotImplementedError

    def _key_user(self, key: str) -> int | None:
        """The user of a live API key, else None."""
        raise NotImplementedError

    def _restrict(self, model: str, uid: int, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Apply the record rules of ``model`` for ``uid`` to a call's named arguments."""
        raise NotImplementedError

    def _version(self) -> dict[str, Any]:
        """``exp_version()`` of this series."""
        major, minor = (int(part) for part in self.series.split("."))
        return {
            "server_version": self.series,
            "server_version_info": [major, minor, 0, "final", 0, ""],
            "server_serie": self.series,
            "protocol_version": 1,
        }

    def _password_ok(self, uid: int, password: Any) -> bool:
        """Whether ``password`` is the user's password or one of their live API keys."""
        user = self.records["res.users"].get(uid)
        if user is None or not isinstance(password, str):
            return False
        return self.passwords.get(user["login"]) == password or self._key_user(password) == uid

    def dispatch(self, path: str, params: dict[str, Any]) -> Any:
        """Answer one JSON-RPC request body's ``params`` for ``path``."""
        if path == "/web/webclient/version_info":
            with self._lock:
                self.calls.append(RpcCall("webclient", "version_info"))
            return self._version()
        if path == "/web/database/list":
            with self._lock:
                self.calls.append(RpcCall("webclient", "database_list"))
            return self._db("list", count=False)
        if path != "/jsonrpc" or (self.series >= "19" and not self.legacy_rpc):
            raise OdooRpcFault("werkzeug.exceptions.NotFound", f"404: Not Found: {path}")
        if self.series >= "19":
            with self._lock:
                self.deprecated_calls += 1
            _LOGGER.warning("%s", RPC_DEPRECATION_NOTICE)
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
                return self._version()
            if method not in ("login", "authenticate"):
                raise OdooRpcFault("builtins.AttributeError", f"no method {method}")
            db, login, password = args[0], args[1], args[2]
            self._check_db(db)
            uid = next(
                (uid for uid, user in self.records["res.users"].items() if user["login"] == login),
                None,
            )
            return uid if uid is not None and self._password_ok(uid, password) else False

    def _db(self, method: str, *, count: bool = True) -> Any:
        with self._lock:
            if count:
                self.calls.append(RpcCall("db", method))
            if method == "list":
                if not self.list_db:
                    raise OdooRpcFault("odoo.exceptions.AccessDenied", "Access Denied")
                return list(self.databases)
            if method == "server_version":
                return self.series
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
            if not self._password_ok(uid, password):
                raise access_denied()
            if model not in self.fields:
                raise OdooRpcFault("odoo.exceptions.UserError", f"Object {model} doesn't exist")
            self._refuse_unless_allowed(model, uid, model_method)
            handler = self._methods().get(model_method)
            if handler is None or model_method in self.dropped_methods:
                raise OdooRpcFault(
                    "builtins.AttributeError",
                    f"The method '{model_method}' does not exist on the model '{model}'",
                )
            if call_args:  # by name, for the record rules of _restrict
                params = handler_parameters(handler)
                bound = inspect.Signature(params).bind(*call_args, **call_kwargs)
                extra = [p.name for p in params if p.kind is inspect.Parameter.VAR_KEYWORD]
                call_kwargs = {k: v for k, v in bound.arguments.items() if k not in extra}
                for name in extra:
                    call_kwargs.update(bound.arguments.get(name, {}))
            return handler(model, uid, **self._restrict(model, uid, call_kwargs))

"""The generic model methods the Odoo test server answers over RPC (``search_read``,
``web_search_read``, ``read``, ``search``, ``search_count``, ``fields_get``, access
checks, ``context_get``), as Odoo 18 does for a user who is not the superuser.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from testbed.odoo_privacy import PrivacyView
from testbed.odoo_records import Record
from testbed.odoo_rpc import OdooRpcFault


class OrmMethods(PrivacyView):
    """Model methods over the record store; ``denied`` models answer AccessError."""

    denied: set[str]

    def _search_read(
        self,
        model: str,
        _uid: int,
        domain: list[Any] | None = None,
        fields: list[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        **_kwargs: Any,
    ) -> list[Record]:
        found = self._find(model, domain or [], offset, limit, order)
        return [self._render(model, self._as_seen_by(model, _uid, rec), fields) for rec in found]

    def _web_search_read(
        self,
        model: str,
        _uid: int,
        domain: list[Any] | None = None,
        specification: dict[str, Any] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        **_kwargs: Any,
    ) -> dict[str, Any]:
        all_found = self._find(model, domain or [], 0, None, order)
        found = all_found[offset : offset + limit if limit else None]
        spec = specification or {}
        return {
            "length": len(all_found),
            "records": [
                self._render_spec(model, self._as_seen_by(model, _uid, rec), spec) for rec in found
            ],
        }

    def _read(
        self, model: str, _uid: int, ids: Iterable[int] | int, fields: list[str] | None = None
    ) -> list[Record]:
        id_list = [ids] if isinstance(ids, int) else list(ids)
        return [
            self._render(model, self._as_seen_by(model, _uid, self.records[model][i]), fields)
            for i in id_list
            if i in self.records[model]
        ]

    def _search(
        self,
        model: str,
        _uid: int,
        domain: list[Any] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        **_kwargs: Any,
    ) -> list[int]:
        return [rec["id"] for rec in self._find(model, domain or [], offset, limit, order)]

    def _search_count(self, model: str, _uid: int, domain: list[Any] | None = None) -> int:
        return len(self._find(model, domain or [], 0, None, None))

    def _fields_get(
        self,
        model: str,
        _uid: int,
        allfields: list[str] | None = None,
        attributes: list[str] | None = None,
    ) -> dict[str, Any]:
        result = {}
        for name, meta in self.fields[model].items():
            if allfields and name not in allfields:
                continue
            full = {"string": name.replace("_", " ").title(), **meta}
            result[name] = {k: v for k, v in full.items() if not attributes or k in attributes}
        return result

    # Readable by administrators only (Odoo 18 and 19: "Administration/Access Rights").
    ADMIN_ONLY_MODELS = frozenset({"ir.model"})

    def _refuse_unless_allowed(self, model: str, uid: int, method: str) -> None:
        """Raise Odoo's AccessError where a real server refuses ``uid`` the model: a model
        :meth:`deny_access` denied, or an administrators-only one for a non-administrator."""
        if method in ("check_access_rights", "has_access"):
            return
        user = self.records["res.users"].get(uid, {})
        if model in self.denied or (
            model in self.ADMIN_ONLY_MODELS and user.get("login") != "admin"
        ):
            raise OdooRpcFault(
                "odoo.exceptions.AccessError",
                f"You are not allowed to access '{model}' ({model}) records.",
            )

    def _check_access_rights(
        self, model: str, _uid: int, operation: str = "read", raise_exception: bool = True
    ) -> bool:
        if model in self.denied and raise_exception:
            raise OdooRpcFault(
                "odoo.exceptions.AccessError",
                f"You are not allowed to access '{model}' ({model}) records.",
            )
        return model not in self.denied

    def _has_access(self, model: str, _uid: int, ids: Any, operation: str = "read") -> bool:
        if not isinstance(ids, list | int):
            raise OdooRpcFault(
                "builtins.TypeError", f"has_access is a record method: ids first, got {ids!r}"
            )
        return model not in self.denied

    def _context_get(self, _model: str, uid: int) -> dict[str, Any]:
        user = self.records["res.users"][uid]
        return {"lang": "en_US", "tz": user.get("tz") or False, "uid": uid}

"""The record store of the Odoo test server: records by model, read through domains
and rendered as ``read`` / ``web_search_read`` answer them (many2one pairs, specs).
"""

from __future__ import annotations

import copy
import functools
from typing import Any, ClassVar

from testbed.odoo_domains import compare, mentions, sort_key
from testbed.odoo_rpc import OdooRpcFault

Record = dict[str, Any]


def _location_key(record: Record) -> Any:
    """``calendar.event.epaper_location_key``, stored by the addon's compute in Odoo."""
    location = record.get("location")
    if not isinstance(location, str):
        return False
    return _location_key_of(location) or False


@functools.lru_cache(maxsize=65536)
def _location_key_of(location: str) -> str:
    """The addon's key of a location text (memoized: Odoo stores it, it does not recompute)."""
    from testbed.addon_code import load_plain_package

    rooms: Any = load_plain_package("epaper_schedule").rooms
    return str(rooms.normalize_location(location))


def _conjuncts(domain: list[Any]) -> list[Any]:
    """The leaves every match must satisfy: the top-level terms of the domain (Polish
    notation, implicitly and-ed) that are leaves; operators' terms are skipped whole."""
    leaves: list[Any] = []
    index = 0
    while index < len(domain):
        if domain[index] in ("&", "|", "!"):
            needed = 1  # terms still to skip for this operator's term
            while needed and index < len(domain):
                item = domain[index]
                needed += {"&": 1, "|": 1, "!": 0}.get(item, -1) if isinstance(item, str) else -1
                index += 1
            continue
        leaves.append(domain[index])
        index += 1
    return leaves


def _may_be_in(value: Any, wanted: frozenset[Any]) -> bool:
    """Whether ``value`` is in ``wanted``; True when it cannot be looked up in a set (a
    list: the whole domain decides)."""
    try:
        return value in wanted
    except TypeError:
        return True


class RecordStore:
    """Models' fields and records; :class:`~testbed.odoo_server.OdooTestServer` loads them.

    :data:`COMPUTED` holds the stored computed fields the addon adds, derived from a
    record's other fields when read or searched (as Odoo keeps them up to date).
    """

    COMPUTED: ClassVar[dict[tuple[str, str], Any]] = {
        ("calendar.event", "epaper_location_key"): _location_key,
    }
    fields: dict[str, dict[str, dict[str, Any]]]
    records: dict[str, dict[int, Record]]

    def add_computed_fields(self) -> None:
        """Declare :data:`COMPUTED`'s fields on the models the fixture has."""
        for model, name in self.COMPUTED:
            if model in self.fields:
                self.fields[model].setdefault(name, {"type": "char"})

    def _field_value(self, model: str, record: Record, name: str) -> Any:
        compute = self.COMPUTED.get((model, name))
        return compute(record) if compute is not None else record.get(name, False)

    def _find(
        self, model: str, domain: list[Any], offset: int, limit: int | None, order: str | None
    ) -> list[Record]:
        fields = self.fields[model]
        if "active" in fields and not mentions(domain, "active"):
            domain = [("active", "=", True), *domain] if domain else [("active", "=", True)]
        candidates = self._indexed(model, domain)
        found = [rec for rec in candidates if self._match(model, rec, domain)]
        for part in reversed((order or "id").split(",")):
            name, _, direction = part.strip().partition(" ")
            found.sort(
                key=lambda rec, n=name: sort_key(rec.get(n)),
                reverse=direction.strip().lower() == "desc",
            )
        return found[offset : offset + limit if limit else None]

    def _indexed(self, model: str, domain: list[Any]) -> list[Record]:
        """The records that may match ``domain``: all of them, or, when the domain is a
        conjunction with a leaf ``(field, "in", values)`` on a field of the model itself,
        only those whose field holds one of the values (what a database index selects;
        each is still matched against the whole domain). One cheap pass over the model's
        records, so a page of a paged read costs Odoo-like work, not a full domain match
        of every record of the fleet."""
        records = self.records[model].values()
        for item in _conjuncts(domain):
            if isinstance(item, list | tuple) and len(item) == 3 and item[1] == "in":
                name, _, values = item
                if "." in str(name) or name == "id" or name not in self.fields[model]:
                    continue
                try:
                    wanted = frozenset(values)
                except TypeError:  # unhashable values: no index to use
                    continue
                compute = self.COMPUTED.get((model, name))
                if compute is not None:
                    return [rec for rec in records if compute(rec) in wanted]
                return [rec for rec in records if _may_be_in(rec.get(name, False), wanted)]
        return list(records)

    def _match(self, model: str, record: Record, domain: list[Any]) -> bool:
        stack: list[bool] = []
        for item in reversed(domain):
            if item == "&":
                stack.append(stack.pop() & stack.pop())
            elif item == "|":
                stack.append(stack.pop() | stack.pop())
            elif item == "!":
                stack.append(not stack.pop())
            else:
                path, operator, value = item
                stack.append(compare(self._values(model, record, path), operator, value))
        return all(stack)

    def _values(self, model: str, record: Record, path: str) -> list[Any]:
        """Follow a dotted path through many2one fields; return the leaf values."""
        name, _, rest = path.partition(".")
        if name == "id":
            return [record["id"]]
        meta = self.fields[model].get(name)
        if meta is None:
            raise OdooRpcFault("builtins.ValueError", f"Invalid field {model}.{name} in leaf")
        value = self._field_value(model, record, name)
        if not rest:
            return [value]
        relation = meta.get("relation")
        target = self.records.get(relation or "", {}).get(value) if value else None
        if relation is None or target is None:
            return [False]
        return self._values(relation, target, rest)

    def _display_name(self, model: str, record: Record) -> str:
        return str(record.get("name") or f"{model},{record['id']}")

    def _plain(self, model: str, record: Record, name: str) -> Any:
        if name == "id":
            return record["id"]
        if name == "display_name":
            return self._display_name(model, record)
        meta = self.fields[model].get(name)
        if meta is None:
            raise OdooRpcFault("builtins.ValueError", f"Invalid field '{name}' on '{model}'")
        value = self._field_value(model, record, name)
        if value is None:
            value = False
        return copy.deepcopy(value)

    def _render(self, model: str, record: Record, fields: list[str] | None) -> Record:
        names = fields or [n for n in self.fields[model] if n != "password"]
        out: Record = {"id": record["id"]}
        for name in names:
            value = self._plain(model, record, name)
            meta = self.fields[model].get(name, {})
            if meta.get("type") == "many2one" and value:
                target = self.records[meta["relation"]].get(value)
                value = [value, self._display_name(meta["relation"], target)] if target else False
            out[name] = value
        return out

    def _render_spec(self, model: str, record: Record, spec: dict[str, Any]) -> Record:
        out: Record = {"id": record["id"]}
        for name, sub in spec.items():
            value = self._plain(model, record, name)
            meta = self.fields[model].get(name, {})
            if meta.get("type") == "many2one" and value and sub and "fields" in sub:
                target = self.records[meta["relation"]].get(value)
                value = (
                    self._render_spec(meta["relation"], target, sub["fields"]) if target else False
                )
            out[name] = value
        return out

    def _known_spec(self, model: str, spec: dict[str, Any]) -> dict[str, Any]:
        """``spec`` without the fields this fixture's model lacks (modules not installed)."""
        known: dict[str, Any] = {}
        for name, sub in spec.items():
            meta = self.fields[model].get(name)
            if meta is None and name not in ("id", "display_name"):
                continue
            if meta and meta.get("relation") and sub and "fields" in sub:
                known[name] = {"fields": self._known_spec(meta["relation"], sub["fields"])}
            else:
                known[name] = sub
        return known

    def _render_known(self, model: str, record: Record, spec: dict[str, Any]) -> Record:
        return self._render_spec(model, record, self._known_spec(model, spec))

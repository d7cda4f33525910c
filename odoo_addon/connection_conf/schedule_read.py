"""Set-based reads for the schedule: ``web_search_read``'s records, without per-record ORM work.

``web_search_read`` of 56,000 events builds a record, fills the cache and formats each
field of each record in Python (about 20 us a booking on Odoo 18). The schedule needs plain
values only, so this module selects them in one query the ORM builds (``_search``: the
domain and ``active_test``) and reads each many2one's few distinct targets once
(``web_read``). It reads as the superuser only, as the schedule does after its rights
check (docs/protocol.md): stored values as they are, which is what ``web_search_read``
gives the superuser (for anyone else, models such as ``calendar.event`` blank fields
per record, which one query cannot).

The records are ``web_search_read``'s, except that an empty stored value is None (Odoo's
False in ``web_search_read``; an empty many2one with ``fields`` is False in both) and
dates and datetimes are ``datetime.date`` / naive UTC ``datetime.datetime``: the plain
rules read both forms (``epaper_schedule``: None and False alike, times by
``epaper_schedule.times``).
"""

from __future__ import annotations

from typing import Any


def _column(model: Any, name: str) -> bool:
    field = model._fields.get(name)
    return field is not None and field.store and bool(field.column_type)


def read_records(
    model: Any, domain: list[Any], specification: dict[str, Any], order: str = "id"
) -> list[dict[str, Any]]:
    """Return ``model.web_search_read(domain, specification, order=order)["records"]``
    in set-based queries (see the module docstring for the value forms).

    ``model`` is a superuser recordset of the model (``sudo()``; its context applies, e.g.
    ``active_test``); any other raises ValueError. Stored fields are
    selected in one query; a many2one with ``{"fields": ...}`` reads its distinct
    targets with ``web_read``; any other field (computed, one2many...) is read with
    ``web_read`` of the found records. Other errors are the ORM's (a bad domain, a field
    the model lacks).
    """
    if not model.env.su:
        raise ValueError(f"read_records reads {model._name} as the superuser only (sudo).")
    query = model._search(domain, order=order)
    flat = [name for name, spec in specification.items() if _column(model, name) and not spec]
    many2one = {
        name: spec["fields"]
        for name, spec in specification.items()
        if _column(model, name)
        and model._fields[name].type == "many2one"
        and set(spec) == {"fields"}
    }
    others = {
        name: spec
        for name, spec in specification.items()
        if name not in flat and name not in many2one
    }
    names = [*flat, *many2one]
    columns = [model._field_to_sql(model._table, name, query) for name in ["id", *names]]
    rows = model.env.execute_query(query.select(*columns))
    keys = ["id", *names]
    records = [dict(zip(keys, row, strict=True)) for row in rows]
    for name, fields in many2one.items():
        targets = {record[name] for record in records if record[name]}
        comodel = model.env[model._fields[name].comodel_name]
        read = {target["id"]: target for target in comodel.browse(sorted(targets)).web_read(fields)}
        for record in records:
            record[name] = read.get(record[name], False) if record[name] else False
    if others and records:
        by_id = {record["id"]: record for record in records}
        for values in model.browse(list(by_id)).web_read(others):
            by_id[values["id"]].update(values)
    return records

"""What differs between the Odoo series this addon runs on (18.0, 19.0): the one place.

The rest of the addon is one source for every series. Each difference is told by what
the running Odoo has (a class, a field), not by its version number, so a later series
that keeps 19.0's way needs no change here.

- ``Constraint``: a database constraint declared on a model class, as 19.0 spells it
  (``_name = Constraint("UNIQUE(...)", "message")``). 19.0 has ``models.Constraint``;
  on 18.0 the same declaration lands in ``_sql_constraints`` (19.0 ignores that list
  with a warning, 18.0 has no ``models.Constraint``).
- ``place_groups``: 18.0 hangs groups on a module category (``res.groups.category_id``,
  members in ``users``); 19.0 on a privilege (``res.groups.privilege``, ``privilege_id``,
  members in ``user_ids``). The security XML declares the groups with the fields both
  have and calls ``place_groups`` for the rest.
- ``table_constraints``: the database constraints a model declares, named as in
  PostgreSQL (for the tests that prove each one exists).
- ``template_path``: Odoo's exporter writes different translation templates on 18.0
  and 19.0 for some modules; a module keeps the current series' one in
  ``i18n/<module>.pot`` and an older series' one, where it differs, in
  ``i18n/<series>/<module>.pot``.
"""

from __future__ import annotations

from typing import Any

from odoo import models, release
from odoo.tools.misc import file_path

if hasattr(models, "Constraint"):  # 19.0 and later
    Constraint: Any = models.Constraint
else:  # 18.0

    class Constraint:  # type: ignore[no-redef]
        """A table constraint written as on 19.0, kept in 18.0's ``_sql_constraints``.

        ``definition`` is the SQL after ``ADD CONSTRAINT <name>`` (``UNIQUE(name)``,
        ``CHECK(...)``); ``message`` the text shown when a write violates it. The
        attribute name without its leading ``_`` is the constraint's key, so the
        database name is ``<table>_<key>`` on both series.
        """

        def __init__(self, definition: str, message: str = "") -> None:
            self.definition = definition
            self.message = message

        def __set_name__(self, owner: type, name: str) -> None:
            if not name.startswith("_"):
                raise TypeError(f"constraint attribute {name!r} must start with '_'")
            declared = list(owner.__dict__.get("_sql_constraints", []))
            declared.append((name[1:], self.definition, self.message))
            owner._sql_constraints = declared  # type: ignore[attr-defined]


def table_constraints(model: Any) -> set[str]:
    """Return the PostgreSQL names (``<table>_<key>``) of the constraints ``model`` declares.

    ``model`` is a recordset (any, e.g. ``env["room.rasp.connection"]``).
    """
    objects = getattr(model, "_table_objects", None)
    if objects is not None:  # 19.0: Constraint and Index objects by key
        return {
            obj.full_name(model)
            for obj in objects.values()
            if isinstance(obj, models.Constraint)  # type: ignore[attr-defined]
        }
    return {f"{model._table}_{key}" for key, _definition, _message in model._sql_constraints}


def place_groups(env: Any, category: Any, groups: Any, members: dict[int, list[int]]) -> None:
    """Put ``groups`` under ``category`` and give them their ``members``, per series.

    ``category`` is an ``ir.module.category`` record, ``groups`` ``res.groups`` records,
    ``members`` maps a group id to the ``res.users`` ids it must contain (added, none
    removed). On 19.0 and later the groups hang on one privilege of the category, named
    and described as the category, with the XML id ``connection_conf.privilege_epaper``
    (made or updated here, so an update keeps it and an uninstall removes it).
    """
    group_fields = env["res.groups"]._fields
    if "privilege_id" in group_fields:  # 19.0
        privilege = env["res.groups.privilege"]._load_records(
            [
                {
                    "xml_id": "connection_conf.privilege_epaper",
                    "values": {
                        "name": category.name,
                        "description": category.description,
                        "sequence": category.sequence,
                        "category_id": category.id,
                    },
                    "noupdate": False,
                }
            ],
            update=True,
        )
        groups.write({"privilege_id": privilege.id})
    else:  # 18.0
        groups.write({"category_id": category.id})
    users_field = "user_ids" if "user_ids" in group_fields else "users"
    for group_id, user_ids in members.items():
        env["res.groups"].browse(group_id).write(
            {users_field: [(4, user_id) for user_id in user_ids]}
        )


def template_path(module: str) -> str:
    """Return the translation template of ``module`` for the running series, as an addon
    path (``<module>/i18n/...``).

    ``<module>/i18n/<series>/<module>.pot`` (e.g. ``i18n/18.0/``) when the module keeps
    one for this series, else ``<module>/i18n/<module>.pot`` (the current series' one).
    """
    series_template = f"{module}/i18n/{release.major_version}/{module}.pot"
    try:
        file_path(series_template)
    except FileNotFoundError:
        return f"{module}/i18n/{module}.pot"
    return series_template

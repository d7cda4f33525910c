"""Checks that a module's committed translation template matches Odoo's exporter."""

from __future__ import annotations

from typing import Any

import polib
from odoo.tests import TransactionCase
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

from ..series import template_path

FIELD_RECORDS = ("ir.model.fields", "ir.model.fields.selection")


def module_and_dependencies(env: Any, module: str) -> set[str]:
    """Return ``module`` and every module it depends on, directly or not."""
    Dependency = env["ir.module.module.dependency"]
    found, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(Dependency.search([("module_id.name", "=", name)]).mapped("name"))
    return found


def is_unrelated_field_term(env: Any, name: str, xml_id: str, related: set[str]) -> bool:
    """Whether the exported term (``name`` "model,field", ``xml_id``) labels a field that
    only modules outside ``related`` define (the ORM's own fields, ``id`` and
    ``display_name``, are defined by no module: they count as related).

    Such a field reaches our model through a mixin another module extends (``sms`` adds
    ``message_has_sms_error`` to every ``mail.thread``); Odoo files it under our module
    when that module happened to be installed first, so whether it is exported depends on
    the database, not on our module.
    """
    if name.split(",", 1)[0] not in FIELD_RECORDS:
        return False
    record = env.ref(xml_id, raise_if_not_found=False)
    if record is None:
        return False
    field_record = record if record._name == "ir.model.fields" else record.field_id
    field = env[field_record.model]._fields.get(field_record.name)
    return field is not None and bool(field._modules) and not set(field._modules) & related


def assert_template_is_current(case: TransactionCase, module: str) -> None:
    """Assert the module's template for this series holds exactly the terms Odoo exports.

    The template is ``series.template_path(module)``. The terms are the source strings
    ``odoo-bin --i18n-export --modules=<module>`` writes for the installed ``module`` on a
    database where only it and its dependencies are installed (code strings, field
    labels and helps, selections, views, groups, menus, ...): the labels of fields that
    unrelated modules add to our models through a mixin are left out, whatever else is
    installed. A missing or left-over msgid fails with both lists; export the template
    again (odoo_addon/README.md says how).

    Raises:
        AssertionError: the template and the exporter disagree.
    """
    related = module_and_dependencies(case.env, module)
    exported = {
        source
        for term_module, _type, name, xml_id, source, _value, _comments in (
            TranslationModuleReader(case.env.cr, modules=[module])
        )
        if term_module == module and not is_unrelated_field_term(case.env, name, xml_id, related)
    }
    path = template_path(module)
    template = polib.pofile(file_path(path))
    committed = {entry.msgid for entry in template if entry.msgid and not entry.obsolete}
    case.assertEqual(
        (sorted(exported - committed), sorted(committed - exported)),
        ([], []),
        f"{path} is stale: (missing msgids, left-over msgids)",
    )

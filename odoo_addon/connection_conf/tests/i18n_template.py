"""Checks that a module's committed translation template matches Odoo's exporter."""

from __future__ import annotations

import polib
from odoo.tests import TransactionCase
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader


def assert_template_is_current(case: TransactionCase, module: str) -> None:
    """Assert ``<module>/i18n/<module>.pot`` holds exactly the terms Odoo would export.

    The terms are the source strings ``odoo-bin --i18n-export --modules=<module>`` writes
    for the installed ``module`` (code strings, field labels and helps, selections, views,
    groups, menus, ...). A missing or left-over msgid fails with both lists; export the
    template again with that command.

    Raises:
        AssertionError: the template and the exporter disagree.
    """
    exported = {
        source
        for term_module, _type, _name, _res_id, source, _value, _comments in (
            TranslationModuleReader(case.env.cr, modules=[module])
        )
        if term_module == module
    }
    template = polib.pofile(file_path(f"{module}/i18n/{module}.pot"))
    committed = {entry.msgid for entry in template if entry.msgid and not entry.obsolete}
    case.assertEqual(
        (sorted(exported - committed), sorted(committed - exported)),
        ([], []),
        f"{module}.pot is stale: (missing msgids, left-over msgids)",
    )

"""Import the Odoo addon's plain-Python packages (no ``odoo`` import) by their folder.

Not by putting ``connection_conf`` on sys.path: its Odoo ``tests`` package (a regular
package) would then shadow this repository's ``tests`` (a namespace package), and
importing ``odoo_addon.connection_conf`` would run the addon's ``__init__`` (Odoo models).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ADDON = Path(__file__).resolve().parents[1] / "odoo_addon" / "connection_conf"


def load_plain_package(name: str) -> ModuleType:
    """Return the addon's package ``name`` (e.g. ``epaper_schedule``), imported once."""
    if name in sys.modules:
        return sys.modules[name]
    folder = ADDON / name
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"no plain package {name} in {ADDON}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module

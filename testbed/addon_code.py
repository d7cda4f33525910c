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
from typing import Any

ADDONS = Path(__file__).resolve().parents[1] / "odoo_addon"
ADDON = ADDONS / "connection_conf"
# The package the modules' plain files are imported under (as ``odoo.addons`` in Odoo).
ADDONS_PACKAGE = "epaper_addons"
# Each bridge module's schedule source: (module, class), as its models register them.
SOURCE_MODULES = (
    ("connection_conf_room", "RoomBookingSource"),
    ("connection_conf_calendar", "CalendarEventSource"),
)


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


def _package(name: str, folder: Path) -> ModuleType:
    """An empty package ``name`` over ``folder`` (its ``__init__`` is not run: it imports
    Odoo models)."""
    if name not in sys.modules:
        module = ModuleType(name)
        module.__path__ = [str(folder)]
        sys.modules[name] = module
    return sys.modules[name]


def load_module_file(module: str, name: str) -> ModuleType:
    """Return the plain file ``odoo_addon/<module>/<name>.py`` (e.g. a module's
    ``schedule_source``), imported once as in Odoo: its ``..connection_conf.epaper_schedule``
    is the plain package :func:`load_plain_package` gives."""
    full = f"{ADDONS_PACKAGE}.{module}.{name}"
    if full in sys.modules:
        return sys.modules[full]
    load_plain_package("epaper_schedule")
    _package(ADDONS_PACKAGE, ADDONS)
    _package(f"{ADDONS_PACKAGE}.connection_conf", ADDON)
    for key in [
        k for k in sys.modules if k == "epaper_schedule" or k.startswith("epaper_schedule.")
    ]:
        sys.modules.setdefault(f"{ADDONS_PACKAGE}.connection_conf.{key}", sys.modules[key])
    _package(f"{ADDONS_PACKAGE}.{module}", ADDONS / module)
    spec = importlib.util.spec_from_file_location(full, ADDONS / module / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"no {name}.py in {ADDONS / module}")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[full] = loaded
    spec.loader.exec_module(loaded)
    return loaded


def schedule_sources() -> dict[str, Any]:
    """Every bridge module's schedule source, by the model it reads (one instance each)."""
    sources = [
        getattr(load_module_file(module, "schedule_source"), cls)()
        for module, cls in SOURCE_MODULES
    ]
    return {source.model: source for source in sources}

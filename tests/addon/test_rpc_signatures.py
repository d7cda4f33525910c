"""The addon's RPC methods take the parameter names the hub sends and the test server binds.

JSON-2 (Odoo 19) passes arguments by name only, so a parameter's name is part of the
contract: the hub's calls (odoo_client.py), the test server's handlers (bound as strictly
as Odoo's ``signature.bind``) and the addon's methods must agree. Read from the addon's
source (no Odoo needed).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from testbed.odoo_json2 import handler_parameters
from testbed.odoo_server import OdooTestServer

ADDON = Path(__file__).resolve().parents[2] / "odoo_addon"
# The addon methods the hub calls on room.rasp.connection.
HUB_METHODS = (
    "epaper_schedule",
    "epaper_schedule_sources",
    "epaper_book",
    "epaper_cancel",
    "epaper_door_action",
    "epaper_adoption_choices",
    "epaper_adopt_display",
    "mqtt_status_report",
)


def addon_parameters() -> dict[str, list[str]]:
    """Every public method of the addon's models: its parameter names after ``self``."""
    found: dict[str, list[str]] = {}
    for path in ADDON.glob("*/models/*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name in HUB_METHODS:
                names = [arg.arg for arg in node.args.args[1:] + node.args.kwonlyargs]
                assert found.setdefault(node.name, names) == names, (path, node.name)
    return found


@pytest.mark.parametrize("method", HUB_METHODS)
def test_test_server_binds_the_addon_names(method: str) -> None:
    """The test server's handler takes exactly the addon method's parameter names."""
    server = OdooTestServer()
    handler = server._methods()[method]
    served = [param.name for param in handler_parameters(handler)]
    assert served == addon_parameters()[method]

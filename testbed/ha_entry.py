"""The Home Assistant config entry of an Odoo E-Paper hub on the Odoo test server.

The test server's default data (``testbed/odoo_data/default.json``) has the database
``odoo`` and the administrator ``admin`` (password ``admin-pw``, user id 2). Used by the
tests under ``tests/components`` and by ``bench/``.
"""

from __future__ import annotations

from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME

from custom_components.odoo_epaper.const import CONF_DATABASE
from testbed.odoo_server import OdooTestServer

ODOO_DATABASE = "odoo"
ODOO_LOGIN = "admin"
ODOO_PASSWORD = "admin-pw"
ODOO_UID = 2


def entry_data(server: OdooTestServer, **changes: str) -> dict[str, str]:
    """The entry.data of a config entry for the test server's admin user.

    ``changes`` replace or add keys (``url``, ``database``, ``username``, ``password``).
    """
    return {
        CONF_URL: server.url,
        CONF_DATABASE: ODOO_DATABASE,
        CONF_USERNAME: ODOO_LOGIN,
        CONF_PASSWORD: ODOO_PASSWORD,
        **changes,
    }


def unique_id(server: OdooTestServer, database: str = ODOO_DATABASE, uid: int = ODOO_UID) -> str:
    """The unique id an entry for that server, database and user gets (``url|database|uid``)."""
    return f"{server.url}|{database}|{uid}"

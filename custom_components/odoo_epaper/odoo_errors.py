"""The typed errors of the Odoo client: every failure talking to Odoo is one of them.

No Home Assistant imports here (see odoo_client.py).
"""

from __future__ import annotations


class OdooError(Exception):
    """Any failure talking to Odoo."""


class OdooUrlError(OdooError):
    """The URL is not an http(s) URL of a server root."""


class OdooConnectionError(OdooError):
    """The server cannot be reached or does not answer like Odoo."""


class OdooTimeoutError(OdooConnectionError):
    """The server answered too slowly: the call's whole deadline passed."""


class OdooAuthError(OdooError):
    """The login, password or API key was refused."""


class OdooDatabaseError(OdooError):
    """The database does not exist on the server."""


class OdooAccessError(OdooError):
    """The user lacks read rights on a model the hub needs."""


class OdooMissingModelError(OdooError):
    """No installed module provides the schedule source asked for."""


class OdooAddonTooOldError(OdooError):
    """The Odoo E-Paper addon is missing, or lacks ``epaper_schedule`` API 1."""

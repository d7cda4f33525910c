"""Which of the models the hub knows a server has, asked without ``ir.model``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .odoo_errors import OdooAddonTooOldError, OdooError, OdooMissingModelError
from .odoo_server_info import KNOWN_MODELS
from .odoo_transport import missing_model


def model_access(call: Callable[..., Any]) -> dict[str, bool]:
    """Return ``{model: may_read}`` for each of :data:`KNOWN_MODELS` the server has.

    ``call(model, method, *args, **kwargs)`` makes one RPC (the client's ``_call``).
    ``ir.model`` is readable by administrators only on Odoo 18 and 19 (the hub's user is
    not one), so each model is asked ``has_access``: an answer (True or False) means it
    exists; Odoo's "Object ... doesn't exist" (JSON-RPC) or 404 (JSON-2) that it does not.
    Other errors propagate (OdooError and its subclasses).
    """
    access: dict[str, bool] = {}
    for model in KNOWN_MODELS:
        try:
            access[model] = bool(call(model, "has_access", [], operation="read"))
        except (OdooAddonTooOldError, OdooMissingModelError):
            continue
        except OdooError as err:
            if not missing_model(err):
                raise
    return access

"""Who may write the settings that decide where a broker secret is sent.

The rule behind both models' ``create`` / ``write`` (see
``models/room_rasp_connection_secrets.py`` and README "Secrets and rights"); plain
data and one function, so ``room.rasp.broker`` and ``room.rasp.connection`` share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from odoo.exceptions import AccessError

MANAGER_GROUP = "connection_conf.group_epaper_manager"
# The display fields that decide where (and as whom) a secret is sent.
CONNECTION_FIELDS = frozenset(
    {
        "broker_id",
        "mqtt_host",
        "mqtt_port",
        "mqtt_username",
        "mqtt_password",
        "mqtt_tls",
        "mqtt_use_tls",
        "mqtt_ca_cert",
    }
)
# The same on a broker.
BROKER_CONNECTION_FIELDS = frozenset({"host", "port", "username", "password", "use_tls", "ca_cert"})


def check_connection_write(records: Any, names: Iterable[str], guarded: frozenset[str]) -> None:
    """Raise AccessError when ``names`` (fields about to be written on ``records``)
    include one of ``guarded`` and the caller is neither the superuser nor an E-Paper
    manager. Any value counts, also the stored one: the check is on who writes."""
    touched = sorted(guarded.intersection(names))
    env = records.env
    if not touched or env.su or env.user.has_group(MANAGER_GROUP):
        return
    raise AccessError(
        env._(
            "Only E-Paper managers may change where a broker password is sent (%(fields)s).",
            fields=", ".join(touched),
        )
    )


def check_secret_read(records: Any, names: Iterable[str]) -> None:
    """Raise AccessError unless the caller may read ``records`` and their fields
    ``names`` (each field's ``groups``; the superuser passes).

    Called before a secret is read by attribute: Odoo 18 checks a field's groups only
    when it fetches the value, not when a superuser read has already put it in the
    cache, so the attribute alone does not stop anyone.
    """
    env = records.env
    if env.su or not records:
        return
    records.check_access("read")
    for name in names:
        groups = records._fields[name].groups
        if groups and not env.user.has_groups(groups):
            raise AccessError(
                env._(
                    "Only E-Paper managers may use the broker password and CA "
                    "(%(model)s, field %(field)s).",
                    model=records._description,
                    field=name,
                )
            )

"""Who may change where a broker secret goes, and the one path that reads the secret.

Two rules (README "Secrets and rights"):

- **Where a secret goes** (``CONNECTION_FIELDS`` of a display, ``BROKER_CONNECTION_FIELDS``
  of a broker: host, port, user, password, TLS, CA, and the display's broker) is
  written by E-Paper managers only, and by the system (superuser). The hub's *Status
  reporter* may write displays (the status it mirrors) but gets an AccessError for these,
  so it can never point a password at a host of its choosing.
- **Who reads a secret**: ``_epaper_broker_values`` reads the password and the CA in
  the caller's own environment, never as superuser on someone's behalf, so Odoo's
  field groups decide (managers). The MQTT runtime gets secrets only from the system's
  own environments (the cron, the event drain, the change-notice hook in its own
  cursor, see ``mqtt_runtime``), which run as superuser.
"""

from __future__ import annotations

from typing import Any

from odoo import api, models

from ..rights import CONNECTION_FIELDS, check_connection_write, check_secret_read


class RoomRaspConnectionSecrets(models.Model):
    """The connection settings of a display: managers write them, the caller reads them."""

    # A concern of its own (OCA style): the rights around the broker's secrets.
    _inherit = "room.rasp.connection"  # pylint: disable=consider-merging-classes-inherited

    @api.model_create_multi
    def create(self, vals_list: list[dict[str, Any]]) -> Any:
        """Create; connection settings given by a non-manager are refused (AccessError)."""
        for vals in vals_list:
            check_connection_write(self, vals, CONNECTION_FIELDS)
        return super().create(vals_list)

    def write(self, vals: dict[str, Any]) -> bool:
        """Write; connection settings written by a non-manager are refused (AccessError)."""
        check_connection_write(self, vals, CONNECTION_FIELDS)
        return super().write(vals)

    def _epaper_broker_values(self) -> dict[str, Any]:
        """Return the effective broker settings with the secrets, read as the caller.

        Keys: host, port, username, use_tls (``_epaper_route_values``), password and
        ca_cert (the display's override, else its broker's). The secrets are read in
        ``self.env`` after ``rights.check_secret_read``: the fields' groups let managers
        and the superuser through; anyone else gets AccessError, even where no secret
        is set.
        """
        self.ensure_one()
        values = self._epaper_route_values()
        check_secret_read(self, ("mqtt_password", "mqtt_ca_cert"))
        broker = self.broker_id
        check_secret_read(broker, ("password", "ca_cert"))
        values["password"] = self.mqtt_password or broker.password or None
        values["ca_cert"] = self.mqtt_ca_cert or broker.ca_cert or None
        return values

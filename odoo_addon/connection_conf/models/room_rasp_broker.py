"""MQTT brokers (model ``room.rasp.broker``): settings entered once, used by every display.

A display names its broker (``broker_id``, by default its company's default broker) and
overrides only what differs. ``_epaper_migrate_display_brokers`` turns the per-display
settings of version 18.0.1.0.0 into broker records (called by the 18.0.1.1.0 migration).
"""

from __future__ import annotations

from typing import Any

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rights import BROKER_CONNECTION_FIELDS, check_connection_write
from ..series import Constraint

DEFAULT_PORT = 8883


class RoomRaspBroker(models.Model):
    """An MQTT broker the door signs and Odoo's own session connect to."""

    _name = "room.rasp.broker"
    _description = "E-Paper MQTT Broker"
    _order = "is_default desc, name"

    name = fields.Char(required=True, help="A name people recognise, e.g. 'Head office broker'.")
    host = fields.Char(required=True, help="Host name or address of the broker.")
    port = fields.Integer(default=DEFAULT_PORT, required=True)
    username = fields.Char(string="User", help="Odoo's MQTT user on this broker.")
    password = fields.Char(groups="connection_conf.group_epaper_manager", copy=False)
    use_tls = fields.Boolean(string="Use TLS", default=True)
    ca_cert = fields.Text(
        string="CA Certificate",
        groups="connection_conf.group_epaper_manager",
        help="PEM text of the CA that signed the broker's certificate; "
        "empty means the system's trusted CAs.",
    )
    is_default = fields.Boolean(
        string="Default",
        help="New displays of this company use this broker unless they name another.",
    )
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        index=True,
        help="The company whose displays use this broker; empty: shared by all companies.",
    )
    publisher = fields.Selection(
        [("home_assistant", "Home Assistant"), ("odoo", "Odoo")],
        default="home_assistant",
        required=True,
        help="Who publishes the doors' room data on this broker (exactly one): Home "
        "Assistant, or Odoo itself, the doors then working without Home Assistant.",
    )
    active = fields.Boolean(default=True)
    display_ids = fields.One2many("room.rasp.connection", "broker_id", string="Displays")
    display_count = fields.Integer(compute="_compute_display_count")

    _port_range = Constraint(
        "CHECK(port >= 1 AND port <= 65535)", "The broker port must be between 1 and 65535."
    )

    @api.model_create_multi
    def create(self, vals_list: list[dict[str, Any]]) -> Any:
        """Create; connection settings given by a non-manager are refused (AccessError,
        besides the access rules: see room_rasp_connection_secrets)."""
        for vals in vals_list:
            check_connection_write(self, vals, BROKER_CONNECTION_FIELDS)
        return super().create(vals_list)

    def write(self, vals: dict[str, Any]) -> bool:
        """Write; connection settings written by a non-manager are refused (AccessError)."""
        check_connection_write(self, vals, BROKER_CONNECTION_FIELDS)
        return super().write(vals)

    def _compute_display_count(self) -> None:
        counts = {
            broker.id: count
            for broker, count in self.env["room.rasp.connection"]._read_group(
                [("broker_id", "in", self.ids)], ["broker_id"], ["__count"]
            )
        }
        for broker in self:
            broker.display_count = counts.get(broker.id, 0)

    @api.constrains("is_default", "company_id", "active")
    def _check_one_default(self) -> None:
        for broker in self.filtered(lambda b: b.is_default and b.active):
            others = self.search_count(
                [
                    ("id", "!=", broker.id),
                    ("is_default", "=", True),
                    ("company_id", "=", broker.company_id.id),
                ]
            )
            if others:
                raise ValidationError(
                    self.env._("A company has one default broker; unset the other one first.")
                )

    @api.model
    def _epaper_default_broker(self) -> Any:
        """Return the current company's default broker (else one shared by all companies)."""
        return self.search(
            [("is_default", "=", True), ("company_id", "in", [self.env.company.id, False])],
            order="company_id",
            limit=1,
        )

    def action_view_displays(self) -> dict[str, Any]:
        """Smart button: the displays using this broker."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connection_conf.room_rasp_connection_action"
        )
        action["domain"] = [("broker_id", "=", self.id)]
        action["context"] = {"default_broker_id": self.id}
        return action

    # -- migration from per-display settings (18.0.1.0.0) ---------------------------

    @api.model
    def _epaper_migrate_display_brokers(self, tls_by_display: dict[int, bool] | None = None) -> Any:
        """Give every display without a broker one made of its own settings; return the brokers.

        Displays with equal host, port, user, password, TLS and CA share one broker; their
        own fields are then cleared, so the effective settings stay exactly what they were.
        ``tls_by_display`` maps display ids to their TLS flag when it comes from the old
        ``mqtt_use_tls`` column (the migration reads it with SQL); otherwise the display's
        ``mqtt_tls`` counts. The broker with the most displays becomes the company default
        when the company has none. Idempotent: displays that have a broker are left alone.
        """
        displays = (
            self.env["room.rasp.connection"]
            .sudo()
            .with_context(active_test=False)
            .search([("broker_id", "=", False), ("mqtt_host", "!=", False)])
        )
        tls_by_display = tls_by_display or {}
        groups: dict[tuple[Any, ...], Any] = {}
        for display in displays:
            tls = tls_by_display.get(display.id, display.mqtt_tls != "off")
            key = (
                display.mqtt_host.strip(),
                display.mqtt_port or DEFAULT_PORT,
                display.mqtt_username or False,
                display.mqtt_password or False,
                tls,
                display.mqtt_ca_cert or False,
            )
            groups[key] = groups.get(key, display.browse()) | display
        brokers = self.sudo().browse()
        for key, members in sorted(groups.items(), key=lambda item: -len(item[1])):
            host, port, username, password, tls, ca_cert = key
            label = f"{username}@{host}:{port}" if username else f"{host}:{port}"
            broker = self.sudo().create(
                {
                    "name": label,
                    "host": host,
                    "port": port,
                    "username": username,
                    "password": password,
                    "use_tls": tls,
                    "ca_cert": ca_cert,
                    "company_id": False,
                }
            )
            members.write(
                {
                    "broker_id": broker.id,
                    "mqtt_host": False,
                    "mqtt_port": 0,
                    "mqtt_username": False,
                    "mqtt_password": False,
                    "mqtt_ca_cert": False,
                    "mqtt_tls": "broker",
                }
            )
            brokers |= broker
        if brokers and not self.sudo().search_count([("is_default", "=", True)]):
            brokers[0].is_default = True
        return brokers

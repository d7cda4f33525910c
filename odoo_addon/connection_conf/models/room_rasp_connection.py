"""The e-paper displays (model ``room.rasp.connection``, seed: RoomRaspConnection).

This file holds the fields, their constraints and the room a display shows; the MQTT
side (sessions, test buttons, change notices) is ``room_rasp_connection_mqtt.py``, the
status mirror (``mqtt_status_report``, the session's statuses) is
``room_rasp_connection_status.py``.
"""

from __future__ import annotations

import logging
from typing import Any

from odoo import api, fields, models
from odoo.addons.base.models.res_partner import _lang_get, _tz_get
from odoo.exceptions import ValidationError

from ..epaper_schedule import normalize_location, room_labels
from ..mqtt_bridge import is_valid_device_name, is_valid_topic_prefix
from ..mqtt_bridge.wire import DEFAULT_TOPIC_PREFIX
from ..series import Constraint, place_groups

STATES = [
    ("unknown", "Unknown"),
    ("online", "Online"),
    ("offline", "Offline"),
    ("error", "Error"),
]
PARAM_PREFIX = "connection_conf.default_topic_prefix"
_logger = logging.getLogger(__name__)


class RoomRaspConnection(models.Model):
    """An e-paper door sign: its broker (and overrides) and its mirrored MQTT status."""

    _name = "room.rasp.connection"
    _description = "E-Paper Display"
    _inherit = ["mail.thread"]
    _order = "name"
    _rec_name = "name"
    _check_company_auto = True

    name = fields.Char(
        string="Device Name",
        required=True,
        tracking=True,
        help="Name of the display in MQTT topics: lower-case letters, digits, '-' and '_', "
        "at most 64 characters, not starting with '_'.",
    )
    room_name = fields.Char(
        help="Room shown on the sign and matched against the location of calendar events "
        "(case and spaces ignored)."
    )
    location_aliases = fields.Text(
        help="Other names of this room in the location of calendar events, one per line "
        "(e.g. 'Boardroom, 2nd floor'); case and spaces are ignored."
    )
    topic_prefix = fields.Char(
        help="MQTT topic prefix of this display; empty means the default "
        "(system parameter connection_conf.default_topic_prefix, else 'odoo_epaper/')."
    )
    broker_id = fields.Many2one(
        "room.rasp.broker",
        ondelete="restrict",
        check_company=True,
        default=lambda self: self.env["room.rasp.broker"]._epaper_default_broker(),
        help="The broker this display uses; the fields below override only what differs.",
    )
    mqtt_host = fields.Char(string="Broker Host", help="Empty: the broker's host.")
    mqtt_port = fields.Integer(string="Broker Port", default=0, help="0: the broker's port.")
    mqtt_username = fields.Char(string="Broker User", help="Empty: the broker's user.")
    mqtt_password = fields.Char(
        string="Broker Password",
        groups="connection_conf.group_epaper_manager",
        copy=False,
        help="Empty: the broker's password.",
    )
    mqtt_tls = fields.Selection(
        [("broker", "As the broker"), ("on", "On"), ("off", "Off")],
        string="TLS",
        default="broker",
        required=True,
    )
    mqtt_use_tls = fields.Boolean(
        string="Use TLS",
        compute="_compute_effective_broker",
        inverse="_inverse_mqtt_use_tls",
        help="Whether this display's connection uses TLS (the broker's, unless overridden).",
    )
    mqtt_ca_cert = fields.Text(
        string="CA Certificate",
        groups="connection_conf.group_epaper_manager",
        help="PEM text of the CA that signed the broker's certificate; "
        "empty means the broker's CA, else the system's trusted CAs.",
    )
    effective_broker = fields.Char(
        compute="_compute_effective_broker",
        help="Where this display's connection goes: the broker with this display's overrides.",
    )
    qos = fields.Integer(string="QoS", default=1, required=True)
    keepalive = fields.Integer(string="Keepalive (s)", default=60, required=True)
    mqtt_connection_state = fields.Selection(
        STATES,
        string="State",
        default="unknown",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    last_seen = fields.Datetime(
        readonly=True, copy=False, help="Last time the display was known to be online."
    )
    last_status_at = fields.Datetime(
        string="Last Status",
        readonly=True,
        copy=False,
        help="Time of the newest status stored; older reports arriving late are ignored.",
    )
    last_error = fields.Char(readonly=True, tracking=True, copy=False)
    broker_message = fields.Char(
        string="Odoo Link",
        readonly=True,
        copy=False,
        help="What Odoo's own MQTT session last reported (connected, refused, unreachable).",
    )
    panel_model = fields.Char(help="Waveshare model, e.g. epd7in5_V2; filled from the status.")
    tz = fields.Selection(
        _tz_get,
        string="Timezone",
        help="Timezone of the room; empty means the timezone of the Odoo user who reads "
        "the schedule (the hub's), else the company's, else Home Assistant's.",
    )
    lang = fields.Selection(
        _lang_get,
        string="Language",
        help="Language and formats of the sign's words, times and dates; empty means the "
        "company's language.",
    )
    snapshot = fields.Binary(
        attachment=True,
        readonly=True,
        copy=False,
        help="The last picture the door sign published: exactly what the door shows.",
    )
    snapshot_at = fields.Datetime(string="Snapshot Time", readonly=True, copy=False)
    active = fields.Boolean(default=True)
    odoo_connected = fields.Boolean(
        compute="_compute_odoo_connected",
        help="Whether this Odoo process holds an MQTT session for this display's broker.",
    )

    _name_unique = Constraint("UNIQUE(name)", "Each display needs its own device name.")
    # The number ranges, in the database (0: the broker's port).
    _mqtt_port_range = Constraint(
        "CHECK(mqtt_port >= 0 AND mqtt_port <= 65535)",
        "The broker port must be between 1 and 65535.",
    )
    _qos_range = Constraint("CHECK(qos IN (0, 1, 2))", "QoS must be 0, 1 or 2.")
    _keepalive_range = Constraint(
        "CHECK(keepalive >= 5 AND keepalive <= 3600)",
        "Keepalive must be between 5 and 3600 seconds.",
    )

    def copy_data(self, default: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Duplicates get a free device name (``name-copy``), since names are unique."""
        default = dict(default or {})
        vals_list = super().copy_data(default=default)
        if "name" not in default:
            for display, vals in zip(self, vals_list, strict=True):
                vals["name"] = f"{display.name[:59]}-copy"
        return vals_list

    # -- validation -----------------------------------------------------------

    @api.constrains("name")
    def _check_name(self) -> None:
        for display in self:
            if not is_valid_device_name(display.name):
                raise ValidationError(
                    self.env._(
                        "%(name)r is not a valid device name: use lower-case letters, digits, "
                        "'-' and '_' (at most 64, not starting with '_' or '-').",
                        name=display.name,
                    )
                )

    @api.constrains("topic_prefix")
    def _check_topic_prefix(self) -> None:
        for display in self:
            if display.topic_prefix and not is_valid_topic_prefix(display.topic_prefix):
                raise ValidationError(
                    self.env._(
                        "Topic prefix %(prefix)r must end with '/', must not start with '/' "
                        "or '$', and must hold no '+', '#', empty level or level that starts "
                        "or ends with a space.",
                        prefix=display.topic_prefix,
                    )
                )

    # -- install ----------------------------------------------------------------

    @api.model
    def _epaper_place_groups(
        self, category_id: int, group_ids: list[int], members: dict[int, list[int]]
    ) -> None:
        """Put groups ``group_ids`` under category ``category_id`` (18.0: the category;
        19.0+: a privilege of it) and add ``members`` (group id -> user ids) to them.

        Called by the security XML on install and update (see ``series.place_groups``).
        """
        place_groups(
            self.env,
            self.env["ir.module.category"].browse(category_id),
            self.env["res.groups"].browse(group_ids),
            members,
        )

    # -- settings ---------------------------------------------------------------

    def _epaper_route_values(self) -> dict[str, Any]:
        """Return where this display's connection goes: the display's overrides, else its
        broker's. Keys: host, port, username, use_tls; no secret (read as superuser, since
        ``effective_broker`` shows them to everyone who reads the display).

        The secrets are added only by ``_epaper_broker_values``
        (room_rasp_connection_secrets.py), in the caller's own rights.
        """
        self.ensure_one()
        display = self.sudo()
        broker = display.broker_id
        tls = {"on": True, "off": False}.get(display.mqtt_tls, broker.use_tls if broker else True)
        return {
            "host": (display.mqtt_host or broker.host or "").strip(),
            "port": display.mqtt_port or broker.port or 8883,
            "username": display.mqtt_username or broker.username or None,
            "use_tls": tls,
        }

    @api.depends(
        "broker_id.host", "broker_id.port", "broker_id.username", "broker_id.use_tls",
        "mqtt_host", "mqtt_port", "mqtt_username", "mqtt_tls",
    )  # fmt: skip
    def _compute_effective_broker(self) -> None:
        for display in self:
            values = display._epaper_route_values()
            display.mqtt_use_tls = values["use_tls"]
            user = f"{values['username']}@" if values["username"] else ""
            scheme = "mqtts" if values["use_tls"] else "mqtt"
            display.effective_broker = f"{scheme}://{user}{values['host']}:{values['port']}"

    def _inverse_mqtt_use_tls(self) -> None:
        for display in self:
            broker_tls = display.broker_id.use_tls if display.broker_id else True
            if display.mqtt_use_tls == broker_tls:
                display.mqtt_tls = "broker"
            else:
                display.mqtt_tls = "on" if display.mqtt_use_tls else "off"

    def _effective_prefix(self) -> str:
        self.ensure_one()
        if self.topic_prefix:
            return self.topic_prefix
        param = self.env["ir.config_parameter"].sudo().get_param(PARAM_PREFIX)
        if param and not is_valid_topic_prefix(param):
            _logger.warning(
                "System parameter %s = %r is not a topic prefix; using %r",
                PARAM_PREFIX,
                param,
                DEFAULT_TOPIC_PREFIX,
            )
            return DEFAULT_TOPIC_PREFIX
        return param or DEFAULT_TOPIC_PREFIX

    def _notify(self, title: str, message: str, ok: bool) -> dict[str, Any]:
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": "success" if ok else "danger",
                "sticky": not ok,
            },
        }

    # -- the room a display shows (one matching rule, see epaper_schedule.rooms) ------

    @api.model
    def _epaper_displays_for_locations(self, locations: list[str | bool]) -> Any:
        """Return the displays whose room label or alias is one of ``locations``.

        Case and whitespace are ignored (``epaper_schedule.rooms.normalize_location``),
        the same rule as the schedule answer.
        """
        wanted = {normalize_location(loc) for loc in locations} - {""}
        if not wanted:
            return self.browse()
        displays = self.sudo().search(self._epaper_room_domain())
        return displays.filtered(lambda d: not wanted.isdisjoint(d._epaper_room_labels()))

    @api.model
    def _epaper_room_domain(self) -> list[Any]:
        """Displays that have a room label or an alias at all (the room bridge widens it)."""
        return ["|", ("room_name", "!=", False), ("location_aliases", "!=", False)]

    def _epaper_room_label(self) -> str:
        """The room name matched against event locations (the room bridge extends it)."""
        self.ensure_one()
        return self.room_name or ""

    def _epaper_room_labels(self) -> frozenset[str]:
        """The normalized room label and location aliases of this display."""
        self.ensure_one()
        return room_labels(self._epaper_room_label(), self.location_aliases)

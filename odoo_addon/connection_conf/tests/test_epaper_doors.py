"""The doors without Home Assistant: Odoo answers ``/action`` with the hub's refusals and
the addon's booking rules, through the plain desk (replays, throttle), and sends ``/cmd``."""

from __future__ import annotations

import json
import socket

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..epaper_doors import BURST, THROTTLED, DoorDesk
from ..mqtt_bridge import command_payload


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestEpaperDoors(TransactionCase):
    """``_epaper_door_request`` and the desk under Odoo."""

    @classmethod
    def setUpClass(cls) -> None:
        """A display on an Odoo-published broker, one on a Home Assistant one."""
        super().setUpClass()
        Broker = cls.env["room.rasp.broker"]
        cls.odoo_broker = Broker.create(
            {"name": "Odoo", "host": "127.0.0.1", "port": _free_port(), "use_tls": False,
             "publisher": "odoo"}
        )  # fmt: skip
        ha_broker = Broker.create({"name": "HA", "host": "127.0.0.1", "port": _free_port()})
        Display = cls.env["room.rasp.connection"]
        cls.door = Display.create(
            {"name": "door", "room_name": "Door room", "broker_id": cls.odoo_broker.id}
        )
        cls.ha_door = Display.create({"name": "ha-door", "broker_id": ha_broker.id})

    def _ask(self, display, action: str, minutes: int | None = None, prefix: str = "odoo_epaper/"):
        return self.env["room.rasp.connection"]._epaper_door_request(
            display._mqtt_key(), prefix, display.name, action, minutes
        )

    def test_the_hubs_refusals_come_first(self) -> None:
        """unknown_device (not Odoo-published, other prefix, no such display), not_allowed,
        too_long; then the addon's rules answer."""
        self.assertEqual(self._ask(self.ha_door, "end_now"), "unknown_device")
        self.assertEqual(self._ask(self.door, "end_now", prefix="other/"), "unknown_device")
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("connection_conf.door_actions", "book_now,extend")
        self.assertEqual(self._ask(self.door, "check_in"), "not_allowed")
        params.set_param("connection_conf.door_max_booking_minutes", "60")
        self.assertEqual(self._ask(self.door, "book_now", 61), "too_long")
        code = self._ask(self.door, "book_now", 30)
        sources = self.env["room.rasp.connection"]._epaper_schedule_sources()
        if not sources:
            self.assertEqual(code, "no_source")

    def test_the_desk_performs_once_and_throttles(self) -> None:
        """Through the plain desk: a replay is not performed again; a flood is throttled."""
        desk = DoorDesk()
        calls = []

        def perform(_device: str, request) -> str | None:
            calls.append(request.id)
            return self._ask(self.door, request.action, request.minutes)

        door = ("odoo_epaper/", "door")
        raw = json.dumps({"id": "k-1", "action": "end_now"}).encode()
        first = desk.handle(door, raw, perform)
        self.assertEqual(desk.handle(door, raw, perform), first)
        self.assertEqual(calls, ["k-1"])
        with mute_logger("odoo.addons.connection_conf.epaper_doors.desk"):
            answers = [
                desk.handle(
                    door, json.dumps({"id": f"f-{n}", "action": "end_now"}).encode(), perform
                )
                for n in range(BURST)
            ]
        self.assertEqual(answers[-1], (f"f-{BURST - 1}", THROTTLED))

    def test_command_buttons_answer_without_a_broker(self) -> None:
        """A command with no broker reachable says so; an unknown command is refused."""
        with mute_logger("odoo.addons.connection_conf.mqtt_bridge.client"):
            action = self.door.action_epaper_identify()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(json.loads(command_payload("full_refresh")), {"cmd": "full_refresh"})
        with self.assertRaises(ValueError):
            command_payload("reboot")

"""Brokers entered once, per-display overrides, the 18.0.1.1.0 migration, door snapshots."""

from __future__ import annotations

import base64
import struct
import zlib

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

# A 1x1 black PNG, as Pillow writes it.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b550000000a"
        "49444154789c636000000002000148afa4710000000049454e44ae426082"
    )
).decode()


def settings_tuple(display):
    """The effective settings of ``display`` as a tuple."""
    settings = display._mqtt_settings()
    return (
        settings.host,
        settings.port,
        settings.username,
        settings.password,
        settings.use_tls,
        settings.ca_cert,
    )


@tagged("post_install", "-at_install")
class TestRoomRaspBroker(TransactionCase):
    """room.rasp.broker and how displays use it."""

    @classmethod
    def setUpClass(cls) -> None:
        """No broker yet; a manager, a viewer and the hub's reporter user."""
        super().setUpClass()
        cls.Broker = cls.env["room.rasp.broker"]
        cls.Display = cls.env["room.rasp.connection"]
        cls.Broker.with_context(active_test=False).search([]).write({"is_default": False})
        cls.manager = new_test_user(
            cls.env,
            login="broker-manager",
            groups="base.group_user,connection_conf.group_epaper_manager",
        )
        cls.viewer = new_test_user(cls.env, login="broker-viewer", groups="base.group_user")
        cls.reporter = new_test_user(
            cls.env,
            login="broker-hub",
            groups="base.group_user,connection_conf.group_epaper_reporter",
        )

    def _broker(self, **values):
        """Create a broker with test values (``values`` win)."""
        defaults = {
            "name": "Office",
            "host": "mqtt.example.com",
            "port": 8883,
            "username": "odoo",
            "password": "pw-1",
            "use_tls": True,
            "ca_cert": "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n",
        }
        return self.Broker.create({**defaults, **values})

    def test_display_uses_the_default_broker(self) -> None:
        """A new display takes the default broker and all its settings."""
        broker = self._broker(is_default=True)
        display = self.Display.create({"name": "lobby-2", "room_name": "Lobby"})
        self.assertEqual(display.broker_id, broker)
        self.assertEqual(
            settings_tuple(display),
            ("mqtt.example.com", 8883, "odoo", "pw-1", True, broker.ca_cert),
        )
        self.assertEqual(display.effective_broker, "mqtts://odoo@mqtt.example.com:8883")
        self.assertTrue(display.mqtt_use_tls)
        self.assertEqual(broker.display_count, 1)

    def test_display_overrides_only_what_differs(self) -> None:
        """Overrides win field by field; the rest follows the broker."""
        broker = self._broker()
        display = self.Display.create(
            {"name": "annex", "broker_id": broker.id, "mqtt_username": "annex", "mqtt_port": 1883}
        )
        display.mqtt_use_tls = False  # the inverse keeps an explicit override
        self.assertEqual(display.mqtt_tls, "off")
        self.assertEqual(
            settings_tuple(display),
            ("mqtt.example.com", 1883, "annex", "pw-1", False, broker.ca_cert),
        )
        broker.host = "mqtt2.example.com"
        self.assertEqual(display._mqtt_settings().host, "mqtt2.example.com")
        display.mqtt_use_tls = True
        self.assertEqual(display.mqtt_tls, "broker")

    def test_a_display_without_broker_has_no_odoo_session(self) -> None:
        """Without broker and host only the hub talks to the sign: Odoo opens no session."""
        hub_only = self.Display.create({"name": "hub-only"})
        self.assertEqual(hub_only._mqtt_settings().host, "")
        self.assertEqual(hub_only._group_by_broker(), {})
        own = self.Display.create({"name": "own-host", "mqtt_host": "10.0.0.5"})
        self.assertEqual(own._mqtt_settings().port, 8883)
        self.assertTrue(own._mqtt_settings().use_tls)

    def test_one_default_broker_per_company(self) -> None:
        """A second default broker in a company is refused."""
        self._broker(is_default=True)
        with self.assertRaises(ValidationError):
            self._broker(name="Second", is_default=True)

    def test_broker_secrets_for_managers_only(self) -> None:
        """Password and CA are for managers; the hub cannot create brokers."""
        broker = self._broker()
        self.assertEqual(broker.with_user(self.viewer).host, "mqtt.example.com")
        with self.assertRaises(AccessError):
            _ = broker.with_user(self.viewer).password
        with self.assertRaises(AccessError):
            _ = broker.with_user(self.reporter).ca_cert
        with self.assertRaises(AccessError):
            self.Broker.with_user(self.reporter).create({"name": "x", "host": "h"})
        self.assertEqual(broker.with_user(self.manager).password, "pw-1")

    def test_migration_turns_display_settings_into_brokers(self) -> None:
        """Displays as 18.0.1.0.0 stored them: no broker, every setting on the display."""
        old = {"mqtt_host": "10.1.1.1", "mqtt_port": 8883, "mqtt_username": "odoo"}
        first = self.Display.create(
            {"name": "m-first", **old, "mqtt_password": "pw", "broker_id": False}
        )
        second = self.Display.create(
            {"name": "m-second", **old, "mqtt_password": "pw", "broker_id": False}
        )
        plain = self.Display.create(
            {"name": "m-plain", "mqtt_host": "10.2.2.2", "mqtt_port": 1883, "broker_id": False}
        )
        archived = self.Display.create({"name": "m-archived", **old, "broker_id": False})
        archived.write({"active": False, "mqtt_password": "pw"})
        # The old stored column said: TLS on for the 10.1.1.1 displays, off for the plain one.
        tls = {first.id: True, second.id: True, plain.id: False, archived.id: True}
        displays = first | second | plain | archived
        before = {d.name: (*settings_tuple(d)[:4], tls[d.id], None) for d in displays}

        brokers = self.Broker._epaper_migrate_display_brokers(tls)

        self.assertEqual(len(brokers), 2)
        self.assertEqual(first.broker_id, second.broker_id)
        self.assertEqual(first.broker_id, archived.broker_id)
        self.assertNotEqual(first.broker_id, plain.broker_id)
        for display in displays:
            self.assertFalse(display.mqtt_host)
            self.assertFalse(display.mqtt_port)
            self.assertFalse(display.mqtt_username)
            self.assertEqual(display.mqtt_tls, "broker")
            self.assertEqual(settings_tuple(display), before[display.name], display.name)
        self.assertEqual(first.broker_id.password, "pw")
        self.assertFalse(plain.broker_id.use_tls)
        self.assertEqual(plain._mqtt_settings().port, 1883)
        # The broker most displays use becomes the default for new ones.
        self.assertEqual(self.Broker._epaper_default_broker(), first.broker_id)
        # Idempotent: nothing left to migrate.
        self.assertFalse(self.Broker._epaper_migrate_display_brokers(tls))

    def test_status_report_stores_the_snapshot(self) -> None:
        """``mqtt_status_report`` stores a base64 PNG snapshot, refuses other data."""
        broker = self._broker(is_default=True)
        display = self.Display.create({"name": "snap-door", "broker_id": broker.id})
        as_hub = self.Display.with_user(self.reporter)
        result = as_hub.mqtt_status_report(
            [
                {
                    "device": "snap-door",
                    "state": "online",
                    "last_seen": "2026-11-30T07:00:00Z",
                    "error": None,
                    "snapshot": PNG,
                }
            ]
        )
        self.assertEqual(result["updated"], ["snap-door"])
        self.assertEqual(display.snapshot.decode(), PNG)
        self.assertEqual(str(display.snapshot_at), "2026-11-30 07:00:00")
        logger = "odoo.addons.connection_conf.models.room_rasp_connection_status"
        with self.assertLogs(logger, "WARNING"):  # the refusal is logged
            bad = as_hub.mqtt_status_report(
                [
                    {
                        "device": "snap-door",
                        "state": "online",
                        "last_seen": "2026-11-30T07:01:00Z",
                        "snapshot": base64.b64encode(b"GIF89a").decode(),
                    }
                ]
            )
        self.assertEqual(bad["invalid"], ["snap-door: snapshot is not a PNG image"])
        self.assertEqual(display.snapshot.decode(), PNG)

    def test_status_report_refuses_image_bombs_and_broken_pngs(self) -> None:
        """A PNG declaring 30000 x 30000 pixels and a truncated one are not stored."""
        broker = self._broker(is_default=True)
        display = self.Display.create({"name": "snap-door", "broker_id": broker.id})
        as_hub = self.Display.with_user(self.reporter)
        raw = base64.b64decode(PNG)
        header = b"IHDR" + struct.pack(">II", 30000, 30000) + raw[24:29]
        bomb = raw[:12] + header + struct.pack(">I", zlib.crc32(header)) + raw[33:]
        reports = [
            {
                "device": "snap-door",
                "state": "online",
                "last_seen": "2026-11-30T07:00:00Z",
                "snapshot": snapshot,
            }
            for snapshot in (
                PNG,
                base64.b64encode(bomb).decode(),
                base64.b64encode(raw[:40]).decode(),
            )
        ]
        answer = as_hub.mqtt_status_report(reports[:1])
        self.assertEqual(answer["invalid"], [])
        logger = "odoo.addons.connection_conf.models.room_rasp_connection_status"
        for report in reports[1:]:
            with self.assertLogs(logger, "WARNING") as logged:  # each refusal says why
                answer = as_hub.mqtt_status_report([report])
            self.assertIn("Refused the snapshot of snap-door", logged.output[0])
            self.assertEqual(len(answer["invalid"]), 1, answer)
            self.assertEqual(display.snapshot.decode(), PNG)
        with self.assertLogs(logger, "WARNING"):
            invalid = as_hub.mqtt_status_report(reports[1:2])["invalid"][0]
        self.assertIn("30000 x 30000", invalid)


@tagged("post_install", "-at_install")
class TestAdoptDisplay(TransactionCase):
    """epaper_adoption_choices and epaper_adopt_display, as the hub calls them."""

    @classmethod
    def setUpClass(cls) -> None:
        """A known room, the hub's reporter user and a plain viewer."""
        super().setUpClass()
        cls.Display = cls.env["room.rasp.connection"]
        cls.Display.create({"name": "known-door", "room_name": "Aquarium"})
        cls.reporter = new_test_user(
            cls.env,
            login="adopt-hub",
            groups="base.group_user,connection_conf.group_epaper_reporter",
        )
        cls.viewer = new_test_user(cls.env, login="adopt-viewer", groups="base.group_user")

    def test_choices_list_known_rooms_and_languages(self) -> None:
        """The card offers the rooms displays use and Odoo's installed languages."""
        choices = self.Display.with_user(self.reporter).epaper_adoption_choices()
        self.assertEqual(choices["api"], 1)
        self.assertIn("Aquarium", choices["rooms"])
        self.assertIn("en_US", [code for code, _name in choices["languages"]])

    def test_adopt_creates_the_display(self) -> None:
        """The hub's user creates the display with room, zone and language."""
        answer = self.Display.with_user(self.reporter).epaper_adopt_display(
            {"device": "lobby-2", "room": " Lobby 2 ", "tz": "Europe/Berlin", "lang": "en-US"}
        )
        display = self.Display.browse(answer["id"])
        self.assertEqual(answer, {"device": "lobby-2", "id": display.id, "room": "Lobby 2"})
        self.assertEqual(
            (display.room_name, display.tz, display.lang), ("Lobby 2", "Europe/Berlin", "en_US")
        )
        with self.assertRaises(UserError):
            self.Display.with_user(self.reporter).epaper_adopt_display(
                {"device": "lobby-2", "room": "Again"}
            )

    def test_adopt_checks_rights_and_values(self) -> None:
        """A plain user may not adopt; bad names, rooms and zones are refused."""
        with self.assertRaises(AccessError):
            self.Display.with_user(self.viewer).epaper_adopt_display(
                {"device": "sneaky", "room": "Hall"}
            )
        as_hub = self.Display.with_user(self.reporter)
        for values in (
            {"device": "_hub", "room": "Hall"},
            {"device": "Hall 1", "room": "Hall"},
            {"device": "hall-1", "room": "  "},
            {"device": "hall-1", "room": "Hall", "tz": "Mars/Olympus"},
        ):
            with self.assertRaises(UserError):
                as_hub.epaper_adopt_display(values)
        self.assertFalse(self.Display.search([("name", "in", ["sneaky", "hall-1"])]))

"""Odoo-side tests of room.rasp.connection (run with odoo-bin --test-enable)."""

from __future__ import annotations

import ast
import datetime as dt
import socket

from lxml import etree
from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger
from psycopg2 import IntegrityError

from ..mqtt_bridge import ConnectionEvent, DeviceStatus, StatusEvent
from ..mqtt_runtime import CHANGED_DATA_KEY
from .i18n_template import assert_template_is_current

INVALID_NAMES = ["", "_hub", "Reception", "room 1", "room/1", "room+", "-room", "x" * 65, "salle-é"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestRoomRaspConnection(TransactionCase):
    """Validation, status mirror, access rights, cron expiry and change notices."""

    @classmethod
    def setUpClass(cls) -> None:
        """Two displays on an unreachable broker, a manager and a viewer."""
        super().setUpClass()
        cls.Display = cls.env["room.rasp.connection"]
        cls.reception = cls.Display.create(
            {
                "name": "reception",
                "room_name": "Reception",
                "mqtt_host": "127.0.0.1",
                "mqtt_port": _free_port(),
                "mqtt_use_tls": False,
            }
        )
        cls.boardroom = cls.Display.create(
            {"name": "boardroom", "room_name": " Board Room ", "mqtt_host": "127.0.0.1"}
        )
        cls.manager = new_test_user(
            cls.env,
            login="epaper-manager",
            groups="base.group_user,connection_conf.group_epaper_manager",
        )
        cls.viewer = new_test_user(cls.env, login="epaper-viewer", groups="base.group_user")
        cls.reporter = new_test_user(
            cls.env,
            login="epaper-hub",
            groups="base.group_user,connection_conf.group_epaper_reporter",
        )

    def test_device_names_follow_the_wire_contract(self) -> None:
        """Device names follow the wire contract."""
        for name in INVALID_NAMES:
            with (
                self.subTest(name=name),
                self.assertRaises(ValidationError),
                mute_logger("odoo.sql_db"),
                self.cr.savepoint(),
            ):
                self.Display.create({"name": name, "mqtt_host": "127.0.0.1"})
        self.assertTrue(self.Display.create({"name": "r2_d2-0", "mqtt_host": "127.0.0.1"}))

    def test_device_name_is_unique(self) -> None:
        """Device name is unique."""
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.cr.savepoint(),
        ):
            self.Display.create({"name": "reception", "mqtt_host": "127.0.0.1"})
            self.env.flush_all()

    def test_duplicate_gets_a_free_name_and_no_status(self) -> None:
        """A duplicated display is named ``-copy`` and starts unknown."""
        self.reception.sudo().write({"mqtt_connection_state": "online"})
        copy = self.reception.copy()
        self.assertEqual(copy.name, "reception-copy")
        self.assertEqual(copy.mqtt_connection_state, "unknown")

    def test_topic_prefix_is_checked(self) -> None:
        """The topic prefix follows the wire contract (the numbers: the database's checks,
        test_database_constraints)."""
        for prefix in (
            "odoo_epaper",
            "/odoo/",
            "a//b/",
            "odoo+/",
            "$SYS/",
            " odoo_epaper/",  # pasted with a space: topics nobody subscribes to
            "site/ rooms/",
        ):
            with (
                self.subTest(prefix=prefix),
                self.assertRaises(ValidationError),
                self.cr.savepoint(),
            ):
                self.reception.topic_prefix = prefix
        self.reception.topic_prefix = "test/room/"
        self.assertEqual(self.reception._mqtt_settings().topic_prefix, "test/room/")

    def test_default_prefix_comes_from_the_system_parameter(self) -> None:
        """Default prefix comes from the system parameter."""
        self.assertEqual(self.boardroom._mqtt_settings().topic_prefix, "odoo_epaper/")
        self.env["ir.config_parameter"].set_param("connection_conf.default_topic_prefix", "site/")
        self.assertEqual(self.boardroom._mqtt_settings().topic_prefix, "site/")

    def test_an_unusable_system_parameter_prefix_falls_back_with_a_warning(self) -> None:
        """A system parameter typed with a space (or without '/') is no prefix: the
        default is used and the log says why (Odoo stores parameters unchecked)."""
        for param in (" site/", "site"):
            with self.subTest(param=param):
                self.env["ir.config_parameter"].set_param(
                    "connection_conf.default_topic_prefix", param
                )
                with self.assertLogs(
                    "odoo.addons.connection_conf.models.room_rasp_connection", "WARNING"
                ) as logs:
                    prefix = self.boardroom._mqtt_settings().topic_prefix
                self.assertEqual(prefix, "odoo_epaper/")
                self.assertIn(repr(param), logs.output[0])

    def test_password_is_for_managers_only(self) -> None:
        """Password is for managers only."""
        self.reception.mqtt_password = "s3cret"  # noqa: S105
        as_viewer = self.reception.with_user(self.viewer)
        self.assertEqual(as_viewer.name, "reception")
        with self.assertRaises(AccessError):
            _ = as_viewer.mqtt_password
        self.assertEqual(self.reception.with_user(self.manager).mqtt_password, "s3cret")
        self.assertEqual(self.reception.with_user(self.manager)._mqtt_settings().password, "s3cret")
        with self.assertRaises(AccessError):  # never read as superuser on the viewer's behalf
            as_viewer._mqtt_settings()

    def test_status_report_mirrors_a_burst(self) -> None:
        """Status report mirrors a burst."""
        result = self.Display.with_user(self.manager).mqtt_status_report(
            [
                {
                    "device": "reception",
                    "state": "online",
                    "last_seen": "2026-11-27T09:00:00Z",
                    "error": None,
                },
                {
                    "device": "boardroom",
                    "state": "error",
                    "last_seen": "2026-11-27 09:00:05",
                    "error": "data rejected: v is not 1",
                },
                {"device": "nowhere", "state": "online", "last_seen": None, "error": None},
                {"device": "Bad Name", "state": "online"},
                {"device": "reception", "state": "sleeping"},
                "junk",
            ]
        )
        self.assertEqual(sorted(result["updated"]), ["boardroom", "reception"])
        self.assertEqual(result["unknown"], ["nowhere"])
        self.assertEqual(len(result["invalid"]), 3)
        self.assertEqual(self.reception.mqtt_connection_state, "online")
        self.assertEqual(self.reception.last_seen, dt.datetime(2026, 11, 27, 9, 0, 0))
        self.assertEqual(self.boardroom.mqtt_connection_state, "error")
        self.assertEqual(self.boardroom.last_error, "data rejected: v is not 1")

    def test_status_report_is_idempotent_and_newest_wins(self) -> None:
        """Status report is idempotent and newest wins."""
        report = {"device": "reception", "state": "online", "last_seen": "2026-11-27T09:00:00Z"}
        as_manager = self.Display.with_user(self.manager)
        self.assertEqual(as_manager.mqtt_status_report([report])["updated"], ["reception"])
        self.assertEqual(as_manager.mqtt_status_report([report])["unchanged"], ["reception"])
        older = dict(report, state="offline", last_seen="2026-11-27T08:00:00Z")
        self.assertEqual(as_manager.mqtt_status_report([older])["unchanged"], ["reception"])
        self.assertEqual(self.reception.mqtt_connection_state, "online")

    def test_status_report_needs_write_access(self) -> None:
        """Status report needs write access."""
        with self.assertRaises(AccessError):
            self.Display.with_user(self.viewer).mqtt_status_report(
                [{"device": "reception", "state": "online"}]
            )

    def test_the_hubs_reporter_mirrors_status_but_sees_no_secret(self) -> None:
        """The Status reporter group may report statuses and never reads the password."""
        self.reception.mqtt_password = "s3cret"  # noqa: S105
        as_hub = self.Display.with_user(self.reporter)
        result = as_hub.mqtt_status_report([{"device": "reception", "state": "online"}])
        self.assertEqual(result["updated"], ["reception"])
        self.assertEqual(self.reception.mqtt_connection_state, "online")
        with self.assertRaises(AccessError):
            _ = self.reception.with_user(self.reporter).mqtt_password
        with self.assertRaises(AccessError):
            as_hub.create({"name": "intruder", "mqtt_host": "127.0.0.1"})

    def test_state_changes_are_posted_in_the_chatter(self) -> None:
        """State changes are posted in the chatter."""
        before = len(self.reception.message_ids)
        self.Display.mqtt_status_report([{"device": "reception", "state": "online"}])
        self.env.cr.precommit.run()  # tracking is written before commit
        self.assertGreater(len(self.reception.message_ids), before)
        tracked = self.reception.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("mqtt_connection_state", tracked)

    def test_events_from_the_mqtt_thread_are_stored(self) -> None:
        """Events from the mqtt thread are stored."""
        now = dt.datetime.now(dt.timezone.utc)  # noqa: UP017
        online = StatusEvent(
            connection_key="k",
            device="reception",
            status=DeviceStatus(state="online", panel="epd7in5_V2"),
            received_at=now,
        )
        self.assertEqual(self.Display._mqtt_apply_events([online]), [])
        self.assertEqual(self.reception.mqtt_connection_state, "online")
        self.assertEqual(self.reception.panel_model, "epd7in5_V2")
        self.assertFalse(self.reception._store_status("online", None, now))  # idempotent
        offline = StatusEvent(
            connection_key="k",
            device="reception",
            status=DeviceStatus(state="offline"),
            received_at=now + dt.timedelta(seconds=1),
        )
        self.Display._mqtt_apply_events([offline, online])  # the newest of a burst wins
        self.assertEqual(self.reception.mqtt_connection_state, "offline")
        self.Display._mqtt_apply_events([online])  # a late retry of an older status
        self.assertEqual(self.reception.mqtt_connection_state, "offline")
        unknown = StatusEvent(connection_key="k", device="ghost", status=DeviceStatus("online"))
        self.assertEqual(self.Display._mqtt_apply_events([unknown]), [])  # no such display

    def test_an_offline_display_keeps_the_time_it_was_last_heard_from(self) -> None:
        """last_seen of an offline display: kept, or the newer time the report carries."""
        as_hub = self.Display.with_user(self.reporter)
        online = {"device": "reception", "state": "online", "last_seen": "2026-11-27T09:00:00Z"}
        as_hub.mqtt_status_report([online])
        later = dict(online, last_seen="2026-11-27T09:00:40Z")  # within the minute: not written
        self.assertEqual(as_hub.mqtt_status_report([later])["unchanged"], ["reception"])
        offline = dict(online, state="offline", last_seen="2026-11-27T09:00:40Z")
        self.assertEqual(as_hub.mqtt_status_report([offline])["updated"], ["reception"])
        self.assertEqual(self.reception.mqtt_connection_state, "offline")
        self.assertEqual(self.reception.last_seen, dt.datetime(2026, 11, 27, 9, 0, 40))
        # An offline report that carries no time never moves last_seen to now.
        self.boardroom.sudo().write({"last_seen": dt.datetime(2026, 11, 27, 8, 0, 0)})
        as_hub.mqtt_status_report([{"device": "boardroom", "state": "offline"}])
        self.assertEqual(self.boardroom.mqtt_connection_state, "offline")
        self.assertEqual(self.boardroom.last_seen, dt.datetime(2026, 11, 27, 8, 0, 0))

    def test_the_sessions_offline_status_keeps_last_seen(self) -> None:
        """The addon's own session: an offline status (the last will) keeps last_seen."""
        heard = dt.datetime(2026, 11, 27, 9, 0, 0, tzinfo=dt.timezone.utc)  # noqa: UP017
        online = StatusEvent(
            connection_key="k", device="reception", status=DeviceStatus("online"), received_at=heard
        )
        offline = StatusEvent(
            connection_key="k",
            device="reception",
            status=DeviceStatus("offline"),
            received_at=heard + dt.timedelta(minutes=5),
        )
        self.Display._mqtt_apply_events([online])
        self.Display._mqtt_apply_events([offline])
        self.assertEqual(self.reception.mqtt_connection_state, "offline")
        self.assertEqual(self.reception.last_seen, dt.datetime(2026, 11, 27, 9, 0, 0))
        self.assertEqual(self.reception.last_status_at, dt.datetime(2026, 11, 27, 9, 5, 0))

    def test_connection_events_without_session_are_harmless(self) -> None:
        """Connection events without session are harmless."""
        event = ConnectionEvent(connection_key="db|nothing", kind="failed", message="refused")
        self.Display._mqtt_apply_events([event])
        self.assertFalse(self.reception.broker_message)

    def test_silent_displays_turn_offline(self) -> None:
        """Silent displays turn offline."""
        now = fields.Datetime.now()
        self.reception.sudo().write(
            {"mqtt_connection_state": "online", "last_seen": now - dt.timedelta(hours=1)}
        )
        self.boardroom.sudo().write({"mqtt_connection_state": "online", "last_seen": now})
        self.Display._mark_silent_displays_offline(now)
        self.assertEqual(self.reception.mqtt_connection_state, "offline")
        self.assertIn("No status", self.reception.last_error)
        self.assertEqual(self.boardroom.mqtt_connection_state, "online")

    def test_test_connection_reports_an_unreachable_broker(self) -> None:
        """Test connection reports an unreachable broker."""
        action = self.reception.with_user(self.manager).test_mqtt_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("Broker unreachable", action["params"]["message"])
        self.assertIn("Broker unreachable", self.reception.broker_message)

    def test_buttons_need_write_access(self) -> None:
        """Buttons need write access."""
        with self.assertRaises(AccessError):
            self.reception.with_user(self.viewer).test_mqtt_connection()

    def test_locations_match_displays_ignoring_case_and_spaces(self) -> None:
        """Locations match displays ignoring case and spaces."""
        found = self.Display._epaper_displays_for_locations(["board room", False, "Elsewhere"])
        self.assertEqual(found.mapped("name"), ["boardroom"])

    def test_change_notices_are_queued_once_per_transaction(self) -> None:
        """Change notices are queued once per transaction."""
        self.reception._epaper_queue_changed()
        pending = self.env.cr.postcommit.data[CHANGED_DATA_KEY]
        (self.reception | self.boardroom)._epaper_queue_changed()
        self.assertIs(self.env.cr.postcommit.data[CHANGED_DATA_KEY], pending)
        self.assertEqual(pending, {"reception", "boardroom"})  # names only, no secret
        self.env.cr.postcommit.clear()  # a rollback drops the notice
        self.assertNotIn(CHANGED_DATA_KEY, self.env.cr.postcommit.data)

    def test_numbers_show_without_thousands_separators(self) -> None:
        """Port, QoS and keepalive show as typed ("8883", never "8,883") in form and list."""
        for view_type in ("form", "list"):
            arch = self.Display.get_views([(False, view_type)])["views"][view_type]["arch"]
            for node in etree.fromstring(arch).iter("field"):
                field = self.Display._fields.get(node.get("name"))
                if field is None or field.type != "integer":
                    continue
                with self.subTest(view=view_type, field=field.name):
                    options = ast.literal_eval(node.get("options") or "{}")
                    self.assertIs(options.get("enable_formatting"), False)

    def test_translation_template_is_current(self) -> None:
        """i18n/connection_conf.pot holds every term Odoo's exporter finds, and no other."""
        assert_template_is_current(self, "connection_conf")

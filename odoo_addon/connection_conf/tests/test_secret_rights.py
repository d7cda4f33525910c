"""The hub's Odoo user and a plain employee cannot get a broker secret out (issue 22).

Each RPC these users may call is made as them (``with_user``, what ``/jsonrpc`` and
JSON-2 do), and either raises AccessError or answers without the secret. The methods
our modules add are found by walking the model classes, so a new public method fails
``test_every_public_method_of_ours_is_covered`` until it is called here.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable
from typing import Any

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..rights import BROKER_CONNECTION_FIELDS, CONNECTION_FIELDS

BROKER_PW = "broker-pw-7f3a9c"
DISPLAY_PW = "display-pw-91c2e4"
BROKER_CA = "-----BEGIN CERTIFICATE-----\nBROKERCA5d1e\n-----END CERTIFICATE-----\n"
DISPLAY_CA = "-----BEGIN CERTIFICATE-----\nDISPLAYCA0b8f\n-----END CERTIFICATE-----\n"
SECRETS = (BROKER_PW, DISPLAY_PW, "BROKERCA5d1e", "DISPLAYCA0b8f")
SPEC = {
    "mqtt_password": {},
    "mqtt_ca_cert": {},
    "broker_id": {"fields": {"password": {}, "ca_cert": {}}},
}
# A value of each connection field that differs from what the displays hold.
NEW_VALUES = {
    "mqtt_host": "attacker.example.net",
    "mqtt_port": 1883,
    "mqtt_username": "someone",
    "mqtt_password": "guess",
    "mqtt_tls": "off",
    "mqtt_use_tls": False,
    "mqtt_ca_cert": "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n",
}
BROKER_VALUES = {
    "host": "attacker.example.net",
    "port": 1883,
    "username": "someone",
    "password": "guess",
    "use_tls": False,
    "ca_cert": "x",
}


@tagged("post_install", "-at_install")
class TestSecretRights(TransactionCase):
    """Every way in for the Status reporter and a plain internal user, and none leaks."""

    @classmethod
    def setUpClass(cls) -> None:
        """A broker and two displays holding secrets; a listener where they point."""
        super().setUpClass()
        cls.listener = socket.socket()
        cls.listener.bind(("127.0.0.1", 0))
        cls.listener.listen(8)
        cls.listener.setblocking(False)
        cls.addClassCleanup(cls.listener.close)
        cls.port = port = cls.listener.getsockname()[1]
        cls.Display = cls.env["room.rasp.connection"]
        cls.broker = cls.env["room.rasp.broker"].create(
            {
                "name": "Secret broker",
                "host": "127.0.0.1",
                "port": port,
                "username": "odoo",
                "password": BROKER_PW,
                "use_tls": False,
                "ca_cert": BROKER_CA,
            }
        )
        common = {"broker_id": cls.broker.id, "room_name": "Vault"}
        cls.shared = cls.Display.create({"name": "vault", **common})
        cls.own = cls.Display.create(
            {"name": "vault-own", "mqtt_password": DISPLAY_PW, "mqtt_ca_cert": DISPLAY_CA, **common}
        )
        cls.displays = cls.shared | cls.own
        cls.reporter = new_test_user(
            cls.env,
            login="secret-hub",
            groups="base.group_user,base.group_allow_export,connection_conf.group_epaper_reporter",
        )
        cls.employee = new_test_user(
            cls.env, login="secret-employee", groups="base.group_user,base.group_allow_export"
        )
        cls.manager = new_test_user(
            cls.env,
            login="secret-manager",
            groups="base.group_user,connection_conf.group_epaper_manager",
        )

    def users(self) -> list[Any]:
        """The users who must not get a secret."""
        return [self.reporter, self.employee]

    def assert_no_secret(self, call: Callable[[], Any], what: str) -> None:
        """Run ``call``: it raises AccessError, or its answer holds no secret."""
        with self.subTest(call=what), self.cr.savepoint():
            try:
                answer = call()
            except (AccessError, UserError):  # refused before anything is answered
                return
            for secret in SECRETS:
                self.assertNotIn(secret, repr(answer), what)

    def assert_refused(self, call: Callable[[], Any], what: str) -> None:
        """Run ``call``: it raises AccessError."""
        with self.subTest(call=what), self.assertRaises(AccessError), self.cr.savepoint():
            call()

    def assert_nothing_reached_the_listener(self) -> None:
        """No connection arrived where the displays point (a probe would have left one)."""
        with self.assertRaises(BlockingIOError):
            self.listener.accept()[0].close()

    # -- where a secret goes ----------------------------------------------------------

    def test_the_guarded_fields_are_every_field_the_connection_reads(self) -> None:
        """Every display and broker field the effective connection depends on is guarded."""
        depends = self.env.registry.field_depends[self.Display._fields["effective_broker"]]
        own = {path.split(".")[0] for path in depends}
        on_broker = {path.split(".")[1] for path in depends if path.startswith("broker_id.")}
        self.assertTrue(own and on_broker)
        self.assertLessEqual(own | {"mqtt_password", "mqtt_ca_cert"}, CONNECTION_FIELDS)
        self.assertLessEqual(on_broker | {"password", "ca_cert"}, BROKER_CONNECTION_FIELDS)

    def test_only_managers_change_where_a_secret_goes(self) -> None:
        """Reporter and employee cannot write, create or import connection settings; a
        manager can."""
        other = self.env["room.rasp.broker"].create({"name": "Other", "host": "10.0.0.9"})
        values = {**NEW_VALUES, "broker_id": other.id}
        before = self.own._mqtt_settings()
        for user in self.users():
            for field, value in values.items():
                display = self.own.with_user(user)
                self.assert_refused(lambda d=display, f=field, v=value: d.write({f: v}), field)
                self.assert_refused(
                    lambda d=display, f=field, v=value: d.web_save({f: v}, {}), f"web_save {field}"
                )
                self.assert_refused(
                    lambda u=user, f=field, v=value: self.Display.with_user(u).create(
                        {"name": "intruder", f: v}
                    ),
                    f"create {field}",
                )
            for field, value in BROKER_VALUES.items():
                broker = self.broker.with_user(user)
                self.assert_refused(lambda b=broker, f=field, v=value: b.write({f: v}), field)
            with self.cr.savepoint():  # an import reports the refusal in its messages
                answer = self.Display.with_user(user).load(
                    [".id", "mqtt_host"], [[str(self.own.id), "x.example"]]
                )
                self.assertFalse(answer["ids"])
        self.env.invalidate_all()
        self.assertEqual(self.own._mqtt_settings(), before)
        self.own.with_user(self.manager).write(values)
        self.assertEqual(self.own.mqtt_host, "attacker.example.net")
        self.broker.with_user(self.manager).write({"host": "10.0.0.8"})
        self.assertEqual(self.broker.host, "10.0.0.8")

    def test_the_hub_still_mirrors_statuses_and_adopts(self) -> None:
        """What the Status reporter is for keeps working (a status report, adopting a
        sign), and everyone still sees where a display connects, no secret needed."""
        as_hub = self.Display.with_user(self.reporter)
        result = as_hub.mqtt_status_report([{"device": "vault", "state": "online"}])
        self.assertEqual(result["updated"], ["vault"])
        adopted = as_hub.epaper_adopt_display({"device": "new-door", "room": "Annex"})
        self.assertEqual(adopted["device"], "new-door")
        for user in self.users():  # the form's fields that derive from the settings
            values = self.own.with_user(user).read(["effective_broker", "odoo_connected"])[0]
            self.assertEqual(values["effective_broker"], f"mqtt://odoo@127.0.0.1:{self.port}")
            self.assertFalse(values["odoo_connected"])

    # -- who reads a secret -----------------------------------------------------------

    def test_buttons_and_sessions_check_the_acting_user(self) -> None:
        """Test connection, test message and Connect refuse reporter and employee before
        anything is sent; the settings with secrets are refused to them too."""
        for user in self.users():
            for display in self.displays.with_user(user):
                self.assert_refused(display.test_mqtt_connection, "test_mqtt_connection")
                self.assert_refused(display.publish_test_message, "publish_test_message")
                self.assert_refused(display.connect_mqtt, "connect_mqtt")
                for command in ("refresh", "full_refresh", "identify", "clear"):
                    button = getattr(display, f"action_epaper_{command}")
                    self.assert_refused(button, command)  # the door's /cmd buttons
                self.assert_refused(display._mqtt_settings, "_mqtt_settings")
                self.assert_refused(
                    lambda d=display: d._epaper_change_notices(["vault"]), "change notices"
                )
        self.assert_nothing_reached_the_listener()
        # The system's own path (cron, drain, change-notice hook) reads them.
        notices = self.Display.sudo()._epaper_change_notices(["vault", "vault-own"])
        passwords = {settings.password for settings, _names in notices.values()}
        self.assertEqual(passwords, {BROKER_PW, DISPLAY_PW})
        # A manager's test connection reaches the broker it was pointed at.
        self.own.with_user(self.manager).test_mqtt_connection()
        self.listener.setblocking(True)
        self.listener.settimeout(5)
        self.listener.accept()[0].close()
        self.listener.setblocking(False)

    def test_the_monitor_runs_as_the_system_whatever_its_user(self) -> None:
        """The cron job's user may be anyone: the monitor still reads every display's
        settings (as the system) and expires the silent ones."""
        self.displays.write({"active": False})  # no session to the listener in a test
        silent = self.Display.create({"name": "silent", "broker_id": False})
        silent.write({"mqtt_connection_state": "online", "last_seen": "2026-01-01 00:00:00"})
        self.Display.with_user(self.employee)._cron_mqtt_connection_monitor()
        self.assertEqual(silent.mqtt_connection_state, "offline")

    def test_no_rpc_returns_a_secret(self) -> None:
        """read, search_read, web_*, export, grouping, search oracles, name_search,
        onchange, copy and the hub's methods: AccessError or no secret in the answer."""
        start = dt.datetime(2026, 12, 7, 8, 0).isoformat() + "Z"
        end = dt.datetime(2026, 12, 8, 8, 0).isoformat() + "Z"
        for user in self.users():
            model = self.Display.with_user(user)
            records = self.displays.with_user(user)
            brokers = self.broker.with_user(user)
            own, shared = self.own.with_user(user), self.shared.with_user(user)
            calls: dict[str, Callable[[], Any]] = {
                "read": lambda r=records: r.read(),
                "read secret": lambda r=records: r.read(["mqtt_password", "mqtt_ca_cert"]),
                "search_read": lambda m=model: m.search_read([]),
                "web_search_read": lambda m=model: m.web_search_read([], SPEC),
                "web_read": lambda r=records: r.web_read(SPEC),
                "web_save": lambda r=shared: r.web_save({}, SPEC),
                "export_data": lambda r=records: r.export_data(
                    ["mqtt_password", "mqtt_ca_cert", "broker_id/password", "broker_id/ca_cert"]
                ),
                "group by secret": lambda m=model: self.group_by(m, "mqtt_password"),
                "progress bar": lambda m=model: m.read_progress_bar(
                    [], "name", {"field": "mqtt_password", "colors": {DISPLAY_PW: "success"}}
                ),
                "search oracle": lambda m=model: m.search([("mqtt_password", "=like", "d%")]),
                "broker oracle": lambda m=model: m.search([("broker_id.password", "like", "b")]),
                "order oracle": lambda m=model: m.search([], order="mqtt_password").ids,
                "name_search": lambda m=model: m.name_search(BROKER_PW),
                "onchange": lambda r=own: r.onchange(
                    {"mqtt_host": "x.example"}, ["mqtt_host"], SPEC
                ),
                "default_get": lambda m=model: m.default_get(list(m._fields)),
                "copy": lambda r=own: r.copy().read(),
                "copy_data": lambda r=own: r.copy_data(),
                "fields_get": lambda m=model: m.fields_get(),
                "mqtt_status_report": lambda m=model: m.mqtt_status_report(
                    [{"device": "vault", "state": "error", "error": "x"}]
                ),
                "epaper_schedule": lambda m=model: m.epaper_schedule(start, end),
                "epaper_schedule page": lambda m=model: m.epaper_schedule(start, end, page_size=1),
                "epaper_schedule_sources": lambda m=model: m.epaper_schedule_sources(),
                "epaper_adoption_choices": lambda m=model: m.epaper_adoption_choices(),
                "epaper_adopt_display": lambda m=model: m.epaper_adopt_display(
                    {"device": "vault-2", "room": "Vault"}
                ),
                "epaper_book": lambda m=model: m.epaper_book("vault", start, end),
                "epaper_cancel": lambda m=model: m.epaper_cancel("vault", "calendar.event,1"),
                "epaper_door_action": lambda m=model: m.epaper_door_action("vault", "book_now"),
                "broker read": lambda b=brokers: b.read(),
                "broker search_read": lambda b=brokers: b.search_read([]),
                "broker web_read": lambda b=brokers: b.web_read(SPEC["broker_id"]["fields"]),
                "broker export_data": lambda b=brokers: b.export_data(["password", "ca_cert"]),
                "broker oracle 2": lambda b=brokers: b.search([("password", "=like", "b%")]),
                "broker copy": lambda b=brokers: b.copy().read(),
                "broker group by": lambda b=brokers: self.group_by(b, "password"),
                "action_view_displays": lambda b=brokers: b.action_view_displays(),
                "display_ids": lambda b=brokers: b.web_read({"display_ids": {"fields": SPEC}}),
            }
            for name, call in calls.items():
                self.assert_no_secret(call, f"{user.login}: {name}")
        self.assert_nothing_reached_the_listener()

    def test_search_oracles_are_refused(self) -> None:
        """Domains, orders and groupings on a secret are refused, not answered: answering
        them would let a user guess a password one character at a time."""
        for user in self.users():
            model = self.Display.with_user(user)
            self.assert_refused(
                lambda m=model: m.search_count([("mqtt_password", "=like", "d%")]), "domain"
            )
            self.assert_refused(
                lambda m=model: m.search_count([("broker_id.password", "=like", "b%")]), "path"
            )
            self.assert_refused(lambda m=model: m.search([], order="mqtt_ca_cert"), "order")
            self.assert_refused(lambda m=model: self.group_by(m, "mqtt_password"), "group")

    @staticmethod
    def group_by(model: Any, field: str) -> Any:
        """Group ``model`` by ``field`` through the series' public grouping RPC."""
        if hasattr(model, "formatted_read_group"):  # 19.0 (read_group is deprecated there)
            return model.formatted_read_group([], [field], ["__count"])
        return model.read_group([], [field], [field])

    def test_every_public_method_of_ours_is_covered(self) -> None:
        """Each public method our modules define on these models is one of the RPCs
        tested here (or an ORM override the generic calls cover)."""
        orm_overrides = {"create", "write", "unlink", "copy_data"}
        tested = {
            "room.rasp.connection": {
                "mqtt_status_report", "epaper_schedule", "epaper_schedule_sources",
                "epaper_adoption_choices",
                "epaper_adopt_display", "epaper_book", "epaper_cancel", "epaper_door_action",
                "test_mqtt_connection", "publish_test_message", "connect_mqtt",
                "action_epaper_refresh", "action_epaper_full_refresh", "action_epaper_identify",
                "action_epaper_clear",
            },
            "room.rasp.broker": {"action_view_displays"},
        }  # fmt: skip
        for model_name, methods in tested.items():
            found = set()
            for cls in type(self.env[model_name]).mro():
                if not cls.__module__.startswith("odoo.addons.connection_conf"):
                    continue
                found |= {
                    name
                    for name, value in vars(cls).items()
                    if callable(value) and not name.startswith("_")
                }
            with self.subTest(model=model_name):
                self.assertEqual(found - orm_overrides, methods)

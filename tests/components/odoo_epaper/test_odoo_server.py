"""The JSON-RPC Odoo test server itself: endpoints, domains, counters, failures, cleanup."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import odoorpc
import pytest

from testbed.odoo_server import OdooTestServer


@pytest.fixture
def odoo(odoo_server: OdooTestServer) -> Iterator[odoorpc.ODOO]:
    """A logged-in odoorpc client."""
    client = odoorpc.ODOO("127.0.0.1", port=odoo_server.port)
    client.login("odoo", "admin", "admin-pw")
    yield client


def post(server: OdooTestServer, path: str, body: bytes) -> tuple[int, bytes]:
    """POST raw bytes, return the status and body."""
    request = urllib.request.Request(  # noqa: S310 (http on loopback)
        server.url + path, data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def rpc(server: OdooTestServer, params: dict[str, Any], path: str = "/jsonrpc") -> Any:
    """One JSON-RPC call; the decoded answer."""
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1})
    return json.loads(post(server, path, body.encode())[1])


def names(odoo: odoorpc.ODOO, domain: list[Any], model: str = "calendar.event") -> list[str]:
    """Names of the records matching ``domain``, by id."""
    rows = odoo.execute_kw(model, "search_read", [domain], {"fields": ["name"]})
    return [row["name"] for row in rows]


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ([("location", "=", "Lab")], ["Offsite"]),
        ([("location", "!=", "Reception"), ("location", "!=", "Lab")], ["Board meeting", "Coffee"]),
        ([("location", "in", ["Lab", "Cafeteria"])], ["Offsite", "Coffee"]),
        (
            [("location", "not in", ["Reception"]), ("privacy", "=", False)],
            [],
        ),
        ([("privacy", "=", False)], ["Busy"]),  # Marc Demo's: private by his default
        ([("name", "ilike", "MEET")], ["Board meeting"]),
        ([("name", "like", "MEET")], []),
        (
            [("name", "not ilike", "MEET")],
            ["Secret merger talks", "Busy", "Offsite", "Long gone", "Coffee"],
        ),
        ([("location", "=ilike", "lab")], ["Offsite"]),
        ([("user_id.name", "=", "Marc Demo")], ["Busy"]),
        (["|", ("location", "=", "Lab"), ("location", "=", "Cafeteria")], ["Offsite", "Coffee"]),
        (["!", ("location", "=", "Reception")], ["Board meeting", "Offsite", "Coffee"]),
        (["&", ("allday", "=", True), ("location", "=", "Lab")], ["Offsite"]),
        ([("active", "=", False)], ["Archived"]),
        ([("id", "in", [1, 7])], ["Board meeting"]),
    ],
)
def test_domains(odoo: odoorpc.ODOO, domain: list[Any], expected: list[str]) -> None:
    """The operators the integration and the addon use, with Odoo's active filter."""
    assert names(odoo, domain) == expected


def test_datetime_comparison(odoo: odoorpc.ODOO, odoo_server: OdooTestServer) -> None:
    """Naive UTC strings compare as times; False never matches an order operator."""
    day = odoo_server.today.isoformat()
    found = names(odoo, [("start", ">=", f"{day} 09:00:00"), ("stop", "<=", f"{day} 15:00:00")])
    assert found == ["Board meeting", "Secret merger talks", "Coffee"]
    assert names(odoo, [("start_date", "<", "9999-01-01")]) == ["Offsite"]


def test_search_read_shapes(odoo: odoorpc.ODOO) -> None:
    """many2one as [id, name], limit, offset and order like Odoo."""
    rows = odoo.execute_kw(
        "room.booking",
        "search_read",
        [[]],
        {"fields": ["name", "room_id"], "order": "name desc", "limit": 2, "offset": 1},
    )
    assert rows == [
        {"id": 5, "name": "Lab induction", "room_id": [3, "Lab"]},
        {"id": 2, "name": "Interview", "room_id": [1, "Reception"]},
    ]
    everything = odoo.execute_kw("room.booking", "search_read", [[("id", "=", 5)]])
    assert everything[0]["organizer_id"] is False
    assert set(everything[0]) == {
        "id",
        "name",
        "room_id",
        "start_datetime",
        "stop_datetime",
        "organizer_id",
        "epaper_checked_in",  # added by the addon's Meeting Rooms bridge
    }


def test_web_search_read_specification(odoo: odoorpc.ODOO) -> None:
    """Nested specifications return related records in the same RPC."""
    result = odoo.execute_kw(
        "calendar.event",
        "web_search_read",
        [[("id", "in", [3, 6])]],
        {
            "specification": {
                "name": {},
                "user_id": {"fields": {"display_name": {}, "calendar_default_privacy": {}}},
                "location": {},
            },
            "limit": 1,
        },
    )
    assert result == {
        "length": 2,
        "records": [
            {
                "id": 3,
                "name": "Busy",  # Odoo 18 blanks others' private events for a non-attendee
                "user_id": {
                    "id": 6,
                    "display_name": "Marc Demo",
                    "calendar_default_privacy": "private",
                },
                "location": False,
            }
        ],
    }


def test_other_methods(odoo: odoorpc.ODOO, odoo_server: OdooTestServer) -> None:
    """read, search, search_count, fields_get, access checks, context."""
    assert odoo.execute_kw("room.room", "read", [[1, 99], ["name"]]) == [
        {"id": 1, "name": "Reception"}
    ]
    assert odoo.execute_kw("room.room", "read", [2, ["short_code"]]) == [
        {"id": 2, "short_code": "BRD"}
    ]
    assert odoo.execute_kw("room.room", "search", [[("name", "ilike", "r")]]) == [1, 2]
    assert odoo.execute_kw("room.room", "search_count", [[]]) == 3
    fields = odoo.execute_kw("room.booking", "fields_get", [], {"attributes": ["type", "relation"]})
    assert fields["room_id"] == {"type": "many2one", "relation": "room.room"}
    assert odoo.execute_kw("room.booking", "fields_get", [["name"]]) == {
        "name": {"string": "Name", "type": "char"}
    }
    assert odoo.execute_kw("room.room", "check_access_rights", ["read"]) is True
    assert odoo.execute_kw("room.room", "has_access", [[], "read"]) is True
    odoo_server.deny_access("room.room")
    assert odoo.execute_kw("room.room", "has_access", [[], "read"]) is False
    with pytest.raises(odoorpc.error.RPCError, match="not allowed"):
        odoo.execute_kw("room.room", "check_access_rights", ["read"])
    assert odoo.execute("res.users", "context_get") == {
        "lang": "en_US",
        "tz": "Europe/Brussels",
        "uid": 2,
    }


def test_errors_like_odoo(odoo: odoorpc.ODOO, odoo_server: OdooTestServer) -> None:
    """Unknown methods, fields, operators and models answer Odoo-shaped errors."""
    cases = [
        (("room.room", "unlink", [[1]]), "does not exist on the model"),
        (("room.room", "search", [[("nope", "=", 1)]]), "Invalid field room.room.nope"),
        (("room.room", "search", [[("name", "child_of", 1)]]), "Invalid leaf operator"),
        (("room.room", "search_read", [[], ["nope"]]), "Invalid field 'nope'"),
        (("ghost.model", "search", [[]]), "Object ghost.model doesn't exist"),
        (("room.booking", "mqtt_status_report", [[]]), "mqtt_status_report"),
    ]
    for (model, method, args), message in cases:
        with pytest.raises(odoorpc.error.RPCError, match=message) as caught:
            odoo.execute_kw(model, method, args)
        assert caught.value.info["data"]["name"]
    assert odoo_server.count("room.room") == 4
    assert odoo_server.count(method="search") == 3
    assert odoo_server.counts()[("ghost.model", "search")] == 1


def test_others_private_events_are_blanked(odoo_server: OdooTestServer) -> None:
    """Like Odoo 18: a domain on location matches Marc Demo's private event, but admin (no
    attendee) reads name "Busy" and location False in every read; Marc reads it whole, and
    so does an attendee."""
    admin = odoorpc.ODOO("127.0.0.1", port=odoo_server.port)
    admin.login("odoo", "admin", "admin-pw")
    demo = odoorpc.ODOO("127.0.0.1", port=odoo_server.port)
    demo.login("odoo", "demo", "demo-pw")
    domain = [("location", "=", "Reception"), ("user_id", "=", 6)]
    hidden = {
        "id": 3,
        "name": "Busy",
        "location": False,
        "privacy": False,
        "user_id": [6, "Marc Demo"],
    }
    fields = ["name", "location", "privacy", "user_id"]
    assert admin.execute_kw("calendar.event", "search_read", [domain, fields]) == [hidden]
    assert admin.execute_kw("calendar.event", "read", [[3], fields]) == [hidden]
    spec = {"name": {}, "location": {}, "display_name": {}}
    assert admin.execute_kw("calendar.event", "web_search_read", [domain], {"specification": spec})[
        "records"
    ] == [{"id": 3, "name": "Busy", "location": False, "display_name": "Busy"}]
    assert demo.execute_kw("calendar.event", "read", [[3], ["name"]]) == [
        {"id": 3, "name": "Demo day"}
    ]
    odoo_server.update_record("res.users", 2, {"partner_id": 3})
    odoo_server.update_record("calendar.event", 3, {"partner_ids": [3]})
    assert admin.execute_kw("calendar.event", "read", [[3], ["name"]]) == [
        {"id": 3, "name": "Demo day"}
    ]


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("=ilike", "%BOARD%", ["Board meeting"]),
        ("=ilike", "board_meeting", ["Board meeting"]),
        ("=ilike", "board\\_meeting", []),
        ("=like", "Board%", ["Board meeting"]),
        ("like", "meet", ["Board meeting"]),
        ("not like", "o", ["Secret merger talks", "Offsite"]),  # case-sensitive
    ],
)
def test_like_patterns(odoo: odoorpc.ODOO, operator: str, value: str, expected: list[str]) -> None:
    """LIKE patterns like PostgreSQL: ``%``, ``_``, backslash escapes; like wraps in ``%``."""
    assert names(odoo, [("name", operator, value)]) == expected


def test_private_methods_and_context(odoo: odoorpc.ODOO) -> None:
    """Private methods are refused like Odoo 18; a ``context`` keyword is accepted."""
    with pytest.raises(odoorpc.error.RPCError, match="cannot be called remotely") as caught:
        odoo.execute_kw("room.rasp.connection", "_epaper_read", [])
    assert caught.value.info["data"]["name"] == "odoo.exceptions.AccessError"
    rows = odoo.execute_kw(
        "room.room", "search_read", [[("id", "=", 1)], ["name"]], {"context": {"lang": "de_DE"}}
    )
    assert rows == [{"id": 1, "name": "Reception"}]


def test_epaper_schedule_errors(odoo: odoorpc.ODOO, odoo_server: OdooTestServer) -> None:
    """The addon's checks: read rights on displays, a usable window, zone and sources."""
    call = ("room.rasp.connection", "epaper_schedule")
    start, end = "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z"
    assert odoo.execute_kw(*call, [start, end])["api"] == 1
    for args, kwargs, name in [
        ([end, start], {}, "UserError"),
        ([start, end], {"default_tz": "Nowhere"}, "UserError"),
        ([start, end], {"sources": ["res.partner"]}, "UserError"),
        ([start, end], {"devices": "reception"}, "UserError"),
    ]:
        with pytest.raises(odoorpc.error.RPCError) as caught:
            odoo.execute_kw(*call, args, kwargs)
        assert caught.value.info["data"]["name"] == f"odoo.exceptions.{name}"
    with pytest.raises(odoorpc.error.RPCError, match="does not exist on the model"):
        odoo.execute_kw("room.room", "epaper_schedule", [start, end])
    odoo_server.deny_access("room.rasp.connection")
    with pytest.raises(odoorpc.error.RPCError, match="not allowed"):
        odoo.execute_kw(*call, [start, end])


def test_raw_protocol(odoo_server: OdooTestServer) -> None:
    """Version info, services, bad bodies and unknown paths."""
    info = rpc(odoo_server, {}, "/web/webclient/version_info")["result"]
    assert info["server_version"] == "18.0"
    assert (
        rpc(odoo_server, {"service": "common", "method": "version"})["result"]["server_version"]
        == "18.0"
    )
    assert rpc(odoo_server, {"service": "db", "method": "server_version"})["result"] == "18.0"
    assert "error" in rpc(odoo_server, {"service": "db", "method": "drop"})
    assert "error" in rpc(odoo_server, {"service": "common", "method": "about"})
    assert "error" in rpc(odoo_server, {"service": "report", "method": "x"})
    assert "error" in rpc(
        odoo_server, {"service": "object", "method": "exec_workflow", "args": [1, 2, 3, 4, 5]}
    )
    assert "error" in rpc(odoo_server, {"service": "object", "method": "execute"})  # too few args
    assert rpc(odoo_server, {}, "/web/dataset/call_kw")["error"]["data"]["name"].endswith(
        "NotFound"
    )
    assert post(odoo_server, "/jsonrpc", b"{not json")[0] == 400
    uid = rpc(
        odoo_server,
        {"service": "common", "method": "authenticate", "args": ["odoo", "demo", "demo-pw", {}]},
    )
    assert uid["result"] == 6


def test_wrong_password_on_object_calls(odoo_server: OdooTestServer) -> None:
    """A changed password makes object calls fail with AccessDenied, like Odoo."""
    answer = rpc(
        odoo_server,
        {
            "service": "object",
            "method": "execute_kw",
            "args": ["odoo", 2, "bad", "room.room", "search", [[]]],
        },
    )
    assert answer["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"


def test_runtime_changes(odoo: odoorpc.ODOO, odoo_server: OdooTestServer) -> None:
    """Records added, changed and deleted at runtime are served at once."""
    new_id = odoo_server.add_record("room.room", {"name": "Annex", "active": True})
    odoo_server.update_record("room.room", 1, {"name": "Front desk"})
    odoo_server.delete_record("room.room", 2)
    assert names(odoo, [], "room.room") == ["Front desk", "Lab", "Annex"]
    assert new_id == 4
    odoo_server.remove_model("room.room")
    assert odoo.execute_kw("ir.model", "search_count", [[("model", "=", "room.room")]]) == 0


def test_restart_on_same_port_and_clean_stop(odoo_server: OdooTestServer) -> None:
    """go_down/come_up keeps the port; stop joins the serving thread."""
    port = odoo_server.port
    odoo_server.go_down()
    with pytest.raises(urllib.error.URLError):
        post(odoo_server, "/jsonrpc", b"{}")
    odoo_server.come_up()
    odoo_server.start()  # already running: no second thread
    assert odoo_server.port == port
    assert rpc(odoo_server, {"service": "db", "method": "list"})["result"] == ["odoo", "staging"]
    odoo_server.stop()
    odoo_server.stop()
    assert not [t for t in threading.enumerate() if t.name.startswith("odoo-test-server")]


def test_context_manager_and_fixture_path(socket_enabled: None, tmp_path: Any) -> None:
    """A server from a fixture path, used as a context manager."""
    fixture = tmp_path / "tiny.json"
    fixture.write_text(
        json.dumps(
            {
                "databases": ["db"],
                "user_fields": {"name": {"type": "char"}},
                "users": [{"id": 2, "login": "u", "password": "p", "name": "U"}],
                "models": {
                    "room.room": {
                        "fields": {"name": {"type": "char"}},
                        "records": [{"id": 1, "name": "{day+1}"}],
                    }
                },
            }
        )
    )
    with OdooTestServer(fixture) as server:
        client = odoorpc.ODOO("127.0.0.1", port=server.port)
        client.login("db", "u", "p")
        rows = client.execute_kw("room.room", "search_read", [[]], {"fields": ["name"]})
        assert (
            rows[0]["name"] == (server.today.fromordinal(server.today.toordinal() + 1)).isoformat()
        )


def test_epaper_schedule_cursor(odoo: odoorpc.ODOO, odoo_server: OdooTestServer) -> None:
    """Each kind of change appears in the next incremental answer exactly once; an
    unchanged schedule answers no display and reads none; a one-display read reads one."""
    today = odoo_server.today
    start = f"{today - dt.timedelta(days=1)}T00:00:00Z"
    end = f"{today + dt.timedelta(days=8)}T00:00:00Z"

    def ask(cursor: str | None = None, **kwargs: Any) -> dict[str, Any]:
        return dict(
            odoo.execute_kw(
                "room.rasp.connection",
                "epaper_schedule",
                [start, end],
                {"sources": ["calendar.event"], "cursor": cursor, **kwargs},
            )
        )

    first = ask()
    assert (first["full"], first["removed"]) == (True, [])
    assert sorted(d["device"] for d in first["displays"]) == ["boardroom", "lab-door", "reception"]
    cursor = first["cursor"]
    odoo_server.reset_counts()
    unchanged = ask(cursor)
    assert (unchanged["displays"], unchanged["removed"], unchanged["full"]) == ([], [], False)
    assert odoo_server.records_read == 0

    event = {"start": "{day} 12:00:00", "stop": "{day} 13:00:00", "allday": False}
    event |= {"privacy": "public", "show_as": "busy", "user_id": 2, "active": True}
    add, update, delete = (
        odoo_server.add_record,
        odoo_server.update_record,
        odoo_server.delete_record,
    )
    ev, disp = "calendar.event", "room.rasp.connection"
    changes: list[tuple[Callable[[], object], list[str], list[str]]] = [
        (lambda: add(ev, {**event, "name": "New", "location": "Lab"}), ["lab-door"], []),
        (lambda: update(ev, 3, {"name": "Demo"}), ["reception"], []),
        (lambda: update(ev, 1, {"location": "Lab"}), ["boardroom", "lab-door"], []),
        (lambda: update(ev, 3, {"active": False}), ["reception"], []),
        (lambda: delete(ev, 2), ["reception"], []),
        (lambda: update(ev, 6, {"name": "Tea"}), [], []),  # Cafeteria: no display
        (lambda: update(disp, 2, {"tz": "Europe/Paris"}), ["boardroom"], []),
        (lambda: update(disp, 2, {"last_error": "x"}), [], []),  # the status mirror's
        (lambda: update(disp, 3, {"active": False}), [], ["lab-door"]),
        (lambda: delete(disp, 2), [], ["boardroom"]),
    ]
    for change, devices, removed in changes:
        change()
        following = ask(cursor)
        assert [d["device"] for d in following["displays"]] == devices, change
        assert following["removed"] == removed
        cursor = following["cursor"]
        assert ask(cursor)["displays"] == []

    odoo_server.reset_counts()
    one = ask(None, devices=["reception"])
    reception_events = len(one["displays"][0]["events"])
    assert odoo_server.records_read == 1 + reception_events

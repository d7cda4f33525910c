"""The client on both transports against the test server: JSON-RPC on 18.0, JSON-2 with an
API key on 19.0 (and never /jsonrpc there), the same answers and the same typed errors,
the key's expiry, and the total deadline of every call."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from custom_components.odoo_epaper import odoo_http
from custom_components.odoo_epaper.odoo_client import (
    OdooAccessError,
    OdooAddonTooOldError,
    OdooAuthError,
    OdooClient,
    OdooConnectionError,
    OdooDatabaseError,
    OdooTimeoutError,
    key_expiry,
)
from custom_components.odoo_epaper.odoo_transport import series_of
from testbed.odoo_server import OdooTestServer

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture(params=["18.0", "19.0"])
def server(request: pytest.FixtureRequest, socket_enabled: None) -> Iterator[OdooTestServer]:
    """A test server of each series."""
    running = OdooTestServer(series=request.param).start()
    yield running
    running.stop()


def client_for(server: OdooTestServer, secret: str | None = None, **changes: str) -> OdooClient:
    """A client for ``demo``: with an API key on 19.0, its password on 18.0 (or ``secret``)."""
    if secret is None:
        secret = server.add_api_key("demo") if server.series == "19.0" else "demo-pw"
    values = {"url": server.url, "database": "odoo", "username": "demo", "password": secret}
    return OdooClient(**(values | changes))


def window(server: OdooTestServer) -> tuple[dt.datetime, dt.datetime]:
    """Today and the next two days (UTC)."""
    start = dt.datetime.combine(server.today, dt.time(), dt.UTC)
    return start, start + dt.timedelta(days=3)


def test_transport_by_series(server: OdooTestServer) -> None:
    """18.0 is read through /jsonrpc; 19.0 through JSON-2 with no /jsonrpc call at all (so no
    deprecation warning in Odoo's log), the same schedule either way."""
    client = client_for(server)
    info = client.connect()
    schedule = client.fetch_schedule("auto", *window(server), "Europe/Brussels")
    answer = client.book("boardroom", *[NOW + dt.timedelta(days=9, hours=h) for h in (1, 2)], "x")
    assert answer["ok"] is True
    assert info.version == server.series
    assert (info.uid, info.user_tz) == (6, None)
    assert "room.rasp.connection" in info.models
    assert {d.device for d in schedule.displays} == {"reception", "boardroom", "lab-door"}
    if server.series == "19.0":
        assert info.transport == "json2"
        assert server.paths["/jsonrpc"] == server.deprecated_calls == 0
        assert server.paths["/json/2/room.rasp.connection/epaper_schedule"] == 1
    else:
        assert info.transport == "jsonrpc"
        assert server.paths["/jsonrpc"] > 0
        assert not any(path.startswith("/json/2") for path in server.paths)


def test_same_schedule_on_both_transports(socket_enabled: None) -> None:
    """The two transports give equal answers for the same data."""
    answers = []
    for series in ("18.0", "19.0"):
        with OdooTestServer(series=series, today=NOW.date()) as server:
            client = client_for(server)
            client.connect()
            answers.append(client.fetch_schedule("auto", *window(server), "UTC"))
    assert answers[0] == answers[1]


def test_refused_credentials_are_auth_errors(server: OdooTestServer) -> None:
    """A wrong password or key, and on 19.0 a plain password, are OdooAuthError."""
    with pytest.raises(OdooAuthError):
        client_for(server, "wrong").connect()
    if server.series == "19.0":
        with pytest.raises(OdooAuthError):
            client_for(server, "demo-pw").connect()  # JSON-2 takes API keys only


def test_a_key_works_on_jsonrpc_too(server: OdooTestServer) -> None:
    """``password`` may hold an API key on either transport."""
    key = server.add_api_key("demo")
    assert client_for(server, key).connect().uid == 6


def test_revoked_key_is_an_auth_error(server: OdooTestServer) -> None:
    """A key revoked after login fails the next call with OdooAuthError (-> reauth)."""
    key = server.add_api_key("demo")
    client = client_for(server, key)
    client.connect()
    server.revoke_api_key(key)
    with pytest.raises(OdooAuthError):
        client.fetch_schedule("auto", *window(server))


def test_key_of_another_user_is_refused(socket_enabled: None) -> None:
    """On JSON-2 the key names the user: a key of ``admin`` for entry user ``demo`` is refused."""
    with OdooTestServer(series="19.0") as server:
        key = server.add_api_key("admin")
        with pytest.raises(OdooAuthError, match="belongs to 'admin'"):
            client_for(server, key).connect()


def test_unknown_database(server: OdooTestServer) -> None:
    """An unknown database is OdooDatabaseError on both."""
    with pytest.raises(OdooDatabaseError):
        client_for(server, database="ghost").connect()


def test_denied_and_missing_addon_keep_their_meaning(server: OdooTestServer) -> None:
    """A denied model is OdooAccessError; an addon without epaper_schedule is too old."""
    client = client_for(server)
    client.connect()
    server.drop_method("epaper_schedule")
    with pytest.raises(OdooAddonTooOldError):
        client.fetch_schedule("auto", *window(server))
    server.deny_access("room.rasp.connection")
    with pytest.raises(OdooAccessError):
        client_for(server).connect()


@pytest.mark.parametrize(
    ("days", "expected"),
    [(20, True), (None, False)],
)
def test_key_expiry_is_read_on_json2(
    socket_enabled: None, days: int | None, expected: bool
) -> None:
    """The expiry of the key in use is in ServerInfo (19.0), None for a persistent key."""
    with OdooTestServer(series="19.0") as server:
        expires = NOW + dt.timedelta(days=days) if days else None
        info = client_for(server, server.add_api_key("demo", expires=expires)).connect()
        assert info.key_expiry == (expires if expected else None)


def test_key_expiry_only_when_it_can_be_told() -> None:
    """Odoo does not say which key is in use: the expiry is known when the user's live RPC
    keys share one; other scopes and lapsed keys do not count."""
    soon, later = "2027-01-10 08:00:00", "2027-03-01 08:00:00"
    now = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    soon_at = dt.datetime(2027, 1, 10, 8, tzinfo=dt.UTC)

    def rows(*keys: tuple[object, object]) -> list[dict[str, object]]:
        return [{"scope": scope, "expiration_date": when} for scope, when in keys]

    assert key_expiry(rows((False, soon)), now) == soon_at
    assert key_expiry(rows((False, soon), ("rpc", soon)), now) == soon_at
    assert key_expiry(rows((False, soon), ("totp", later)), now) == soon_at
    assert key_expiry(rows((False, soon), (False, "2026-12-01 08:00:00")), now) == soon_at
    assert key_expiry(rows((False, soon), (False, later)), now) is None
    assert key_expiry(rows((False, soon), (False, False)), now) is None
    assert key_expiry(rows((False, False)), now) is None
    assert key_expiry(rows((False, "not a date")), now) is None
    assert key_expiry("nonsense", now) is None


@pytest.fixture
def trickling_server(socket_enabled: None) -> Iterator[str]:
    """An HTTP server that answers one byte every 0.2 s: each read gets data in time,
    the whole answer takes minutes."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                conn.sendall(head + b"Content-Length: 100000\r\n\r\n")
                while not stop.wait(0.2):
                    try:
                        conn.sendall(b" ")
                    except OSError:
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(5)
    listener.close()


def test_every_call_has_a_total_deadline(trickling_server: str) -> None:
    """A server that trickles its answer fails the call at the deadline, not at the end."""
    client = OdooClient(trickling_server, "odoo", "demo", "key", timeout=1.0)
    started = time.monotonic()
    with pytest.raises(OdooTimeoutError, match="too slowly"):
        client.connect()
    assert 1.0 <= time.monotonic() - started < 3.0


def test_unreadable_keys_leave_the_expiry_unknown(socket_enabled: None) -> None:
    """A user Odoo does not let read their keys still connects; the expiry is unknown."""
    with OdooTestServer(series="19.0") as server:
        key = server.add_api_key("demo", expires=NOW + dt.timedelta(days=3))
        server.deny_access("res.users.apikeys")
        info = client_for(server, key).connect()
        assert (info.transport, info.key_expiry) == ("json2", None)


@pytest.mark.parametrize(
    ("answer", "series"),
    [
        ({"server_version_info": [19, 0, 0, "final", 0, ""]}, (19, 0)),
        ({"server_version_info": ["saas~18", 3, 0, "final", 0, ""]}, (18, 3)),
        ({"server_version_info": [20, 0, 0, "final", 0, "e"]}, (20, 0)),
    ],
)
def test_series_of_version_info(answer: dict[str, object], series: tuple[int, int]) -> None:
    """Major and minor from ``server_version_info``, SaaS series included."""
    assert series_of(answer) == series


@pytest.mark.parametrize(
    "answer", [None, {}, {"server_version_info": [19]}, {"server_version_info": ["x", 0]}]
)
def test_series_of_nonsense(answer: object) -> None:
    """An answer without a version is not Odoo's."""
    with pytest.raises(OdooConnectionError):
        series_of(answer)


@pytest.mark.parametrize(("how", "said"), [("http_error", "500"), ("not_json", "200")])
def test_json2_answers_that_are_not_odoos(socket_enabled: None, how: str, said: str) -> None:
    """A JSON-2 answer that is not Odoo's (a proxy's error page) is a connection error."""
    with OdooTestServer(series="19.0") as server:
        client = client_for(server)
        client.connect()
        server.go_down(how)
        with pytest.raises(
            OdooConnectionError, match=f"does not answer like an Odoo server.*{said}"
        ):
            client.fetch_schedule("auto", *window(server))


def test_oversized_answers_are_refused(
    server: OdooTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer larger than MAX_ANSWER_BYTES is refused, not held."""
    client = client_for(server)
    client.connect()
    monkeypatch.setattr(odoo_http, "MAX_ANSWER_BYTES", 100)
    with pytest.raises(OdooConnectionError, match="more than 100 bytes"):
        client.fetch_schedule("auto", *window(server))


def test_status_text() -> None:
    """The status and its standard phrase; a status without one alone."""
    assert odoo_http.HttpAnswer(502, {}, b"").status_text == "HTTP 502 Bad Gateway"
    assert odoo_http.HttpAnswer(599, {}, b"").status_text == "HTTP 599"


def test_every_hub_call_binds_on_both(server: OdooTestServer) -> None:
    """Each addon method the hub calls answers on both transports: on 19.0 the server
    binds the named arguments as strictly as Odoo, so a wrong name would be a 422."""
    secret = server.add_api_key("admin") if server.series == "19.0" else "admin-pw"
    client = client_for(server, secret, username="admin")
    client.connect()
    start = NOW + dt.timedelta(days=12)
    booked = client.book("boardroom", start, start + dt.timedelta(hours=1), None)
    assert booked["ok"] is True
    assert client.cancel("boardroom", booked["ref"])["ok"] is True
    door = client.door_action("reception", "book_now", 15, 120)  # the addon's answer
    assert door["ok"] is True or door["error"]
    assert client.display_bookings("reception", *window(server), "UTC") is not None
    assert client.adoption_choices().rooms
    assert client.adopt_display("new-sign", "Attic", "UTC", "en") > 0
    assert client.can_write_displays() is True
    client.report_status([{"device": "reception", "state": "online"}])
    assert server.status_reports[-1] == [{"device": "reception", "state": "online"}]
    if server.series == "19.0":
        assert server.paths["/jsonrpc"] == 0

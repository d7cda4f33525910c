"""The Odoo test server as 19.0: JSON-2 as strict as odoo/addons/rpc/controllers/json2.py,
API keys with expiry and revocation, /jsonrpc deprecated (logged) or gone (404)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import odoorpc
import pytest

from testbed.odoo_server import OdooTestServer

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def odoo19(socket_enabled: None) -> Iterator[OdooTestServer]:
    """A 19.0 test server with the default fixture."""
    server = OdooTestServer(series="19.0").start()
    yield server
    server.stop()


def json2(
    server: OdooTestServer,
    path: str,
    body: Any,
    *,
    key: str | None,
    database: str | None = "odoo",
) -> tuple[int, dict[str, str], Any]:
    """POST ``body`` (JSON) to ``path``; the status, headers and decoded body (text if HTML)."""
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"bearer {key}"
    if database is not None:
        headers["X-Odoo-Database"] = database
    request = urllib.request.Request(  # noqa: S310 (http on loopback)
        server.url + path, data=json.dumps(body).encode(), headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            status, answer_headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        status, answer_headers, raw = err.code, dict(err.headers), err.read()
    if answer_headers.get("Content-Type", "").startswith("application/json"):
        return status, answer_headers, json.loads(raw)
    return status, answer_headers, raw.decode()


def test_named_arguments_bare_result(odoo19: OdooTestServer) -> None:
    """A call with named arguments answers the method's result with no envelope."""
    key = odoo19.add_api_key("demo")
    status, _, answer = json2(
        odoo19,
        "/json/2/room.rasp.connection/epaper_schedule",
        {"start": "2026-12-06T00:00:00Z", "end": "2026-12-07T00:00:00Z", "default_tz": "UTC"},
        key=key,
    )
    assert status == 200
    assert answer["api"] == 1
    assert "jsonrpc" not in answer and "result" not in answer
    status, _, answer = json2(odoo19, "/json/2/res.users/context_get", {}, key=key)
    assert (status, answer["uid"]) == (200, 6)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"args": ["2026-12-06T00:00:00Z", "2026-12-07T00:00:00Z"]}, "missing a required argument"),
        ({"start": "2026-12-06T00:00:00Z"}, "missing a required argument: 'end'"),
        ({"start": "a", "end": "b", "colour": "red"}, "unexpected keyword argument 'colour'"),
    ],
)
def test_bad_arguments_are_422(odoo19: OdooTestServer, body: dict[str, Any], message: str) -> None:
    """Positional ``args``, a missing or an unknown argument: 422 with Python's binding message."""
    key = odoo19.add_api_key("demo")
    status, _, answer = json2(odoo19, "/json/2/room.rasp.connection/epaper_schedule", body, key=key)
    assert status == 422
    assert answer["name"] == "werkzeug.exceptions.UnprocessableEntity"
    assert message in answer["message"]


def test_ids_only_for_record_methods(odoo19: OdooTestServer) -> None:
    """``ids`` goes to record methods; an ``@api.model`` method called with ids is 422."""
    key = odoo19.add_api_key("admin")
    status, _, answer = json2(
        odoo19, "/json/2/room.rasp.connection/has_access", {"ids": [], "operation": "read"}, key=key
    )
    assert (status, answer) == (200, True)
    status, _, answer = json2(odoo19, "/json/2/res.users/context_get", {"ids": [2]}, key=key)
    assert status == 422
    assert "with ids" in answer["message"]


def test_unknown_model_or_method_is_404(odoo19: OdooTestServer) -> None:
    """Odoo answers NotFound (404) for a model or a public method it does not have."""
    key = odoo19.add_api_key("admin")
    for path in ("/json/2/ghost.model/search", "/json/2/room.room/fly", "/json/2/room.room/_read"):
        status, _, answer = json2(odoo19, path, {}, key=key)
        assert (status, answer["name"]) == (404, "werkzeug.exceptions.NotFound")


def test_denied_model_is_403(odoo19: OdooTestServer) -> None:
    """An AccessError is 403 with Odoo's error object."""
    key = odoo19.add_api_key("demo")
    odoo19.deny_access("room.room")
    status, _, answer = json2(odoo19, "/json/2/room.room/search", {"domain": []}, key=key)
    assert (status, answer["name"]) == (403, "odoo.exceptions.AccessError")


def test_keys_without_with_bad_expired_revoked(odoo19: OdooTestServer) -> None:
    """401 with ``WWW-Authenticate: Bearer`` without a key, with a bad, expired or revoked one."""
    path = "/json/2/res.users/context_get"
    key = odoo19.add_api_key("demo", expires=NOW + dt.timedelta(days=1))
    assert json2(odoo19, path, {}, key=key)[0] == 200
    for bad in (None, "", "0" * 40):
        status, headers, answer = json2(odoo19, path, {}, key=bad)
        assert status == 401
        assert headers["WWW-Authenticate"].lower() == "bearer"
        assert answer["name"] == "werkzeug.exceptions.Unauthorized"
    odoo19.api_keys.expire(key, NOW - dt.timedelta(minutes=1))
    assert json2(odoo19, path, {}, key=key)[0] == 401
    other = odoo19.add_api_key("demo")
    odoo19.revoke_api_key(other)
    assert json2(odoo19, path, {}, key=other)[0] == 401


def test_unknown_database_is_the_nodb_404(odoo19: OdooTestServer) -> None:
    """An unknown X-Odoo-Database (or none, with two databases) gets the no-database page."""
    key = odoo19.add_api_key("demo")
    for database in ("ghost", None):
        status, headers, answer = json2(
            odoo19, "/json/2/res.users/context_get", {}, key=key, database=database
        )
        assert status == 404
        assert headers["Content-Type"].startswith("text/html")
        assert "No database is selected" in answer


def test_users_read_only_their_own_keys(odoo19: OdooTestServer) -> None:
    """``res.users.apikeys`` shows a user their own keys, with the expiry, never the key."""
    expiry = (NOW + dt.timedelta(days=30)).replace(microsecond=0)
    key = odoo19.add_api_key("demo", expires=expiry, name="hub")
    odoo19.add_api_key("admin", name="admin's")
    status, _, rows = json2(
        odoo19,
        "/json/2/res.users.apikeys/search_read",
        {"domain": [], "fields": ["name", "scope", "expiration_date"]},
        key=key,
    )
    assert status == 200
    assert rows == [
        {
            "id": 1,
            "name": "hub",
            "scope": False,
            "expiration_date": expiry.strftime("%Y-%m-%d %H:%M:%S"),
        }
    ]
    assert key not in json.dumps(odoo19.records["res.users.apikeys"])


def test_json2_is_not_served_as_18(socket_enabled: None) -> None:
    """An 18.0 server has no JSON-2 route."""
    with OdooTestServer(series="18.0") as server:
        key = server.add_api_key("demo")
        status, _, _ = json2(server, "/json/2/res.users/context_get", {}, key=key)
        assert status == 404


def test_jsonrpc_on_19_logs_the_deprecation(
    odoo19: OdooTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    """/jsonrpc works on 19.0 (with a password or an API key) and logs Odoo's deprecation."""
    key = odoo19.add_api_key("demo")
    with caplog.at_level(logging.WARNING, logger="testbed.odoo.rpc"):
        client = odoorpc.ODOO("127.0.0.1", port=odoo19.port)
        client.login("odoo", "demo", key)
    assert client.version == "19.0"
    assert odoo19.deprecated_calls == odoo19.paths["/jsonrpc"] > 0
    assert "deprecated in Odoo 19" in caplog.text


def test_jsonrpc_gone_without_the_legacy_switch(socket_enabled: None) -> None:
    """With the legacy switch off, /jsonrpc answers Odoo's 404 (a JSON-RPC NotFound error)."""
    with OdooTestServer(series="19.0", legacy_rpc=False) as server:
        client = odoorpc.ODOO("127.0.0.1", port=server.port)
        with pytest.raises(odoorpc.error.RPCError) as caught:
            client.login("odoo", "demo", "demo-pw")
        assert caught.value.info["code"] == 404


def test_series_is_checked() -> None:
    """Only the series the server knows are accepted."""
    with pytest.raises(ValueError, match="series"):
        OdooTestServer(series="20.0")

"""The status mirror: batched, debounced writes to the Odoo test server, with retries."""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from homeassistant.core import HomeAssistant

from custom_components.odoo_epaper.display_state import DisplayState
from custom_components.odoo_epaper.display_status import DisplayStatus, Snapshot
from custom_components.odoo_epaper.odoo_client import OdooClient
from custom_components.odoo_epaper.status_mirror import StatusMirror, status_report
from testbed.ha_entry import ODOO_DATABASE, ODOO_LOGIN, ODOO_PASSWORD
from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.conftest import wait_until

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
SEEN = datetime(2026, 11, 27, 9, 0, 5, tzinfo=UTC)
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000376ef9240000000a"
    "49444154789c6360000000020001e221bc330000000049454e44ae426082"
)


def display(state: str, error: str | None = None) -> DisplayState:
    """Return a display state with a status."""
    return DisplayState(
        prefix="odoo_epaper/", status=DisplayStatus(state=state, error=error), last_seen=SEEN
    )


@pytest.fixture
async def mirror(hass: HomeAssistant, odoo_server: OdooTestServer) -> AsyncIterator[StatusMirror]:
    """A mirror writing through a real OdooClient to the test server."""
    client = OdooClient(odoo_server.url, ODOO_DATABASE, ODOO_LOGIN, ODOO_PASSWORD)
    await hass.async_add_executor_job(client.connect)

    attempts: list[int] = []

    async def send(reports: list[dict[str, Any]]) -> None:
        attempts.append(len(reports))
        await hass.async_add_executor_job(client.report_status, reports)

    mirror = StatusMirror(hass, send, delay=0.05, retry=0.2)
    mirror.attempts = attempts  # type: ignore[attr-defined]
    yield mirror
    mirror.async_stop()


def test_report_form() -> None:
    """A report carries device, state, Odoo's naive UTC last_seen and the error."""
    assert status_report("room-1", display("online", "bad data")) == {
        "device": "room-1",
        "state": "online",
        "last_seen": "2026-11-27 09:00:05",
        "error": "bad data",
    }
    assert status_report("room-1", DisplayState(prefix="x/")) == {
        "device": "room-1",
        "state": "unknown",
        "last_seen": False,
        "error": False,
    }


async def test_burst_is_one_rpc(
    hass: HomeAssistant, mirror: StatusMirror, odoo_server: OdooTestServer
) -> None:
    """Changes within the delay go out in one RPC; unchanged states are not resent."""
    for device in ("reception", "boardroom", "lab"):
        mirror.async_track(device, display("online"))
    mirror.async_track("reception", display("offline"))
    await wait_until(lambda: bool(odoo_server.status_reports))
    assert len(odoo_server.status_reports) == 1
    batch = {report["device"]: report["state"] for report in odoo_server.status_reports[0]}
    assert batch == {"reception": "offline", "boardroom": "online", "lab": "online"}
    assert odoo_server.count("room.rasp.connection", "mqtt_status_report") == 1

    mirror.async_track("lab", display("online"))
    mirror.async_track("lab", display("online", "data rejected"))
    # The mirror clears its pending list after the RPC returns: wait for that, not for the
    # server to have recorded the RPC (which happens first).
    await wait_until(lambda: len(odoo_server.status_reports) == 2 and mirror.pending == [])
    assert odoo_server.status_reports[1] == [
        {
            "device": "lab",
            "state": "online",
            "last_seen": "2026-11-27 09:00:05",
            "error": "data rejected",
        }
    ]
    assert mirror.pending == []


async def test_failures_are_logged_once_and_retried(
    hass: HomeAssistant,
    mirror: Any,
    odoo_server: OdooTestServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """While Odoo is down the reports wait; one warning; all go out on recovery."""
    odoo_server.go_down("http_error")
    with caplog.at_level(logging.INFO):
        mirror.async_track("reception", display("online"))
        await wait_until(lambda: "Cannot mirror display status" in caplog.text)
        mirror.async_track("boardroom", display("offline"))
        await wait_until(lambda: mirror.attempts[-2:] == [2, 2], 5)
        assert caplog.text.count("Cannot mirror display status") == 1
        assert {report["device"] for report in mirror.pending} == {"reception", "boardroom"}
        odoo_server.come_up()
        # The server records the RPC before the mirror hears the answer, logs the
        # recovery and clears its pending list: wait for all that is asserted.
        await wait_until(
            lambda: (
                bool(odoo_server.status_reports)
                and "Mirroring display status to Odoo works again" in caplog.text
                and mirror.pending == []
            ),
            5,
        )
    assert {report["device"] for report in odoo_server.status_reports[0]} == {
        "reception",
        "boardroom",
    }
    assert "Mirroring display status to Odoo works again" in caplog.text
    assert mirror.pending == []


async def test_stop_drops_the_timer(
    hass: HomeAssistant, mirror: StatusMirror, odoo_server: OdooTestServer
) -> None:
    """A stopped mirror sends nothing more."""
    mirror.async_track("reception", display("online"))
    mirror.async_stop()
    mirror.async_track("boardroom", display("online"))
    await hass.async_block_till_done()
    assert mirror.pending
    assert odoo_server.status_reports == []


async def test_reports_wait_while_odoo_is_down(
    hass: HomeAssistant, odoo_server: OdooTestServer
) -> None:
    """While the coordinator knows Odoo is down, nothing is sent and nothing is logged."""
    client = OdooClient(odoo_server.url, ODOO_DATABASE, ODOO_LOGIN, ODOO_PASSWORD)
    await hass.async_add_executor_job(client.connect)
    up = False

    async def send(reports: list[dict[str, Any]]) -> None:
        await hass.async_add_executor_job(client.report_status, reports)

    asked: list[bool] = []

    def odoo_up() -> bool:
        asked.append(up)
        return up

    mirror = StatusMirror(hass, send, delay=0.05, retry=0.1, odoo_up=odoo_up)
    mirror.async_track("reception", display("online"))
    await wait_until(lambda: len(asked) >= 3, 5)  # three rounds while Odoo is down
    assert odoo_server.status_reports == []
    assert [report["device"] for report in mirror.pending] == ["reception"]
    up = True
    await wait_until(lambda: bool(odoo_server.status_reports), 5)
    assert odoo_server.status_reports[0][0]["device"] == "reception"
    mirror.async_stop()


async def test_new_snapshots_go_along_once(
    hass: HomeAssistant, mirror: StatusMirror, odoo_server: OdooTestServer
) -> None:
    """A new snapshot rides with the next report, once; a queued one survives a newer status."""
    raw = PNG_1X1
    door = replace(
        display("online"), snapshot=Snapshot(png=raw, width=1, height=1), snapshot_at=SEEN
    )
    mirror.async_track("reception", door)
    mirror.async_track("reception", display("error", "bad data"))  # queued, same burst
    await wait_until(lambda: len(odoo_server.status_reports) == 1)
    (report,) = odoo_server.status_reports[0]
    assert report["state"] == "error"
    assert base64.b64decode(report["snapshot"]) == raw

    again = replace(display("online"), snapshot=door.snapshot, snapshot_at=door.snapshot_at)
    mirror.async_track("reception", again)  # same snapshot: status only
    await wait_until(lambda: len(odoo_server.status_reports) == 2)
    assert "snapshot" not in odoo_server.status_reports[1][0]

    newer = replace(
        display("online"),
        snapshot=door.snapshot,
        snapshot_at=datetime(2026, 11, 27, 9, 1, tzinfo=UTC),
    )
    mirror.async_track("reception", newer)  # same state, new snapshot: sent
    await wait_until(lambda: len(odoo_server.status_reports) == 3)
    assert base64.b64decode(odoo_server.status_reports[2][0]["snapshot"]) == raw

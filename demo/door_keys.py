"""The demo's door keys: the Reception's satellite reads its keys from loopback HTTP.

The png satellite has no buttons, so its ``[keys]`` driver is the ``http`` stand-in:
``POST http://127.0.0.1:<port>/keys/<pin>`` presses the Waveshare 2.7" HAT key on that
BCM pin. The press goes to Home Assistant as ``/action``, Odoo carries it out, and both
the panel and the room's calendar entity in Home Assistant change. Without Home
Assistant (``--odoo-direct``) the addon answers the press on ``/ack`` and publishes the
new ``/data`` itself (:func:`check_direct`).
"""

from __future__ import annotations

import datetime as dt
import time
import urllib.request
from pathlib import Path

from demo.ha_api import HomeAssistantApi
from testbed.broker import Broker
from testbed.mqtt_peer import MqttPeer

DEVICE = "reception"
ROOM = "Reception"
# BCM pin -> what the satellite's default key map does with it.
KEYS = {5: "book now (15 min)", 6: "extend (15 min)", 13: "end now", 19: "check in"}


def keys_toml(port: int) -> str:
    """The satellite's ``[keys]`` table: the http stand-in on ``port``."""
    return f'[keys]\ndriver = "http"\nhttp_port = {port}\n'


def press(port: int, pin: int) -> None:
    """Press the key on BCM ``pin`` of the Reception's door."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/keys/{pin}", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
        if answer.status != 202:
            raise RuntimeError(f"key {pin} answered {answer.status}")


def how_to_press(port: int, *, home_assistant: bool = True) -> str:
    """What to type to press the Reception's keys (what to watch: its panel, and with
    ``home_assistant`` its calendar entity)."""
    watch = f"its panel and calendar.{DEVICE}_bookings" if home_assistant else "its panel"
    lines = [f"Door keys of the {ROOM} (watch {watch}):"]
    lines += [
        f"  curl -X POST http://127.0.0.1:{port}/keys/{pin}   # {what}"
        for pin, what in KEYS.items()
    ]
    return "\n".join(lines)


def calendar_state(api: HomeAssistantApi) -> str | None:
    """The state of the Reception's calendar entity (on while a booking runs)."""
    for state in api.states():
        if state["entity_id"].startswith("calendar.") and (
            state["attributes"].get("friendly_name") == f"{ROOM} Bookings"
        ):
            return str(state["state"])
    return None


def check(api: HomeAssistantApi, port: int, panel: Path, timeout: float) -> str:
    """Press *end now* while the Reception's meeting runs; wait for HA's calendar to turn
    off and the panel to be redrawn. Returns what changed."""
    deadline = time.monotonic() + timeout
    while calendar_state(api) != "on":
        if time.monotonic() > deadline:
            raise TimeoutError(f"the {ROOM} calendar never showed its running meeting")
        time.sleep(0.5)
    before = panel.stat().st_mtime_ns
    press(port, 13)
    while calendar_state(api) != "off" or panel.stat().st_mtime_ns == before:
        if time.monotonic() > deadline:
            raise TimeoutError(f"end now at the {ROOM} door changed nothing in time")
        time.sleep(0.2)
    return f"end now at the {ROOM} door: calendar off, panel redrawn"


def _waits_for_check_in(watcher: MqttPeer, prefix: str, now: dt.datetime) -> bool | None:
    """Whether the Reception's running meeting asks for a check-in in its last ``/data``
    (None before any ``/data`` or while no meeting runs)."""
    payloads = watcher.on(f"{prefix}{DEVICE}/data")
    payload = payloads[-1].json() if payloads else None
    events = payload.get("events") if isinstance(payload, dict) else None
    for event in events if isinstance(events, list) else []:
        start, end = (dt.datetime.fromisoformat(event[key]) for key in ("start", "end"))
        if start <= now < end:
            return bool(event.get("check_in_until"))
    return None


def check_in(broker: Broker, prefix: str, port: int, panel: Path, timeout: float) -> str:
    """Press *check in* while the Reception's meeting waits for one (the demo asks for a
    check-in within :data:`demo.data.CHECK_IN_GRACE` minutes of a start); wait for the
    ``/data`` whose meeting no longer asks and the panel redrawn. Returns what changed;
    raises TimeoutError when either does not come."""
    watcher = MqttPeer(broker, client_id="demo-check-in").start(f"{prefix}{DEVICE}/data")
    deadline = time.monotonic() + timeout
    try:
        while not _waits_for_check_in(watcher, prefix, dt.datetime.now(dt.UTC)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the {ROOM}'s running meeting never asked for a check-in")
            time.sleep(0.2)
        drawn_at = panel.stat().st_mtime_ns
        press(port, 19)
        while (
            _waits_for_check_in(watcher, prefix, dt.datetime.now(dt.UTC)) is not False
            or panel.stat().st_mtime_ns == drawn_at
        ):
            if time.monotonic() > deadline:
                raise TimeoutError(f"check in at the {ROOM} door changed nothing in time")
            time.sleep(0.2)
        return f"check in at the {ROOM} door: the meeting no longer asks for one, panel redrawn"
    finally:
        watcher.stop()


def _drawn_hash(watcher: MqttPeer, prefix: str) -> str | None:
    statuses = watcher.on(f"{prefix}{DEVICE}/status")
    status = statuses[-1].json() if statuses else None
    return status.get("content_hash") if isinstance(status, dict) else None


def check_direct(broker: Broker, prefix: str, port: int, panel: Path, timeout: float) -> str:
    """No Home Assistant: press *end now* while the Reception's meeting runs; wait for
    the ``/ack`` that says done, the door's report of new content and its panel redrawn.
    Returns what changed."""
    watcher = MqttPeer(broker, client_id="demo-keys").start(
        f"{prefix}{DEVICE}/status", f"{prefix}{DEVICE}/ack"
    )
    deadline = time.monotonic() + timeout
    try:
        while (before := _drawn_hash(watcher, prefix)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the {ROOM} door never reported what it shows")
            time.sleep(0.2)
        drawn_at = panel.stat().st_mtime_ns
        press(port, 13)
        while True:
            acks = [message.json() for message in watcher.on(f"{prefix}{DEVICE}/ack")]
            now = _drawn_hash(watcher, prefix)
            if any(isinstance(ack, dict) and ack.get("ok") is False for ack in acks):
                raise RuntimeError(f"end now at the {ROOM} door was refused: {acks}")
            done = any(isinstance(ack, dict) and ack.get("ok") is True for ack in acks)
            if done and now not in (None, before) and panel.stat().st_mtime_ns != drawn_at:
                return f"end now at the {ROOM} door: answered ok by Odoo, new content {now} drawn"
            if time.monotonic() > deadline:
                raise TimeoutError(f"end now at the {ROOM} door changed nothing in time: {acks}")
            time.sleep(0.2)
    finally:
        watcher.stop()

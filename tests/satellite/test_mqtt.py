"""MQTTDisplay against a real Mosquitto: status, retained data, vectors, acks, commands."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from epaper_satellite.controller import MQTTDisplay
from epaper_satellite.wire import content_hash
from PIL import Image

from testbed.broker import Broker
from tests.conftest import BROKER_PASSWORD, BROKER_USER
from tests.fixtures.vectors import load_vectors, raw_payload
from tests.satellite.conftest import (
    Received,
    Recorder,
    ThreadedSatellite,
    make_config,
    room_payload,
    status_is,
    wait_until,
)

DATA = load_vectors("data")
TEST = load_vectors("test")
CMD = load_vectors("cmd")
Start = Callable[[MQTTDisplay], ThreadedSatellite]


def _panel_pixels(path: Path) -> bytes:
    with Image.open(path) as image:
        return image.convert("1").tobytes()


def _snapshot_pixels(snapshot: bytes) -> bytes:
    with Image.open(io.BytesIO(snapshot)) as image:
        return image.convert("1").tobytes()


def test_connect_publishes_retained_online_status(
    mosquitto: Broker, recorder: Recorder, run_satellite: Start, tmp_path: Path
) -> None:
    """On connect the satellite publishes its full online status, retained, with rc 0."""
    run_satellite(MQTTDisplay(make_config(mosquitto, tmp_path)))
    status = recorder.wait("status", status_is("online", rc=0)).json()
    assert status["version"] == "1.0.0"
    assert (status["panel"], status["width"], status["height"], status["colors"]) == (
        "png",
        400,
        300,
        "bw",
    )
    assert status["error"] is None
    late = Recorder(mosquitto).start()
    try:
        retained = late.wait("status", status_is("online"))
        assert retained.retain
    finally:
        late.stop()


def test_retained_data_is_drawn_on_connect(
    mosquitto: Broker, recorder: Recorder, run_satellite: Start, tmp_path: Path
) -> None:
    """Retained data waiting on the broker is drawn; snapshot and png file agree."""
    raw = json.dumps(room_payload(room="Boardroom")).encode()
    recorder.publish("data", raw, retain=True)
    run_satellite(MQTTDisplay(make_config(mosquitto, tmp_path)))
    status = recorder.wait("status", status_is("online", content_hash=content_hash(raw))).json()
    assert status["last_render"] is not None
    snapshot = recorder.wait("snapshot", lambda m: True)
    wait_until(
        lambda: (
            _snapshot_pixels(recorder.on("snapshot")[-1].payload)
            == _panel_pixels(tmp_path / "panel.png")
        )
    )
    assert snapshot.payload.startswith(b"\x89PNG")
    late = Recorder(mosquitto).start()
    try:
        assert late.wait("snapshot").retain
    finally:
        late.stop()


@pytest.fixture
def live(mosquitto: Broker, recorder: Recorder, run_satellite: Start, tmp_path: Path) -> Recorder:
    """A running satellite with a first room drawn; returns the recorder."""
    run_satellite(MQTTDisplay(make_config(mosquitto, tmp_path, display={"test_seconds": 600})))
    raw = json.dumps(room_payload()).encode()
    recorder.publish("data", raw, retain=True)
    recorder.wait("status", status_is("online", content_hash=content_hash(raw)))
    return recorder


def test_every_data_vector_over_mqtt(live: Recorder) -> None:
    """Each /data vector sent over the broker is drawn, or rejected with error in the status;
    a cleared one (empty) unassigns the sign (no content, no error, ``assigned`` false)."""
    shown = None
    for case in DATA["cases"]:
        if case.get("device", DATA["device"]) != DATA["device"]:
            continue
        raw = raw_payload(case)
        mark = live.mark()
        live.publish("data", raw, retain=True)
        status = live.wait("status", after=mark).json()
        if case.get("cleared"):
            assert (status["assigned"], status["error"], status["content_hash"]) == (
                False,
                None,
                None,
            ), case["name"]
            shown = None
        elif case["valid"]:
            assert status["error"] is None, case["name"]
            assert status["content_hash"] == case["content_hash"], case["name"]
            shown = case["content_hash"]
        else:
            assert status["error"] and status["error"].startswith("data rejected"), case["name"]
            assert status["content_hash"] == shown, case["name"]
    assert status["state"] == "online"


def test_rejected_data_keeps_the_panel(live: Recorder, tmp_path: Path) -> None:
    """A malformed payload does not change the panel image."""
    before = _panel_pixels(tmp_path / "panel.png")
    mark = live.mark()
    live.publish("data", b"{not json", retain=True)
    status = live.wait("status", after=mark).json()
    assert status["error"].startswith("data rejected: not valid JSON")
    assert _panel_pixels(tmp_path / "panel.png") == before


def test_every_test_vector_is_acknowledged_as_specified(live: Recorder) -> None:
    """An ack with the same id comes at once where an id can be read, and only there."""
    for case in TEST["cases"]:
        mark = live.mark()
        live.publish("test", raw_payload(case))
        live.publish("test", {"id": "fence", "text": "x"})
        live.wait("ack", lambda m: m.json()["id"] == "fence", after=mark)
        acks = [m.json() for m in _after(live, mark, "ack") if m.json()["id"] != "fence"]
        expected = case.get("ack")
        if expected is None:
            assert acks == [], case["name"]
        else:
            assert len(acks) == 1, case["name"]
            assert (acks[0]["id"], acks[0]["ok"]) == (expected["id"], expected["ok"]), case["name"]
            assert (acks[0]["error"] is None) == (expected["error"] is None), case["name"]


def _after(recorder: Recorder, mark: int, leaf: str) -> list[Received]:
    with recorder.lock:
        return [m for m in recorder.messages[mark:] if m.topic.endswith(f"/{leaf}")]


def test_ack_comes_before_the_test_screen(live: Recorder) -> None:
    """The ack is published before the test screen's snapshot."""
    mark = live.mark()
    live.publish("test", {"id": "order-1", "text": "Hello from Odoo"})
    live.wait("snapshot", after=mark)
    topics = [
        m.topic.rsplit("/", 1)[1]
        for m in live.messages[mark:]
        if m.topic.rsplit("/", 1)[1] != "test"
    ]
    assert topics.index("ack") < topics.index("snapshot")


def test_every_cmd_vector_over_mqtt(live: Recorder) -> None:
    """Valid commands redraw (a status follows); invalid ones change nothing."""
    for case in CMD["cases"]:
        mark = live.mark()
        live.publish("cmd", raw_payload(case))
        live.publish("test", {"id": "fence"})
        fence = live.wait("ack", lambda m: m.json()["id"] == "fence", after=mark)
        # The fence's own test screen sends one status after its ack; wait for it so that
        # it cannot leak into the next case.
        with live.lock:
            at_ack = live.messages.index(fence)
        live.wait("status", after=at_ack + 1)
        with live.lock:
            before_ack = live.messages[mark:at_ack]
        statuses = [m for m in before_ack if m.topic.endswith("/status")]
        # The satellite handles messages in order: a command's status comes before the ack.
        assert len(statuses) == (1 if case["valid"] else 0), case["name"]


def test_per_device_acl(mosquitto_acl: Broker, run_satellite: Start, tmp_path: Path) -> None:
    """With the per-device ACL, room-a reads its data and writes its status and snapshot."""
    hub = Recorder(mosquitto_acl, BROKER_USER, BROKER_PASSWORD).start()
    try:
        config = make_config(
            mosquitto_acl,
            tmp_path,
            mqtt={"username": "room-a", "password": "room-a-pw"},
            device={"name": "room-a"},
        )
        hub.client.publish(  # type: ignore[union-attr]
            "odoo_epaper/room-a/data", json.dumps(room_payload(device="room-a")), qos=1, retain=True
        ).wait_for_publish(5)
        run_satellite(MQTTDisplay(config))
        wait_until(
            lambda: any(
                m.topic == "odoo_epaper/room-a/status" and json.loads(m.payload).get("content_hash")
                for m in hub.messages
            ),
            what="room-a's status after drawing",
        )
        assert any(m.topic == "odoo_epaper/room-a/snapshot" for m in hub.messages)
    finally:
        hub.stop()


def test_broker_restart(
    mosquitto: Broker, recorder: Recorder, run_satellite: Start, tmp_path: Path
) -> None:
    """Broker down: the panel marks itself offline; back: reconnect, status, new data drawn."""
    satellite = run_satellite(MQTTDisplay(make_config(mosquitto, tmp_path)))
    first = json.dumps(room_payload(room="Before")).encode()
    recorder.publish("data", first, retain=True)
    recorder.wait("status", status_is("online", content_hash=content_hash(first)))
    panel = _panel_pixels(tmp_path / "panel.png")
    recorder.stop()
    mosquitto.stop()
    wait_until(lambda: _panel_pixels(tmp_path / "panel.png") != panel, what="the offline mark")
    assert satellite.display.sign.offline_shown
    mosquitto.start()
    after = Recorder(mosquitto).start()
    try:
        after.wait("status", status_is("online", content_hash=content_hash(first)), timeout=10)
        wait_until(lambda: _panel_pixels(tmp_path / "panel.png") == panel, what="the mark to go")
        second = json.dumps(room_payload(room="After")).encode()
        after.publish("data", second, retain=True)
        after.wait("status", status_is("online", content_hash=content_hash(second)))
        assert _panel_pixels(tmp_path / "panel.png") != panel
        assert satellite.display.session.connected
    finally:
        after.stop()


def test_tls_with_the_generated_ca(
    mosquitto_tls: Broker, run_satellite: Start, tmp_path: Path
) -> None:
    """Over TLS with the broker's CA the satellite connects and reports online."""
    assert mosquitto_tls.tls_files is not None
    ca = mosquitto_tls.tls_files.ca_cert
    recorder = Recorder(mosquitto_tls, ca_cert=ca).start()
    try:
        run_satellite(
            MQTTDisplay(
                make_config(mosquitto_tls, tmp_path, mqtt={"tls": True, "ca_certs": str(ca)})
            )
        )
        recorder.wait("status", status_is("online", rc=0))
    finally:
        recorder.stop()

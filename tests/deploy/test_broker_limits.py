"""The contract's size limits, the deployed broker config and a real broker agree.

Mosquitto 2.1 limits a packet to 2,000,000 bytes by default (2.0: no limit) and
disconnects a client that sends a larger one; the deployed config sets the same limit
on both, and the contract's largest snapshot fits under it.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from testbed.addon_code import load_plain_package
from testbed.broker import Broker, mosquitto_binary
from testbed.mqtt_peer import MqttPeer

ROOT = Path(__file__).resolve().parents[2]
LIMITS = json.loads((ROOT / "tests" / "vectors" / "limits.json").read_text(encoding="utf-8"))
TOPIC = "odoo_epaper/reception/snapshot"


def deployed_setting(name: str) -> str:
    """The value of a setting in deploy/mosquitto/mosquitto.conf.example."""
    text = (ROOT / "deploy" / "mosquitto" / "mosquitto.conf.example").read_text()
    (value,) = re.findall(rf"^{name}\s+(\S+)\s*$", text, flags=re.MULTILINE)
    return value


def packet_size(topic: str, payload: bytes) -> int:
    """Bytes of an MQTT 3.1.1 PUBLISH (QoS 0): fixed header, topic, payload."""
    remaining = 2 + len(topic.encode()) + len(payload)
    length_bytes = 1 if remaining < 128 else 2 if remaining < 16384 else 3
    return 1 + length_bytes + remaining


def test_the_deployed_config_sets_the_packet_limit_the_contract_fits_under() -> None:
    limit = int(deployed_setting("max_packet_size"))
    assert limit == LIMITS["broker_max_packet_size"] == 2_000_000
    largest_topic = "site-2/floor-3/" + "d" * 64 + "/snapshot"
    assert packet_size(largest_topic, b"\0" * LIMITS["snapshot_max_bytes"]) < limit
    assert packet_size(largest_topic, b"\0" * LIMITS["payload_max_bytes"]) < limit


def test_the_limits_are_the_components_limits() -> None:
    """Hub, addon and satellite enforce the numbers of the vector file."""
    from epaper_satellite.wire import MAX_PAYLOAD as SATELLITE_PAYLOAD
    from epaper_satellite.wire import MAX_SNAPSHOT as SATELLITE_SNAPSHOT

    from custom_components.odoo_epaper.display_status import MAX_SNAPSHOT_BYTES
    from custom_components.odoo_epaper.wire import MAX_PAYLOAD_BYTES

    load_plain_package("mqtt_bridge")
    addon_wire = importlib.import_module("mqtt_bridge.wire")
    assert MAX_SNAPSHOT_BYTES == SATELLITE_SNAPSHOT == LIMITS["snapshot_max_bytes"]
    assert LIMITS["snapshot_max_bytes"] == addon_wire.MAX_SNAPSHOT_BYTES
    assert MAX_PAYLOAD_BYTES == SATELLITE_PAYLOAD == addon_wire.MAX_PAYLOAD_BYTES
    assert LIMITS["payload_max_bytes"] == MAX_PAYLOAD_BYTES


def _publisher(broker: Broker) -> tuple[mqtt.Client, threading.Event]:
    """A paho client like a satellite's; the event is set when the broker drops it."""
    dropped = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="door-reception")
    client.on_disconnect = lambda *_args: dropped.set()
    connected = threading.Event()
    client.on_connect = lambda *_args: connected.set()
    client.connect(broker.host, broker.port, 30)
    client.loop_start()
    assert connected.wait(5)
    return client, dropped


def test_a_real_broker_with_the_deployed_limit_passes_the_largest_snapshot(
    broker_factory: Callable[..., Broker],
) -> None:
    """The largest snapshot the contract allows crosses the broker; a bigger packet than
    the broker's limit costs the sender its connection (what a 2.1 broker does by default)."""
    broker = broker_factory(settings=[f"max_packet_size {deployed_setting('max_packet_size')}"])
    version = subprocess.run(
        [mosquitto_binary(), "-h"], capture_output=True, text=True, check=False
    ).stdout.split("\n", 1)[0]
    watcher = MqttPeer(broker).start(TOPIC, qos=0)
    client, dropped = _publisher(broker)
    try:
        largest = b"\x89PNG" + b"\0" * (LIMITS["snapshot_max_bytes"] - 4)
        client.publish(TOPIC, largest, qos=0, retain=True)
        message = watcher.wait(TOPIC, timeout=10)
        assert len(message.payload) == LIMITS["snapshot_max_bytes"], version
        assert not dropped.is_set()
        client.publish(TOPIC, b"\0" * LIMITS["broker_max_packet_size"], qos=0)
        assert dropped.wait(10), f"{version} kept a client that sent an oversized packet"
    finally:
        client.loop_stop()
        client.disconnect()
        watcher.stop()

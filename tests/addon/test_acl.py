"""Odoo's session on a broker with users and a per-device ACL."""

from __future__ import annotations

from collections.abc import Callable

from mqtt_bridge import BridgeClient, Event, StatusEvent

from testbed.broker import Broker
from tests.addon.conftest import settings_for
from tests.addon.helpers import Peer, wait_for
from tests.conftest import BROKER_PASSWORD, BROKER_USER

Start = Callable[..., tuple[BridgeClient, list[Event]]]
PREFIX = "odoo_epaper/"


def test_hub_user_mirrors_statuses_under_acl(mosquitto_acl: Broker, start_client: Start) -> None:
    """With the hub's user Odoo reads every device's status and sends test messages."""
    settings = settings_for(mosquitto_acl, username=BROKER_USER, password=BROKER_PASSWORD)
    client, events = start_client(settings)
    assert client.wait_connected(5)
    device = Peer(mosquitto_acl, client_id="room-a", username="room-a", password="room-a-pw")
    device.publish(f"{PREFIX}room-a/status", "online", retain=True)
    assert wait_for(lambda: [e.device for e in events if isinstance(e, StatusEvent)] == ["room-a"])
    device.close()


def test_a_device_user_cannot_read_others(mosquitto_acl: Broker, start_client: Start) -> None:
    """Odoo configured with a device's account sees no status of another device."""
    settings = settings_for(mosquitto_acl, username="room-a", password="room-a-pw")
    client, events = start_client(settings)
    assert client.wait_connected(5)
    other = Peer(mosquitto_acl, client_id="room-b", username="room-b", password="room-b-pw")
    other.publish(f"{PREFIX}room-b/status", "online", retain=True)
    hub = Peer(mosquitto_acl, client_id="hub", username=BROKER_USER, password=BROKER_PASSWORD)
    hub.subscribe(f"{PREFIX}room-b/status")
    assert wait_for(lambda: hub.messages)  # the status is there, Odoo just may not read it
    assert not [e for e in events if isinstance(e, StatusEvent)]
    other.close()
    hub.close()

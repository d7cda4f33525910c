"""``{prefix}_odoo/changed`` leaves from a background thread, or is dropped with a log line."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from mqtt_bridge import BridgeClient, BrokerSettings, ChangeNotifier, MqttConnectionManager

from testbed.broker import Broker, free_port
from tests.addon.conftest import settings_for
from tests.addon.helpers import Peer, wait_for
from tests.addon.test_wire import check_changed

PREFIX = "odoo_epaper/"


@pytest.fixture
def notifier() -> Iterator[ChangeNotifier]:
    """A notifier whose sessions come from the process's manager."""
    manager = MqttConnectionManager()

    def client_for(key: str, settings: BrokerSettings) -> BridgeClient:
        return manager.register(key, settings)

    instance = ChangeNotifier(client_for, connect_wait=2.0)
    yield instance
    instance.stop()
    manager.shutdown()


def test_change_reaches_the_hub(mosquitto: Broker, notifier: ChangeNotifier) -> None:
    """One notice per call, valid per changed.json, with the sorted device names."""
    hub = Peer(mosquitto, client_id="hub")
    hub.subscribe(f"{PREFIX}_odoo/changed")
    assert notifier.notify("db", settings_for(mosquitto), {"reception", "boardroom"})
    assert wait_for(lambda: hub.messages)
    message = hub.messages[0]
    assert check_changed(message.payload) == ["boardroom", "reception"]
    assert not message.retain
    assert message.qos == 1
    assert notifier.flush(5)
    assert (notifier.sent, notifier.dropped) == (1, 0)
    hub.close()


def test_notify_returns_at_once_when_the_broker_is_down(
    notifier: ChangeNotifier, caplog: pytest.LogCaptureFixture
) -> None:
    """No broker: ``notify`` does not wait; the notice is dropped with a log line."""
    settings = BrokerSettings(host="127.0.0.1", port=free_port(), use_tls=False)
    started = time.monotonic()
    assert notifier.notify("db", settings, ["reception"])
    assert time.monotonic() - started < 0.1
    assert notifier.flush(10)
    assert notifier.dropped == 1
    assert "change notice for reception dropped: broker down" in caplog.text


def test_bad_names_are_refused(notifier: ChangeNotifier, mosquitto: Broker) -> None:
    """A name that breaks the contract is never queued."""
    assert not notifier.notify("db", settings_for(mosquitto), ["Reception Hall"])
    assert not notifier.notify("db", settings_for(mosquitto), [])


def test_a_full_queue_drops_instead_of_blocking(mosquitto: Broker) -> None:
    """When the queue is full, notify refuses immediately."""
    release = []

    def slow_client(_key: str, _settings: BrokerSettings) -> BridgeClient:
        wait_for(lambda: release, 5)
        raise RuntimeError("no client in this test")

    notifier = ChangeNotifier(slow_client, maxsize=1)
    settings = settings_for(mosquitto)
    results = [notifier.notify("db", settings, ["a"]) for _ in range(4)]
    assert results[0] and not all(results)
    release.append(True)
    assert notifier.flush(5)
    notifier.stop()
    assert notifier.dropped >= 2

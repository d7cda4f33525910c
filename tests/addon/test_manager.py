"""MqttConnectionManager: singleton, register / unregister / get_client / is_connected."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest
from mqtt_bridge import MqttConnectionManager

from testbed.broker import Broker
from tests.addon.conftest import settings_for


@pytest.fixture
def manager() -> Iterator[MqttConnectionManager]:
    """The process's manager, emptied after the test."""
    instance = MqttConnectionManager()
    yield instance
    instance.shutdown()


def test_singleton(manager: MqttConnectionManager) -> None:
    """Every construction returns the same manager."""
    assert MqttConnectionManager() is manager


def test_register_connect_unregister(manager: MqttConnectionManager, mosquitto: Broker) -> None:
    """Register starts a session; a second register returns it; unregister stops it."""
    settings = settings_for(mosquitto)
    client = manager.register("db1", settings)
    assert client.wait_connected(5)
    assert manager.is_connected("db1")
    assert manager.register("db1", settings) is client
    assert manager.get_client("db1") is client
    assert manager.registered_keys() == ["db1"]
    assert manager.unregister("db1")
    assert not client.running
    assert manager.get_client("db1") is None
    assert not manager.is_connected("db1")
    assert not manager.unregister("db1")


def test_changed_settings_replace_the_client(
    manager: MqttConnectionManager, mosquitto: Broker
) -> None:
    """New settings under the same key stop the old session and start a new one."""
    first = manager.register("db1", settings_for(mosquitto))
    assert first.wait_connected(5)
    second = manager.register("db1", settings_for(mosquitto, keepalive=20))
    assert second is not first
    assert not first.running
    assert second.wait_connected(5)


def test_unknown_key_is_not_connected(manager: MqttConnectionManager) -> None:
    """Asking about a key nobody registered is simply False / None."""
    assert not manager.is_connected("nothing")
    assert manager.get_client("nothing") is None


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_starts_empty(manager: MqttConnectionManager, mosquitto: Broker) -> None:
    """After fork (Odoo prefork workers) the child does not reuse the parent's sockets."""
    client = manager.register("db1", settings_for(mosquitto))
    assert client.wait_connected(5)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        signal.alarm(5)  # never hang the suite, whatever the child inherited
        os.close(read_end)
        os.write(write_end, b"1" if manager.get_client("db1") is None else b"0")
        os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 1)
    os.close(read_end)
    os.waitpid(pid, 0)
    assert answer == b"1"
    assert manager.get_client("db1") is client


def test_invalid_settings_raise_a_clear_error(manager: MqttConnectionManager) -> None:
    """Registering unusable settings fails at once with the reasons."""
    from mqtt_bridge import BrokerSettings

    with pytest.raises(ValueError, match="topic prefix"):
        manager.register("bad", BrokerSettings(host="127.0.0.1", topic_prefix="nope"))
    assert manager.get_client("bad") is None

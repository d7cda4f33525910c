"""``test_mqtt_connection``'s words: return codes 0-5, unreachable brokers and TLS."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from mqtt_bridge import (
    RC_MEANINGS,
    Backoff,
    BridgeClient,
    BrokerSettings,
    ConnectionEvent,
    Event,
    probe_connection,
)
from mqtt_bridge.return_codes import describe_return_code, return_code
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from testbed.broker import Broker, free_port, generate_tls
from tests.addon.conftest import settings_for
from tests.addon.helpers import wait_for
from tests.conftest import BROKER_PASSWORD, BROKER_USER

Start = Callable[..., tuple[BridgeClient, list[Event]]]


def test_seed_meanings() -> None:
    """The six meanings are the seed's words."""
    assert RC_MEANINGS[0] == "Connection successful"
    assert RC_MEANINGS[1] == "Connection refused - incorrect protocol version"
    assert RC_MEANINGS[2] == "Connection refused - invalid client identifier"
    assert RC_MEANINGS[3] == "Connection refused - server unavailable"
    assert RC_MEANINGS[4] == "Connection refused - bad username or password"
    assert RC_MEANINGS[5] == "Connection refused - not authorised"


@pytest.mark.parametrize(
    ("name", "rc"),
    [
        ("Success", 0),
        ("Unsupported protocol version", 1),
        ("Client identifier not valid", 2),
        ("Server unavailable", 3),
        ("Bad user name or password", 4),
        ("Not authorized", 5),
    ],
)
def test_paho_reason_codes_map_to_seed_codes(name: str, rc: int) -> None:
    """paho 2.x ReasonCode objects (MQTT 5 numbers) map back to 0-5."""
    reason = ReasonCode(PacketTypes.CONNACK, name)
    assert return_code(reason) == rc
    assert describe_return_code(reason) == RC_MEANINGS[rc]


def test_plain_integers_and_unknown_codes() -> None:
    """Plain 0-5 integers work; anything else keeps paho's own words."""
    assert describe_return_code(4) == RC_MEANINGS[4]
    assert return_code("x") is None
    assert describe_return_code(ReasonCode(PacketTypes.CONNACK, "Banned")).endswith("Banned")


def test_success(mosquitto_auth: Broker) -> None:
    """Right credentials: rc 0, "Connection successful"."""
    settings = settings_for(mosquitto_auth, username=BROKER_USER, password=BROKER_PASSWORD)
    result = probe_connection(settings)
    assert (result.ok, result.rc, result.message) == (True, 0, "Connection successful")


def test_bad_password(mosquitto_auth: Broker) -> None:
    """Mosquitto refuses a wrong password: the seed's words for what it answered."""
    settings = settings_for(mosquitto_auth, username=BROKER_USER, password="wrong")
    result = probe_connection(settings)
    assert not result.ok
    assert result.rc in (4, 5)
    assert result.message == RC_MEANINGS[result.rc]


def test_no_credentials_on_a_password_broker(mosquitto_auth: Broker) -> None:
    """No user name where one is needed: refused with a seed meaning, not an exception."""
    result = probe_connection(settings_for(mosquitto_auth))
    assert not result.ok
    assert result.rc in (4, 5)
    assert result.message.startswith("Connection refused - ")


def test_unreachable_broker() -> None:
    """Nothing listens: a clear "Broker unreachable" message, no exception."""
    port = free_port()
    result = probe_connection(settings_for_port(port), timeout=2)
    assert not result.ok
    assert result.rc is None
    assert result.message.startswith("Broker unreachable")
    assert f"127.0.0.1:{port}" in result.message


def test_unknown_host_name() -> None:
    """A host name that does not resolve says so."""
    settings = BrokerSettings(host="no-such-host.invalid", port=1883, use_tls=False)
    result = probe_connection(settings, timeout=2)
    assert not result.ok
    assert "not found" in result.message


def test_invalid_settings_are_explained() -> None:
    """Bad settings never reach the network."""
    settings = BrokerSettings(host="", port=0, topic_prefix="x", use_tls=False)
    result = probe_connection(settings)
    assert not result.ok
    assert "broker host" in result.message
    assert "topic prefix" in result.message


def settings_for_port(port: int) -> BrokerSettings:
    """Plain settings for a port on loopback."""
    return BrokerSettings(host="127.0.0.1", port=port, use_tls=False)


def test_tls_with_the_generated_ca(mosquitto_tls: Broker) -> None:
    """TLS with the test CA connects."""
    result = probe_connection(settings_for(mosquitto_tls))
    assert (result.ok, result.rc) == (True, 0)


def test_tls_with_the_wrong_ca(mosquitto_tls: Broker, tmp_path: Path) -> None:
    """Another CA: the certificate is not trusted, and the message says so."""
    other = generate_tls(tmp_path / "other", "Some other CA")
    result = probe_connection(settings_for(mosquitto_tls, ca_cert=other.ca_cert.read_text()))
    assert not result.ok
    assert "not trusted" in result.message


def test_tls_with_a_broken_ca_text(mosquitto_tls: Broker) -> None:
    """A CA field that is not PEM gives a clear error."""
    result = probe_connection(settings_for(mosquitto_tls, ca_cert="not a certificate"))
    assert not result.ok
    assert "CA certificate" in result.message


def test_plain_client_to_a_tls_port_fails_clearly(mosquitto_tls: Broker) -> None:
    """Forgetting TLS does not hang: no answer within the timeout, or closed."""
    result = probe_connection(settings_for(mosquitto_tls, use_tls=False), timeout=2)
    assert not result.ok
    assert result.rc is None


def test_session_over_tls_mirrors_status(mosquitto_tls: Broker, start_client: Start) -> None:
    """The long-lived client also works over TLS with the generated CA."""
    client, _events = start_client(settings_for(mosquitto_tls))
    assert client.wait_connected(5)
    assert client.last_message == "Connection successful"


def test_session_with_bad_password_reports_failure(
    mosquitto_auth: Broker, start_client: Start
) -> None:
    """The session reports the refusal once as a ``failed`` event with the seed's words."""
    settings = settings_for(mosquitto_auth, username=BROKER_USER, password="wrong")
    client, events = start_client(settings)
    failed = lambda: [e for e in events if isinstance(e, ConnectionEvent) and e.kind == "failed"]  # noqa: E731
    assert wait_for(failed)
    assert failed()[0].rc in (4, 5)
    assert failed()[0].message == RC_MEANINGS[failed()[0].rc]
    assert not client.is_connected()
    assert client.running


def test_session_to_nothing_keeps_trying(start_client: Start) -> None:
    """No broker: one ``failed`` event, the thread lives on and retries."""
    client, events = start_client(settings_for_port(free_port()))
    assert wait_for(lambda: events)
    assert isinstance(events[0], ConnectionEvent)
    assert events[0].message.startswith("Broker unreachable")
    assert client.running


def test_backoff_grows_to_its_cap_and_resets() -> None:
    """Reconnect delays double up to the maximum (with at most 20 % jitter), then reset."""
    backoff = Backoff(first=1.0, maximum=8.0)
    delays = [backoff.next_delay() for _ in range(6)]
    for delay, nominal in zip(delays, [1, 2, 4, 8, 8, 8], strict=True):
        assert 0.8 * nominal <= delay <= nominal
    backoff.reset()
    assert backoff.next_delay() <= 1.0

"""The addon's MQTT password never shows in its logs, events, probe results or reprs."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from mqtt_bridge import BridgeClient, ConnectionEvent, Event, probe_connection

from testbed.broker import Broker
from tests.addon.conftest import settings_for
from tests.satellite.conftest import wait_until

Start = Callable[..., tuple[BridgeClient, list[Event]]]
SECRET = "Odoo-mqtt-pw-4471"
WRONG = "Wrong-odoo-pw-8812"


def test_password_absent_from_logs_events_and_probe(
    broker_factory: Callable[..., Broker], start_client: Start, caplog: pytest.LogCaptureFixture
) -> None:
    """A good session, a refused one and probes, all at debug level: never the password."""
    broker = broker_factory(users={"odoo": SECRET})
    with caplog.at_level(logging.DEBUG):
        good, good_events = start_client(settings_for(broker, username="odoo", password=SECRET))
        assert good.wait_connected(5)
        bad, bad_events = start_client(settings_for(broker, username="odoo", password=WRONG))
        wait_until(lambda: bad.last_message != "not started", 5, "the refusal")
        probes = [
            probe_connection(settings_for(broker, username="odoo", password=password))
            for password in (SECRET, WRONG)
        ]
        good.stop()
        bad.stop()
    assert probes[0].ok and not probes[1].ok
    assert any(isinstance(e, ConnectionEvent) and e.kind == "failed" for e in bad_events)
    texts = [
        caplog.text,
        repr(good.settings),
        repr(bad.settings),
        good.settings.connection_key(),
        bad.last_message,
        *(repr(event) for event in good_events + bad_events),
        *(repr(probe) for probe in probes),
    ]
    for secret in (SECRET, WRONG):
        assert all(secret not in text for text in texts), secret

"""Make the addon's plain-Python package ``mqtt_bridge`` importable without Odoo."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ADDON = Path(__file__).resolve().parents[2] / "odoo_addon" / "connection_conf"
if str(ADDON) not in sys.path:
    sys.path.insert(0, str(ADDON))

from mqtt_bridge import BridgeClient, BrokerSettings, Event  # noqa: E402

from tests.fixtures.broker import Broker  # noqa: E402


def settings_for(broker: Broker, **overrides: object) -> BrokerSettings:
    """Return plain (or TLS, when the broker has it) settings for a test broker."""
    values: dict[str, object] = {
        "host": broker.host,
        "port": broker.port,
        "use_tls": broker.tls,
        "ca_cert": broker.tls_files.ca_cert.read_text() if broker.tls_files else None,
        "keepalive": 10,
    }
    values.update(overrides)
    return BrokerSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def start_client() -> Iterator[Callable[..., tuple[BridgeClient, list[Event]]]]:
    """Start BridgeClients that record their events; all are stopped after the test."""
    clients: list[BridgeClient] = []

    def start(settings: BrokerSettings, **kwargs: object) -> tuple[BridgeClient, list[Event]]:
        events: list[Event] = []
        client = BridgeClient(settings, events.append, **kwargs)  # type: ignore[arg-type]
        clients.append(client)
        client.start()
        return client, events

    yield start
    for client in clients:
        client.stop()

"""Make the addon's plain-Python package ``mqtt_bridge`` importable without Odoo."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

BRIDGE = Path(__file__).resolve().parents[2] / "odoo_addon" / "connection_conf" / "mqtt_bridge"


def _load_bridge() -> None:
    """Import ``mqtt_bridge`` from its folder as a top-level package.

    Not by putting ``connection_conf`` on sys.path: its Odoo ``tests`` package (a regular
    package) would then shadow this repository's ``tests`` (a namespace package).
    """
    if "mqtt_bridge" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        "mqtt_bridge", BRIDGE / "__init__.py", submodule_search_locations=[str(BRIDGE)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mqtt_bridge"] = module
    spec.loader.exec_module(module)


_load_bridge()

from mqtt_bridge import BridgeClient, BrokerSettings, Event  # noqa: E402

from testbed.broker import Broker  # noqa: E402


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

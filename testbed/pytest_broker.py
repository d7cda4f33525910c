"""pytest fixtures of real Mosquitto brokers, for the tests and the benchmarks.

A plugin module: ``tests/conftest.py`` takes the fixtures in by importing them, the
benchmarks (``bench/``) with ``pytest_plugins``; no test module is imported by either.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from testbed.broker import Broker


def _allow_sockets(request: pytest.FixtureRequest) -> None:
    """Enable sockets where pytest-socket (Home Assistant's plugin) blocks them."""
    with contextlib.suppress(pytest.FixtureLookupError):
        request.getfixturevalue("socket_enabled")


@pytest.fixture
def broker_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Broker]]:
    """Start brokers with any configuration; all are stopped after the test.

    A failed test gets each broker's log attached to its report.
    """
    _allow_sockets(request)
    brokers: list[Broker] = []

    def start(**kwargs: Any) -> Broker:
        broker = Broker(directory=tmp_path_factory.mktemp("mosquitto"), **kwargs)
        brokers.append(broker)
        return broker.start()

    yield start
    for broker in brokers:
        broker.stop()
    failed = any(
        getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed:
        for index, broker in enumerate(brokers):
            request.node.add_report_section(
                "teardown", f"mosquitto {index} log (port {broker.port})", broker.log()
            )


@pytest.fixture
def mosquitto(broker_factory: Callable[..., Broker]) -> Broker:
    """A plain broker: anonymous, no TLS."""
    return broker_factory()

"""Fixtures shared by every test run: real Mosquitto brokers and the vectors."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from testbed.broker import Broker, mosquitto_users_script

BROKER_USER = "hub"
BROKER_PASSWORD = "hub-secret-9f2"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the item so fixtures can see a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_configure(config: pytest.Config) -> None:
    """Keep syrupy snapshots in ``snapshots/`` next to the tests, whatever syrupy's version.

    Home Assistant's test plugin moves them there through its snapshot extension; syrupy 6
    (plugin 0.13.37x) takes the folder from its ``--snapshot-dirname`` option instead, which
    syrupy 5 (the floor's plugin) does not have.
    """
    if getattr(config.option, "snapshot_dirname", None) == "__snapshots__":
        config.option.snapshot_dirname = "snapshots"


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


@pytest.fixture
def mosquitto_auth(broker_factory: Callable[..., Broker]) -> Broker:
    """A broker that wants a user name and password (``hub`` / BROKER_PASSWORD)."""
    return broker_factory(users={BROKER_USER: BROKER_PASSWORD})


@pytest.fixture
def mosquitto_tls(broker_factory: Callable[..., Broker]) -> Broker:
    """A TLS broker with a CA the fixture generates (``broker.tls_files``)."""
    return broker_factory(tls=True)


@pytest.fixture
def mosquitto_acl(broker_factory: Callable[..., Broker]) -> Broker:
    """A broker with the ACL that ``deploy/mosquitto/epaper-mosquitto-users`` writes.

    Users: ``hub`` (BROKER_PASSWORD), ``odoo`` and the displays ``room-a`` and
    ``room-b`` (passwords in ``broker.users``), prefix ``odoo_epaper/``.
    """
    devices = ["room-a", "room-b"]
    acl = mosquitto_users_script().build_acl("odoo_epaper/", BROKER_USER, "odoo")
    users = {BROKER_USER: BROKER_PASSWORD, "odoo": "odoo-pw-51"}
    users |= {device: f"{device}-pw" for device in devices}
    return broker_factory(users=users, acl=acl)

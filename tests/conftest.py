"""Fixtures shared by every test run: real Mosquitto brokers and the vectors."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from testbed.broker import Broker, mosquitto_users_script
from testbed.pytest_broker import broker_factory, mosquitto  # noqa: F401  (fixtures)

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

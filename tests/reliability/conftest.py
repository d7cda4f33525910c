"""Fixtures of the reliability tests (brokers come from tests/conftest.py)."""

from __future__ import annotations

from tests.addon.conftest import start_client
from tests.satellite.conftest import satellite_process

__all__ = ["satellite_process", "start_client"]

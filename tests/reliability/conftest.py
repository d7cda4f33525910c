"""Fixtures of the reliability tests (brokers come from tests/conftest.py)."""

from __future__ import annotations

from tests.satellite.conftest import satellite_process

__all__ = ["satellite_process"]

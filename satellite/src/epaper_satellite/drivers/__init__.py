"""Panel drivers behind one small interface; ``create_driver`` builds the one the config
names, from the registry (:mod:`.registry`)."""

from __future__ import annotations

import time
from collections.abc import Callable

from ..config import Config
from .base import DrawResult, Driver, DriverError
from .png import PngDriver
from .registry import driver_class
from .waveshare import WaveshareDriver

__all__ = ["DrawResult", "Driver", "DriverError", "PngDriver", "WaveshareDriver", "create_driver"]


def create_driver(config: Config, monotonic: Callable[[], float] = time.monotonic) -> Driver:
    """Return the driver the configuration names (not set up yet)."""
    return driver_class(config.display.driver)(config.display, config.refresh, monotonic)

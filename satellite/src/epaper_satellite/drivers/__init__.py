"""Panel drivers behind one small interface; ``create_driver`` builds the one the config
names, from the registry (:mod:`.registry`)."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable

from ..config import Config
from .base import DrawResult, Driver, DriverError
from .png import PngDriver
from .registry import DRIVERS
from .waveshare import WaveshareDriver

__all__ = [
    "DrawResult",
    "Driver",
    "DriverError",
    "PngDriver",
    "WaveshareDriver",
    "create_driver",
    "driver_class",
]


def driver_class(driver: str) -> type[Driver]:
    """Import and return the class of ``driver`` (a name of the registry's DRIVERS)."""
    module, _, name = DRIVERS[driver].target.partition(":")
    cls: type[Driver] = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    return cls


def create_driver(config: Config, monotonic: Callable[[], float] = time.monotonic) -> Driver:
    """Return the driver the configuration names (not set up yet)."""
    return driver_class(config.display.driver)(config.display, config.refresh, monotonic)

"""Panel drivers behind one small interface; ``create_driver`` picks one from the config."""

from __future__ import annotations

import time
from collections.abc import Callable

from ..config import Config
from .base import DrawResult, Driver, DriverError
from .png import PngDriver
from .waveshare import WaveshareDriver

__all__ = ["DrawResult", "Driver", "DriverError", "PngDriver", "WaveshareDriver", "create_driver"]


def create_driver(config: Config, monotonic: Callable[[], float] = time.monotonic) -> Driver:
    """Return the driver the configuration names (not set up yet)."""
    if config.display.driver == "waveshare":
        return WaveshareDriver(config.display, config.refresh, monotonic)
    return PngDriver(config.display, config.refresh, monotonic)

"""A stand-in for the ``waveshare-epaper`` package's ``epaper`` module, recording calls.

Same interface as the real one: ``epaper.epaper(model)`` returns a module with
``EPD_WIDTH``, ``EPD_HEIGHT`` and ``EPD()``; the EPD has init, init_fast,
init_part, getbuffer, display, display_Partial, Clear and sleep. Models:
``epd7in5_V2`` (800x480, partial refresh), ``epd7in5b_V2`` (800x480,
black/white/red, no partial), ``epd2in13_V4`` (122x250, ``displayPartial``).

A BUSY line that sticks: like the vendor's ``ReadBusy``, every call that waits for
the panel (init, display, partial display, Clear) loops while BUSY is high, with no
timeout. ``STICK_AT[call] = n`` (or ``EPAPER_STANDIN_STICK=call:n`` in the
environment, for a satellite process) makes BUSY stick at the n-th such call and
stay stuck for every later one; ``RELEASE.set()`` lets the stuck threads go.
"""

from __future__ import annotations

import os
import threading
import types
from collections import Counter
from typing import Any

from PIL import Image

CALLS: list[tuple[Any, ...]] = []
FAIL_ON: set[str] = set()
STICK_AT: dict[str, int] = {}
STUCK = threading.Event()
RELEASE = threading.Event()
_WAITS: Counter[str] = Counter()


def _stick_from_environment() -> None:
    call, _, count = os.environ.get("EPAPER_STANDIN_STICK", "").partition(":")
    if call and count.isdigit():
        STICK_AT[call] = int(count)


def reset() -> None:
    """Forget calls, failures and stuck lines (for the next test)."""
    CALLS.clear()
    FAIL_ON.clear()
    STICK_AT.clear()
    _WAITS.clear()
    RELEASE.set()
    STUCK.clear()
    RELEASE.clear()


def _read_busy(name: str) -> None:
    """Wait while BUSY is high, like the vendor's ReadBusy: no timeout."""
    _WAITS[name] += 1
    if STICK_AT.get(name) == _WAITS[name]:
        STUCK.set()
    if STUCK.is_set():
        CALLS.append(("busy", name))
        RELEASE.wait()


def _record(name: str, *args: Any) -> None:
    if name in FAIL_ON:
        raise OSError(f"{name}: SPI write failed")
    CALLS.append((name, *args))


class _Base:
    width = 0
    height = 0

    def __init__(self) -> None:
        self.asleep = True

    def init(self) -> int:
        _record("init")
        _read_busy("init")
        self.asleep = False
        return 0

    def getbuffer(self, image: Image.Image) -> bytes:
        """Like the real one: accept the native or the turned size, return packed bits."""
        if image.size not in ((self.width, self.height), (self.height, self.width)):
            raise ValueError(f"wrong image size {image.size}")
        _record("getbuffer", image.size, image.mode)
        return image.convert("1").tobytes()

    def Clear(self) -> None:
        self._awake("Clear")
        _record("Clear")
        _read_busy("Clear")

    def sleep(self) -> None:
        _record("sleep")
        self.asleep = True

    def _awake(self, name: str) -> None:
        if self.asleep:
            raise RuntimeError(f"{name} while the panel sleeps")


class EPD7in5V2(_Base):
    width, height = 800, 480

    def init_fast(self) -> int:
        _record("init_fast")
        self.asleep = False
        return 0

    def init_part(self) -> int:
        _record("init_part")
        _read_busy("init_part")
        self.asleep = False
        return 0

    def display(self, buffer: bytes) -> None:
        self._awake("display")
        _record("display", len(buffer))
        _read_busy("display")

    def display_Partial(self, buffer: bytes, x0: int, y0: int, x1: int, y1: int) -> None:
        self._awake("display_Partial")
        _record("display_Partial", len(buffer), (x0, y0, x1, y1))
        _read_busy("display_Partial")


class EPD7in5bV2(_Base):
    width, height = 800, 480

    def display(self, black: bytes, red: bytes) -> None:
        self._awake("display")
        _record("display", len(black), len(red), black, red)
        _read_busy("display")


class EPD2in13V4(_Base):
    width, height = 122, 250

    def init_part(self) -> int:
        _record("init_part")
        _read_busy("init_part")
        self.asleep = False
        return 0

    def display(self, buffer: bytes) -> None:
        self._awake("display")
        _record("display", len(buffer))
        _read_busy("display")

    def displayPartial(self, buffer: bytes) -> None:
        self._awake("displayPartial")
        _record("displayPartial", len(buffer))
        _read_busy("displayPartial")


_MODELS = {"epd7in5_V2": EPD7in5V2, "epd7in5b_V2": EPD7in5bV2, "epd2in13_V4": EPD2in13V4}


def modules() -> list[str]:
    """List the models, like the real package."""
    return sorted(_MODELS)


def epaper(model: str) -> types.ModuleType:
    """Return the model's module, like the real package."""
    if model not in _MODELS:
        raise ModuleNotFoundError(f"No module named {model!r}")
    cls = _MODELS[model]
    module = types.ModuleType(model)
    module.EPD_WIDTH = cls.width  # type: ignore[attr-defined]
    module.EPD_HEIGHT = cls.height  # type: ignore[attr-defined]
    module.EPD = cls  # type: ignore[attr-defined]
    return module


_stick_from_environment()

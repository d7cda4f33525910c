"""A stand-in for the ``waveshare-epaper`` package's ``epaper`` module, recording calls.

Same interface as the real one: ``epaper.epaper(model)`` returns a module with
``EPD_WIDTH``, ``EPD_HEIGHT`` and ``EPD()``; the EPD has init, init_fast,
init_part, getbuffer, display, display_Partial, Clear and sleep. Models:
``epd7in5_V2`` (800x480, partial refresh), ``epd7in5b_V2`` (800x480,
black/white/red, no partial), ``epd2in13_V4`` (122x250, ``displayPartial``).
"""

from __future__ import annotations

import types
from typing import Any

from PIL import Image

CALLS: list[tuple[Any, ...]] = []
FAIL_ON: set[str] = set()


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
        self.asleep = False
        return 0

    def display(self, buffer: bytes) -> None:
        self._awake("display")
        _record("display", len(buffer))

    def display_Partial(self, buffer: bytes, x0: int, y0: int, x1: int, y1: int) -> None:
        self._awake("display_Partial")
        _record("display_Partial", len(buffer), (x0, y0, x1, y1))


class EPD7in5bV2(_Base):
    width, height = 800, 480

    def display(self, black: bytes, red: bytes) -> None:
        self._awake("display")
        _record("display", len(black), len(red), black, red)


class EPD2in13V4(_Base):
    width, height = 122, 250

    def init_part(self) -> int:
        _record("init_part")
        self.asleep = False
        return 0

    def display(self, buffer: bytes) -> None:
        self._awake("display")
        _record("display", len(buffer))

    def displayPartial(self, buffer: bytes) -> None:
        self._awake("displayPartial")
        _record("displayPartial", len(buffer))


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

"""The waveshare driver: Waveshare e-paper panels through the ``waveshare-epaper`` package."""

from __future__ import annotations

import importlib
import inspect
import logging
from typing import Any

from PIL import Image

from .base import Driver, DriverError

_LOGGER = logging.getLogger(__name__)
_BLACK_INDEX, _ACCENT_INDEX = 1, 2


def _plane(image: Image.Image, index: int) -> Image.Image:
    """Return a 1-bit image that is black where ``image`` uses palette ``index``."""
    table = bytes(0 if value == index else 255 for value in range(256))
    data = image.tobytes().translate(table)
    return Image.frombytes("L", image.size, data).convert("1")


class WaveshareDriver(Driver):
    """Drives a panel with ``epaper.epaper(model).EPD()``: partial where possible, sleep between."""

    name = "waveshare"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.epd: Any = None
        self._partial_method: str | None = None

    @property
    def model(self) -> str:
        """The Waveshare model name, e.g. ``epd7in5_V2``."""
        return self.display.model

    @property
    def supports_partial(self) -> bool:
        """Black/white panels whose driver has init_part and a partial display call."""
        return self._partial_method is not None and self.colors == "bw"

    def _open(self) -> None:
        try:
            epaper = importlib.import_module("epaper")
        except ImportError as err:
            raise DriverError(
                "the waveshare driver needs the 'waveshare-epaper' package: "
                "pip install 'epaper-satellite[waveshare]'"
            ) from err
        try:
            module = epaper.epaper(self.display.model)
            self.epd = self._panel_call("EPD", module.EPD)
        except Exception as err:
            raise DriverError(f"cannot open panel {self.display.model!r}: {err}") from err
        width = getattr(module, "EPD_WIDTH", None) or getattr(self.epd, "width", None)
        height = getattr(module, "EPD_HEIGHT", None) or getattr(self.epd, "height", None)
        if not isinstance(width, int) or not isinstance(height, int):
            raise DriverError(f"panel {self.display.model!r} does not say its size")
        self.native_size = (width, height)
        if hasattr(self.epd, "init_part"):
            for method in ("display_Partial", "displayPartial"):
                if hasattr(self.epd, method):
                    self._partial_method = method
                    break
        _LOGGER.info(
            "Waveshare %s: %dx%d, %s, partial refresh %s",
            self.display.model,
            width,
            height,
            self.colors,
            "yes" if self.supports_partial else "no",
        )

    def _buffers(self, image: Image.Image) -> list[Any]:
        if self.colors == "bw":
            return [self.epd.getbuffer(image.convert("1"))]
        return [
            self.epd.getbuffer(_plane(image, _BLACK_INDEX)),
            self.epd.getbuffer(_plane(image, _ACCENT_INDEX)),
        ]

    def _display(self, image: Image.Image, *, full: bool) -> None:
        epd, call = self.epd, self._panel_call
        try:
            if full or self._partial_method is None:
                call("init", epd.init)
                call("display", epd.display, *self._buffers(image))
            else:
                call("init_part", epd.init_part)
                method = getattr(epd, self._partial_method)
                buffer = self._buffers(image)[0]
                if len(inspect.signature(method).parameters) >= 5:
                    call(self._partial_method, method, buffer, 0, 0, *self.native_size)
                else:
                    call(self._partial_method, method, buffer)
            call("sleep", epd.sleep)
        except Exception as err:
            raise DriverError(f"panel {self.display.model!r} refresh failed: {err}") from err

    def _clear(self) -> None:
        call = self._panel_call
        try:
            call("init", self.epd.init)
            call("Clear", self.epd.Clear)
            call("sleep", self.epd.sleep)
        except Exception as err:
            raise DriverError(f"panel {self.display.model!r} clear failed: {err}") from err

    def _close(self) -> None:
        if self.epd is None:
            return
        try:
            self._panel_call("sleep", self.epd.sleep)
        except Exception as err:  # closing must not fail the shutdown
            _LOGGER.warning("Panel %s did not go to sleep: %s", self.display.model, err)

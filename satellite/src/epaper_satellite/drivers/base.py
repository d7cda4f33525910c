"""The shared draw path: rotate, compare with the panel, pace refreshes, pick full or partial."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from PIL import Image

from ..canvas import WHITE, to_panel_image
from ..config import DisplayConfig, RefreshConfig

_LOGGER = logging.getLogger(__name__)
_TRANSPOSE = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


class DriverError(Exception):
    """The panel could not be set up or drawn."""


@dataclass(frozen=True)
class DrawResult:
    """What a draw request did: ``drawn``, ``unchanged`` or ``deferred`` (until ``retry_at``)."""

    outcome: Literal["drawn", "unchanged", "deferred"]
    refresh: Literal["full", "partial", None] = None
    retry_at: float | None = None


class Driver(ABC):
    """A panel. Subclasses implement only the panel calls (``_open``, ``_display``, ...)."""

    name = "panel"

    def __init__(
        self,
        display: DisplayConfig,
        refresh: RefreshConfig,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.display = display
        self.refresh = refresh
        self.monotonic = monotonic
        self.native_size = (display.width, display.height)
        self.colors = display.colors
        self.shown: Image.Image | None = None
        self.last_refresh: float | None = None
        self.last_full: float | None = None
        self.partials_since_full = 0
        self.activity: str | None = None  # the vendor call in progress, for fault reports

    @property
    def size(self) -> tuple[int, int]:
        """The logical (as seen by people) size to render at, after rotation."""
        width, height = self.native_size
        return (height, width) if self.display.rotate in (90, 270) else (width, height)

    @property
    def model(self) -> str:
        """The panel model reported in the status."""
        return self.name

    @property
    def supports_partial(self) -> bool:
        """Whether this panel can refresh without a full flash."""
        return False

    def setup(self) -> None:
        """Open the panel (hardware libraries are imported here, never at module load)."""
        self._open()

    def reinit(self) -> None:
        """Set the panel up again after a fault; the next draw is a full refresh."""
        self.shown = None
        self.last_full = None
        self.activity = None
        self._open()

    def to_native(self, image: Image.Image) -> Image.Image:
        """Turn a logical image into the panel's own orientation."""
        transpose = _TRANSPOSE.get(self.display.rotate)
        return image.transpose(transpose) if transpose is not None else image

    def next_allowed(self) -> float:
        """Return the monotonic time from which a refresh is allowed."""
        if self.last_refresh is None:
            return float("-inf")
        return self.last_refresh + self.refresh.min_interval

    def full_due_at(self) -> float | None:
        """Return when the periodic full refresh is due (None before the first draw)."""
        return None if self.last_full is None else self.last_full + self.refresh.full_max_age

    def show(self, image: Image.Image, *, force: bool = False, full: bool = False) -> DrawResult:
        """Draw ``image`` (logical orientation, panel inks) unless the panel shows it already."""
        if image.size != self.size:
            raise DriverError(f"image is {image.size}, panel wants {self.size}")
        same = self.shown is not None and _same(self.shown, image)
        if same and not force and not full:
            return DrawResult("unchanged")
        now = self.monotonic()
        if not force and now < self.next_allowed():
            return DrawResult("deferred", retry_at=self.next_allowed())
        due = self.full_due_at()
        use_full = (
            full
            or not self.supports_partial
            or self.last_full is None
            or self.partials_since_full >= self.refresh.full_every
            or (due is not None and now >= due)
        )
        kind: Literal["full", "partial"] = "full" if use_full else "partial"
        _LOGGER.debug("%s refresh on %s", kind, self.name)
        self._display(self.to_native(image), full=use_full)
        self.shown = image.copy()
        self.last_refresh = now
        if use_full:
            self.last_full = now
            self.partials_since_full = 0
        else:
            self.partials_since_full += 1
        return DrawResult("drawn", refresh=kind)

    def clear(self) -> None:
        """Blank the panel (a full refresh)."""
        self._clear()
        now = self.monotonic()
        self.shown = to_panel_image(Image.new("RGB", self.size, WHITE), self.colors)
        self.last_refresh = self.last_full = now
        self.partials_since_full = 0

    def close(self) -> None:
        """Put the panel to rest before the process ends."""
        self._close()

    @abstractmethod
    def _open(self) -> None:
        """Open the panel."""

    @abstractmethod
    def _display(self, image: Image.Image, *, full: bool) -> None:
        """Send ``image`` (native orientation, panel inks) to the panel."""

    def _clear(self) -> None:
        """Blank the panel; by default draw a white image."""
        blank = to_panel_image(Image.new("RGB", self.size, WHITE), self.colors)
        self._display(self.to_native(blank), full=True)

    def _close(self) -> None:
        """Release the panel; by default there is nothing to release."""
        return

    def _panel_call(self, name: str, function: Callable[..., object], *args: object) -> object:
        """Call the vendor's ``function`` with ``args``, noting ``name`` as the activity.

        The name stays set when the call never returns, so a guard can say which call hung.
        """
        self.activity = name
        result = function(*args)
        self.activity = None
        return result


def _same(first: Image.Image, second: Image.Image) -> bool:
    return (
        first.size == second.size
        and first.mode == second.mode
        and first.tobytes() == second.tobytes()
    )

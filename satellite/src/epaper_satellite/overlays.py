"""Service screens over the room: a text, a /test message, identify; until a deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .canvas import Rendered
from .screens import draw_notice, identify_notice, notice_for_test, text_notice

if TYPE_CHECKING:
    from .config import Config
    from .i18n import SignLocale


@dataclass(frozen=True)
class Overlay:
    """A service screen shown until ``until``. ``kind``: "text" (``title`` and ``text`` as
    given), "test" (a /test message's ``text``, None for the fixed sentence) or
    "identify"; the last two take their words from the sign's catalog."""

    kind: str
    title: str
    text: str | None
    until: dt.datetime


class OverlayMixin:
    """The overlay part of :class:`~epaper_satellite.sign.Sign` (which provides the
    attributes and methods declared here): show, time and end service screens."""

    overlay: Overlay | None
    config: Config
    device: str
    clock: Callable[[], dt.datetime]

    def refresh(self, *, force: bool = False, full: bool = False) -> bool:
        raise NotImplementedError

    def timezone(self) -> dt.tzinfo:
        raise NotImplementedError

    def locale(self) -> SignLocale:
        raise NotImplementedError

    def _render_overlay(
        self, overlay: Overlay, now: dt.datetime, width: int, height: int, colors: str
    ) -> Rendered:
        """Draw ``overlay`` at ``now`` in the sign's language and zone."""
        tz, locale = self.timezone(), self.locale()
        if overlay.kind == "identify":
            notice = identify_notice(locale, self.device, now, tz)
        elif overlay.kind == "test":
            notice = notice_for_test(locale, self.device, overlay.text, now, tz)
        else:
            notice = text_notice(overlay.title, overlay.text or "", self.device, now, tz, locale)
        return draw_notice(notice, width=width, height=height, colors=colors)

    def show_overlay(self, title: str, text: str, seconds: float | None = None) -> None:
        """Show a service screen with ``title`` and ``text`` as given, for ``seconds``
        (default: the configured test_seconds), then the room again."""
        self._overlay(Overlay(kind="text", title=title, text=text, until=self._until(seconds)))

    def show_test(self, text: str | None) -> None:
        """Show a ``/test`` message (None or blank: a fixed sentence in the sign's language)."""
        self._overlay(Overlay(kind="test", title="", text=text, until=self._until(None)))

    def _until(self, seconds: float | None) -> dt.datetime:
        shown = self.config.display.test_seconds if seconds is None else seconds
        return self.clock() + dt.timedelta(seconds=shown)

    def _overlay(self, overlay: Overlay) -> None:
        self.overlay = overlay
        self.refresh(force=True)

    def clear_overlay(self) -> None:
        """End the service screen now and show the room (nothing when none is shown)."""
        if self.overlay is not None:
            self.overlay = None
            self.refresh(force=True)

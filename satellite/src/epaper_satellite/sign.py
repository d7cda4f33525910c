"""Sign: what the panel shows (room, waiting screen, overlays, blank) and when it redraws."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable
from typing import Any

from .clock_trust import clock_lag, clock_problem
from .config import Config
from .drivers import DrawResult, Driver, DriverError
from .drivers.guard import PanelFault
from .fonts import default_fonts
from .i18n import SignLocale, resolve_locale, zone_name
from .overlays import Overlay, OverlayMixin
from .panel import GuardedPanel, PanelEvent
from .render import Rendered, render_room, room_view
from .room_intake import RoomIntakeMixin
from .schedule import next_boundary, system_zone, zone
from .screens import render_blank
from .setup_screen import panel_text, render_setup_screen
from .shaping import shaping_problem
from .store import PayloadStore
from .wire import PayloadError, RoomData, parse_data

_LOGGER = logging.getLogger(__name__)
PANEL_RETRY = 60.0
CLOCK_STEP_BACK = dt.timedelta(seconds=60)
# While the clock is behind the hub's, the room is drawn again this often (only drawn on
# the panel when it changed), so a clock set by NTP shows Free or Busy within a minute.
CLOCK_RECHECK = dt.timedelta(seconds=60)


def iso_utc(moment: dt.datetime) -> str:
    """Format an instant as ISO 8601 UTC with a Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Sign(RoomIntakeMixin, OverlayMixin):
    """The sign's state: the room data it shows, overlays, the blank screen, redraw timers.

    ``clock`` gives aware UTC datetimes, ``monotonic`` seconds; ``offline_since`` gives
    the monotonic second the broker was lost (None while connected); ``link`` the broker
    link in a word (session.MQTTSession.link), shown by the setup screen. ``on_status`` runs
    when the status changed (error, new content); ``on_drawn`` gets each new PNG drawn.
    """

    def __init__(
        self,
        config: Config,
        driver: Driver,
        *,
        clock: Callable[[], dt.datetime],
        monotonic: Callable[[], float],
        offline_since: Callable[[], float | None],
        on_status: Callable[[], None],
        on_drawn: Callable[[bytes], None],
        link: Callable[[], str],
    ) -> None:
        """Keep the collaborators; nothing is drawn yet."""
        self.config = config
        self.device = config.device.name
        self.driver = driver
        self.clock = clock
        self.monotonic = monotonic
        self.store = PayloadStore(config.device.state_dir)
        self.data: RoomData | None = None
        self.received_at: dt.datetime | None = None
        self.error: str | None = None
        self.drawing_problem: str | None = None  # a part of the room left out (the QR code)
        self.hub_time: tuple[dt.datetime, float] | None = None  # generated_at, arrival
        self.content_hash: str | None = None
        self.last_render: dt.datetime | None = None
        self.snapshot: bytes | None = None
        self.overlay: Overlay | None = None
        self.cleared = False
        self.redraw_at: dt.datetime | None = None
        self.last_tick: dt.datetime | None = None
        self.retry_at: float | None = None
        self.offline_shown = False
        self.panel = GuardedPanel(driver, config.display, monotonic)
        self._drawing: tuple[Rendered, dt.datetime] | None = None  # a draw in the worker
        self._wanted: tuple[bool, bool] | None = None  # (force, full) asked for while busy
        self._offline_since = offline_since
        self._link = link
        self.link_shown: str | None = None  # the broker link the setup screen shows
        self._on_status = on_status
        self._on_drawn = on_drawn
        self.shaping_problem = shaping_problem(default_fonts().layout)
        self._locale_note: str | None = None

    def setup(self) -> None:
        """Open the panel and draw the last good payload (or a waiting screen).

        A panel that hangs while being set up is a fault (in the status), not an exception.
        """
        try:
            self.panel.setup()
        except PanelFault as fault:
            self._panel_failed(fault)
        width, height = self.driver.size
        _LOGGER.info(
            "Panel %s %dx%d (%s) ready", self.driver.model, width, height, self.driver.colors
        )
        _LOGGER.info("Fonts: %s", default_fonts().describe())
        if self.shaping_problem:
            _LOGGER.warning("Right-to-left text: %s", self.shaping_problem)
        stored = self.store.load()
        if stored is not None:
            try:
                self.data = parse_data(stored, self.device)
                self.received_at = self.clock()
                self._take_hub_time(self.data)
                _LOGGER.info("Drawing the stored payload of %s", self.store.path)
            except PayloadError as err:
                _LOGGER.warning("Ignoring the stored payload %s: %s", self.store.path, err.detail)
                self.store.ignore(err.detail)
        try:
            self.refresh()
        except Exception:
            if self.data is None:
                raise
            _LOGGER.exception(
                "Cannot draw the stored payload %s; showing the waiting screen", self.store.path
            )
            self.data = self.received_at = self.hub_time = None
            self.refresh()

    @property
    def problem(self) -> str | None:
        """The sign's part of the status ``error``: a rejected payload or a panel fault
        first, then the stored payload (unreadable, or the disk refused it), then a
        clock behind the hub's, then a part of the room it could not draw; None when
        all is well."""
        lag = self.clock_lag()
        clock = clock_problem(lag, self.hub_time[0]) if lag and self.hub_time else None
        return self.error or self.store.problem or clock or self.drawing_problem

    def clock_lag(self) -> dt.timedelta | None:
        """How far the clock is behind the hub's, judged by the shown payload's
        ``generated_at`` (clock_trust.clock_lag); None when it is not, or cannot be told."""
        if self.hub_time is None:
            return None
        generated_at, arrived = self.hub_time
        return clock_lag(self.clock(), generated_at, self.monotonic() - arrived)

    def _take_hub_time(self, data: RoomData | None) -> None:
        generated_at = data.generated_at if data else None
        self.hub_time = (generated_at, self.monotonic()) if generated_at else None

    def timezone(self) -> dt.tzinfo:
        """The zone of the room: the payload's tz, else the configured one, else the machine's."""
        for name in (self.data.tz if self.data else None, self.config.device.timezone):
            found = zone(name) if name else None
            if found is not None:
                return found
        return system_zone()

    def locale(self) -> SignLocale:
        """The sign's locale: the payload's, else the configured one, else en (logs why not);
        a locale without a region takes the room zone's country (i18n.with_region)."""
        requested = self.data.locale if self.data else None
        chosen = resolve_locale(requested, self.config.device.locale, zone_name(self.timezone()))
        if chosen.note != self._locale_note:
            self._locale_note = chosen.note
            if chosen.note:
                _LOGGER.warning("Locale %s: %s", chosen.tag, chosen.note)
        return chosen

    def _show_offline(self) -> bool:
        since = self._offline_since()
        return since is not None and self.monotonic() - since >= self.config.display.offline_after

    def screen(self, now: dt.datetime) -> Rendered:
        """Render what the panel should show at ``now`` (overlay, blank, waiting, or room)."""
        self.link_shown = None
        width, height = self.driver.size
        colors = self.driver.colors
        if self.overlay is not None:
            return self._render_overlay(self.overlay, now, width, height, colors)
        if self.cleared:
            return render_blank(width, height, colors)
        if self.data is None:
            self.link_shown = self._link()
            return render_setup_screen(
                self.device,
                panel_text(self.driver.model, width, height, colors),
                width=width,
                height=height,
                colors=colors,
                link=self.link_shown,
                locale=self.locale(),
            )
        self.locale()  # logs a locale the sign cannot use as asked, once
        lag = self.clock_lag()
        view = room_view(
            self.data,
            now + lag if lag else now,  # the hub's time, at least: today's agenda
            self.timezone(),
            online=not self._show_offline(),
            received=self.received_at,
            locale=self.config.device.locale,
            clock_behind=lag,
            keys=self.config.keys.bindings if self.config.keys.driver != "none" else (),
        )
        rendered = render_room(view, width, height, colors)
        problem = rendered.problems[0] if rendered.problems else None
        if problem != self.drawing_problem:
            if problem:
                _LOGGER.warning("Room drawn without a part: %s", problem)
            self.drawing_problem = problem
        return rendered

    def _next_redraw(self, now: dt.datetime) -> dt.datetime | None:
        extra: list[dt.datetime | None] = [self.overlay.until if self.overlay else None]
        events: tuple[Any, ...] = ()
        if self.data is not None and not self.cleared:
            events = self.data.events
            extra += [self.data.valid_until, self.data.message.until if self.data.message else None]
        if self.data is None and self.overlay is None:
            return None
        boundary = next_boundary(events, now, self.timezone(), tuple(extra))
        if self.data is not None and self.clock_lag() is not None:
            recheck = now + CLOCK_RECHECK
            return recheck if boundary is None else min(boundary, recheck)
        return boundary

    def refresh(self, *, force: bool = False, full: bool = False) -> bool:
        """Render what the panel should show now and draw it when it differs; True when drawn."""
        now = self.clock()
        if self.overlay is not None and now >= self.overlay.until:
            self.overlay = None
        self.offline_shown = self._show_offline()
        self.redraw_at = self._next_redraw(now)
        if self.panel.busy:  # drawn when the panel is free again (see tick)
            wanted = self._wanted or (False, False)
            self._wanted = (wanted[0] or force, wanted[1] or full)
            self.screen(now)  # a payload that cannot be drawn still fails here, at once
            return False
        try:
            screen = self.screen(now)
            result = self.panel.show(screen.image, force=force, full=full)
        except (DriverError, OSError) as err:
            self._panel_failed(err)
            return False
        if result is None:
            self._drawing = (screen, now)
            return False
        return self._drawn(result, screen, now)

    def _panel_failed(self, err: Exception) -> None:
        """A draw failed or the panel stopped answering: say so in the status, retry later."""
        if isinstance(err, PanelFault):
            self.error = str(err)[:200]
        else:
            _LOGGER.error("Panel refresh failed: %s", err)
            self.error = f"panel: {err}"[:200]
        self.retry_at = self.monotonic() + PANEL_RETRY
        self._on_status()

    def _panel_event(self, event: PanelEvent) -> None:
        """Take what the panel's worker reported (a draw's end, a fault, a new set-up)."""
        drawing, self._drawing = self._drawing, None
        if event.error is not None:
            self._panel_failed(event.error)
        elif event.ready:
            self._wanted = (True, True)  # a new set-up: repaint everything
        elif event.result is not None and drawing is not None:
            self._drawn(event.result, *drawing)

    def _drawn(self, result: DrawResult, screen: Rendered, now: dt.datetime) -> bool:
        """Finish a draw the driver reported: pacing, hash, snapshot, status."""
        if self.error is not None and self.error.startswith("panel"):
            self.error = None  # the panel answers again
        if result.outcome == "deferred":
            self.retry_at = result.retry_at
            _LOGGER.debug("Refresh deferred by min_interval")
            return False
        self.retry_at = None
        self.content_hash = None if self.cleared or self.data is None else self.data.content_hash
        if result.outcome == "unchanged":
            return False
        self.last_render = now
        buffer = io.BytesIO()
        screen.image.save(buffer, format="PNG")
        self.snapshot = buffer.getvalue()
        _LOGGER.info(
            "Panel drawn (%s refresh), next change due %s",
            result.refresh,
            iso_utc(self.redraw_at) if self.redraw_at else "never",
        )
        self._on_drawn(self.snapshot)
        self._on_status()
        return True

    def command(self, cmd: str) -> None:
        """Carry out a validated /cmd: clear, identify, refresh or full_refresh (reboot redraws)."""
        if cmd == "clear":
            self.cleared = True
            self.overlay = None
            self.refresh(force=True, full=True)
        elif cmd == "identify":
            self._overlay(Overlay(kind="identify", title="", text=None, until=self._until(None)))
        else:
            self.cleared = False
            self.refresh(force=True, full=cmd == "full_refresh")

    def tick(self) -> None:
        """Run what is due: the panel's news, boundaries, overlay end, deferred draws, offline
        mark, full refresh.

        Raises PanelFailed when the panel stayed faulty through every re-initialisation.
        """
        event = self.panel.poll()
        if event is not None:
            self._panel_event(event)
        if self.panel.busy:
            return
        if self._wanted is not None:
            force, full = self._wanted
            self._wanted = None
            self.refresh(force=force, full=full)
            return
        now = self.clock()
        due = self.redraw_at is not None and now >= self.redraw_at
        if self.last_tick is not None and now < self.last_tick - CLOCK_STEP_BACK:
            _LOGGER.warning(
                "The clock went back from %s to %s", iso_utc(self.last_tick), iso_utc(now)
            )
            due = True
        self.last_tick = now
        due |= self.retry_at is not None and self.monotonic() >= self.retry_at
        due |= self._show_offline() != self.offline_shown
        due |= self.link_shown is not None and self._link() != self.link_shown
        full_at = self.driver.full_due_at()
        if (
            full_at is not None
            and self.monotonic() >= full_at
            and self.monotonic() >= self.driver.next_allowed()
        ):
            _LOGGER.info("Periodic full refresh")
            self.refresh(force=True, full=True)
        elif due:
            self.refresh()

    def retry_later(self) -> None:
        """After a drawing failure: forget the planned redraw and try again in PANEL_RETRY s."""
        self.redraw_at = None
        self.retry_at = self.monotonic() + PANEL_RETRY

    def close(self) -> None:
        """Put the panel to sleep and release it; a failure is logged, never raised."""
        self.panel.close()

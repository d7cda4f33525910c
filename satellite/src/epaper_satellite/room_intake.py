"""Taking /data: validate, draw, store; a cleared /data unassigns the sign."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from .store import PayloadStore
from .wire import PayloadError, RoomData, parse_data

_LOGGER = logging.getLogger("epaper_satellite.sign")


class RoomIntakeMixin:
    """The /data part of :class:`~epaper_satellite.sign.Sign` (which provides the
    attributes and methods declared here)."""

    data: RoomData | None
    received_at: dt.datetime | None
    cleared: bool
    hub_time: object
    error: str | None
    device: str
    store: PayloadStore
    clock: Callable[[], dt.datetime]

    def refresh(self, *, force: bool = False, full: bool = False) -> bool:
        raise NotImplementedError

    def _take_hub_time(self, data: RoomData | None) -> None:
        raise NotImplementedError

    def _on_status(self) -> None:
        raise NotImplementedError

    def show_room(self, data: RoomData) -> bool:
        """Take a new room payload and draw it; a payload that cannot be drawn is undone."""
        previous = (self.data, self.received_at, self.cleared, self.hub_time)
        self.data = data
        self.received_at = self.clock()
        self.cleared = False
        self._take_hub_time(data)
        try:
            return self.refresh()
        except Exception:
            self.data, self.received_at, self.cleared, self.hub_time = previous
            raise

    def take_data(self, raw: bytes) -> None:
        """Validate a /data payload, draw it and store it; junk or an undrawable one changes
        nothing but the status error. An empty payload (the retained /data cleared: the
        display was archived, deleted or renamed) unassigns the sign: it forgets its room
        and shows its setup screen, so it never draws a room that is no longer its own."""
        if not raw:
            self.unassign()
            return
        try:
            data = parse_data(raw, self.device)
        except PayloadError as err:
            _LOGGER.warning(
                "Rejected /data (%s): %s; the panel keeps its content", err.reason, err.detail
            )
            self.error = f"data rejected: {err.detail}"[:200]
            self._on_status()
            return
        new_content = (
            self.data is None or self.data.content_hash != data.content_hash or self.cleared
        )
        if new_content:
            _LOGGER.info("Room data for %r: %d events", data.room, len(data.events))
        else:
            _LOGGER.debug("Same room data again")
        self.error = None
        try:
            drawn = self.show_room(data)
        except Exception as err:
            _LOGGER.exception(
                "Rejected /data (render): cannot draw it; the panel keeps its content"
            )
            self.error = f"data rejected: cannot draw it ({type(err).__name__})"
            self._on_status()
            return
        problem = self.store.problem
        if new_content or problem:  # a save the disk refused is tried again
            self.store.save(raw)
        if not drawn or self.store.problem != problem:
            self._on_status()

    def unassign(self) -> None:
        """Forget the room (memory and the stored copy) and show the setup screen."""
        if self.data is not None:
            _LOGGER.info("Room data cleared: this display is no longer assigned to a room")
        self.data = None
        self.received_at = None
        self.cleared = False
        self.error = None
        self.store.forget()
        if not self.refresh(force=True):
            self._on_status()

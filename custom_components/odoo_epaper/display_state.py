"""What the hub knows of one display from its MQTT messages (the tracker's unit of news)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .display_status import DisplayStatus, Snapshot


@dataclass(frozen=True, slots=True)
class DisplayState:
    """The last good things a display said over MQTT; replaced, never changed, on news."""

    prefix: str
    status: DisplayStatus | None = None
    status_at: datetime | None = None
    last_seen: datetime | None = None
    online_since: datetime | None = None
    snapshot: Snapshot | None = None
    snapshot_at: datetime | None = None
    # Sent the ``clear`` command and has reported no content_hash since: blank on purpose.
    cleared: bool = False
    # The last status received while online: what the panel drew last and still shows
    # (e-paper keeps its picture) after an offline status that carries nothing else.
    shown: DisplayStatus | None = None

    @property
    def online(self) -> bool | None:
        """Return whether the display is online, None before any status."""
        return None if self.status is None else self.status.online

    @property
    def error(self) -> str | None:
        """Return the error of the last status, if any."""
        return None if self.status is None else self.status.error

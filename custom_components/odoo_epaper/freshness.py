"""Whether a door shows the content the hub published (by content_hash)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from .display_state import DisplayState
from .publisher import PublishedData

# A door online and showing other content than the hub published for longer than this
# is a problem (a redraw takes seconds; a panel's minimum interval a few minutes).
BEHIND_GRACE: Final = timedelta(minutes=5)


@dataclass(frozen=True, slots=True, kw_only=True)
class Freshness:
    """The hash the hub published, the hash the door reports, and since when it lags."""

    published_hash: str | None
    shown_hash: str | None
    behind_since: datetime | None
    cleared: bool = False

    @property
    def up_to_date(self) -> bool | None:
        """Whether the door shows the published content; None before both are known."""
        if self.published_hash is None or self.shown_hash is None:
            return None
        return self.published_hash == self.shown_hash

    @property
    def lagging_from(self) -> datetime | None:
        """When the door, if it stays online and behind, becomes a problem (BEHIND_GRACE)."""
        return None if self.behind_since is None else self.behind_since + BEHIND_GRACE

    def lagging(self, now: datetime) -> bool:
        """Whether the door has been online and behind for BEHIND_GRACE or longer at ``now``."""
        return self.lagging_from is not None and now >= self.lagging_from


def freshness(published: PublishedData | None, state: DisplayState | None) -> Freshness:
    """Compare what the hub published with the last status of the door (UTC times).

    An offline door still shows what it drew last (e-paper keeps its picture): its
    shown hash is the one of its last online status.

    A door is behind from the later of the publish and the moment it came online,
    while it stays online and reports another ``content_hash`` (or none). A door blanked
    with the ``clear`` command that reports no hash since is ``cleared``, not behind.
    """
    status = None if state is None else state.status
    if state is not None and status is not None and not status.online:
        status = state.shown or status  # offline: the panel keeps what it drew last
    shown = None if status is None else status.content_hash
    published_hash = None if published is None else published.content_hash
    cleared = state is not None and state.cleared and (shown is None or not state.online)
    behind_since = None
    if (
        published is not None
        and state is not None
        and not cleared
        and state.online
        and state.online_since is not None
        and shown != published.content_hash
    ):
        behind_since = max(published.published_at, state.online_since)
    return Freshness(
        published_hash=published_hash, shown_hash=shown, behind_since=behind_since, cleared=cleared
    )

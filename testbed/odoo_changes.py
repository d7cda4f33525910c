"""The Odoo test server's schedule change log: what the addon's ``room.rasp.schedule.change`` is.

The addon logs a display whenever a booking or event placed at it (before or after
the change) is created, edited, archived or deleted, and whenever the display itself
is created, deleted or edited in a field its answer shows, and the displays of a
room whose name or booking link changes. This log does the same
for the records a test changes through :class:`~testbed.odoo_server.OdooTestServer`,
placing records with the addon's own plain rules (``epaper_schedule``), so the
server answers ``epaper_schedule(..., cursor=...)`` like the addon.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from testbed.addon_code import load_plain_package, schedule_sources

DISPLAY_MODEL = "room.rasp.connection"
ROOM_MODEL = "room.room"
# Display fields whose change does not change its answer (the status mirror's).
STATUS_FIELDS = frozenset(
    {
        "mqtt_connection_state",
        "last_seen",
        "last_status_at",
        "last_error",
        "broker_message",
        "snapshot",
        "snapshot_at",
        "odoo_connected",
    }
)
Record = dict[str, Any]


class ScheduleChangeLog:
    """Rows ``(id, device)``, ids from 1, appended under the server's lock.

    ``displays()`` returns the active displays as the plain rules know them (what
    ``epaper_schedule`` answers); ``render(model, record, spec)`` a record as
    ``web_search_read`` would give it to the superuser.
    """

    def __init__(
        self,
        displays: Callable[[], list[Any]],
        render: Callable[[str, Record, dict[str, Any]], Record],
    ) -> None:
        """Empty log; the display index is rebuilt after a display changes."""
        self.rows: list[str] = []
        self._displays = displays
        self._render = render
        self._index: Any = None

    def devices_of(self, model: str, record: Record | None) -> set[str]:
        """The device names whose answer shows ``record`` (None: a record not there)."""
        if record is None:
            return set()
        if model == DISPLAY_MODEL:
            return {record["name"]} if record.get("name") else set()
        rules: Any = load_plain_package("epaper_schedule")
        if self._index is None:
            self._index = rules.RoomIndex(self._displays())
        if model == ROOM_MODEL:
            return {d.device for d in self._index.of_room(record["id"], record.get("name"))}
        source = schedule_sources().get(model)
        if source is None or record.get("active") is False:
            return set()
        rendered = self._render(model, record, source.specification)
        return {display.device for _, at in source.place([rendered], self._index) for display in at}

    def record_change(
        self, model: str, before: Record | None, after: Record | None, changed: Iterable[str] = ()
    ) -> None:
        """Log the displays of ``before`` and ``after`` (one record's change)."""
        if model == DISPLAY_MODEL:
            if before is not None and after is not None and set(changed) <= STATUS_FIELDS:
                return
            self._index = None
        devices = self.devices_of(model, before)
        if model == ROOM_MODEL:  # a room's name labels its displays
            self._index = None
        devices |= self.devices_of(model, after)
        self.rows.extend(sorted(devices))

    def read(self, after: int, ids: list[int]) -> list[tuple[int, str]]:
        """The rows with an id above ``after`` or in ``ids``."""
        older = [(row_id, self.rows[row_id - 1]) for row_id in ids if 0 < row_id <= after]
        return older + list(enumerate(self.rows[after:], start=after + 1))

    def recent_ids(self, limit: int) -> list[int]:
        """The newest ``limit`` ids."""
        return list(range(max(1, len(self.rows) - limit + 1), len(self.rows) + 1))

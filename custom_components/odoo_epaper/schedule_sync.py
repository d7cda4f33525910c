"""What the hub knows of Odoo's schedule, kept in step with incremental reads.

The hub reads everything at start, after a failed read (Odoo or the link was down),
after the broker connection came back, and every :data:`FULL_READ_INTERVAL` as a
safety net; otherwise it sends the cursor of its last answer and gets only the
displays that changed (DESIGN.md section 4).
A change notice (``_odoo/changed``) makes it read only the displays named.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from dataclasses import dataclass

from .schedule import Booking, Display, Schedule
from .schedule_answer import ScheduleUpdate

FULL_READ_INTERVAL = dt.timedelta(hours=1)


@dataclass(frozen=True)
class ReadPlan:
    """What the next read asks: ``cursor`` (None: not incremental), ``devices`` (None: all)."""

    cursor: str | None = None
    devices: tuple[str, ...] | None = None

    @property
    def full(self) -> bool:
        """Whether this read answers every display."""
        return self.cursor is None and self.devices is None


class ScheduleSync:
    """Every display and its bookings as last read, the cursor, the notices pending.

    With ``incremental`` False every read is a full one (what the hub did before
    incremental sync; benchmarks compare against it).
    """

    def __init__(
        self, *, full_read_interval: dt.timedelta = FULL_READ_INTERVAL, incremental: bool = True
    ) -> None:
        """Nothing read yet: the first read is a full one."""
        self.full_read_interval = full_read_interval
        self.incremental = incremental
        self.displays: dict[str, Display] = {}
        self.bookings: dict[str, tuple[Booking, ...]] = {}
        self.cursor: str | None = None
        self.pending: set[str] = set()
        self._full_at: dt.datetime | None = None

    def request(self, devices: Iterable[str]) -> None:
        """Odoo announced these displays changed: the next read asks for them."""
        self.pending.update(devices)

    def plan(self, now: dt.datetime) -> ReadPlan:
        """The next read: full when due, else the pending displays, else incremental."""
        if (
            self._full_at is None
            or now - self._full_at >= self.full_read_interval
            or (self.cursor is None and not self.pending)
            or not self.incremental
        ):
            return ReadPlan()
        if self.pending:
            return ReadPlan(devices=tuple(sorted(self.pending)))
        return ReadPlan(cursor=self.cursor)

    def request_full_read(self) -> None:
        """The next read is a full one: a read failed (Odoo may have changed meanwhile)
        or the broker connection came back (every display is published again)."""
        self._full_at = None

    def apply(self, plan: ReadPlan, update: ScheduleUpdate, now: dt.datetime) -> set[str]:
        """Merge the answer to ``plan``; return the device names whose data changed.

        A full answer replaces everything; an incremental or targeted one replaces
        the displays it names and drops those removed (or asked for and missing).
        """
        schedule = update.schedule
        answered = {display.device for display in schedule.displays}
        if plan.full or (plan.devices is None and update.full):
            gone = set(self.displays) - answered
            self._full_at = now
            self.pending.clear()
        elif plan.devices is not None:
            gone = set(plan.devices) - answered
            self.pending.difference_update(plan.devices)
        else:
            gone = set(update.removed) - answered
        if plan.devices is None:
            self.cursor = update.cursor
        changed = {name for name in gone if name in self.displays}
        for name in gone:
            self.displays.pop(name, None)
            self.bookings.pop(name, None)
        for display in schedule.displays:
            device = display.device
            bookings = _reuse(self.bookings.get(device, ()), schedule.bookings.get(device, ()))
            if self.displays.get(device) != display or self.bookings.get(device) is not bookings:
                changed.add(device)
                self.displays[device] = display
                self.bookings[device] = bookings
        return changed

    def schedule(self, devices: Iterable[str] | None = None) -> Schedule:
        """The schedule of ``devices`` (None: every display known)."""
        names = self.displays if devices is None else [d for d in devices if d in self.displays]
        return Schedule(
            displays=tuple(self.displays[name] for name in names),
            bookings={name: self.bookings[name] for name in names},
        )


def _reuse(
    known: tuple[Booking, ...], answered: tuple[Booking, ...] | list[Booking]
) -> tuple[Booking, ...]:
    """``answered`` as a tuple, made of the ``known`` objects where they are equal: the
    very ``known`` tuple when nothing changed (what the hub holds stays the objects it
    already built from, with their wire times formatted, and the answer's copies are
    freed), else the answer with each booking equal to the one held at its place (the
    addon answers them sorted) replaced by that one."""
    held = len(known)
    reused = tuple(
        known[index] if index < held and known[index] == booking else booking
        for index, booking in enumerate(answered)
    )
    if len(reused) == held and all(map(operator.is_, reused, known)):
        return known
    return reused

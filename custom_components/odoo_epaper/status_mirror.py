"""Write display status changes (and new door snapshots) back to Odoo, one RPC per burst."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .const import LOGGER
from .display_state import DisplayState
from .schedule import to_odoo

DEFAULT_DELAY: Final = 1.0
DEFAULT_RETRY: Final = 30.0

Report = dict[str, Any]
ReportSender = Callable[[list[Report]], Awaitable[None]]


def status_report(device: str, state: DisplayState, *, snapshot: bool = False) -> Report:
    """Return the ``mqtt_status_report`` entry of one display.

    With ``snapshot``, the display's last snapshot goes along as base64 PNG (``snapshot``
    key, which the addon stores on the display; older addons ignore it).
    """
    last_seen: datetime | None = state.last_seen
    report: Report = {
        "device": device,
        "state": state.status.state if state.status else "unknown",
        "last_seen": to_odoo(last_seen) if last_seen else False,
        "error": state.error or False,
    }
    if snapshot and state.snapshot is not None:
        report["snapshot"] = base64.b64encode(state.snapshot.png).decode("ascii")
    return report


class StatusMirror:
    """Collect status changes and send them to Odoo in batches, retrying on failure."""

    def __init__(
        self,
        hass: HomeAssistant,
        send: ReportSender,
        *,
        delay: float = DEFAULT_DELAY,
        retry: float = DEFAULT_RETRY,
        odoo_up: Callable[[], bool] = lambda: True,
    ) -> None:
        """Send nothing until a change is reported; wait while ``odoo_up()`` is false."""
        self.hass = hass
        self._send = send
        self._odoo_up = odoo_up
        self._delay = delay
        self._retry = retry
        self._pending: dict[str, Report] = {}
        self._in_flight: dict[str, Report] = {}
        self._mirrored: dict[str, tuple[Any, Any]] = {}
        self._mirrored_snapshot: dict[str, datetime | None] = {}
        self._timer: CALLBACK_TYPE | None = None
        self._failing = False
        self._stopped = False
        self._job = HassJob(self._async_flush, "odoo_epaper status mirror", cancel_on_shutdown=True)

    @property
    def pending(self) -> list[Report]:
        """Return the reports not yet written to Odoo (being sent or waiting)."""
        return list({**self._in_flight, **self._pending}.values())

    @callback
    def async_track(self, device: str, state: DisplayState) -> None:
        """Queue a report when a display's state or error changed, or a new snapshot came."""
        new_snapshot = (
            state.snapshot is not None and self._mirrored_snapshot.get(device) != state.snapshot_at
        )
        report = status_report(device, state, snapshot=new_snapshot)
        key = (report["state"], report["error"])
        if self._mirrored.get(device) == key and not new_snapshot:
            return
        self._mirrored[device] = key
        if new_snapshot:
            self._mirrored_snapshot[device] = state.snapshot_at
        waiting = self._pending.get(device)
        if waiting is not None and "snapshot" in waiting and "snapshot" not in report:
            report["snapshot"] = waiting["snapshot"]  # a queued snapshot is not lost
        self._pending[device] = report
        self._schedule(self._delay)

    @callback
    def async_stop(self) -> None:
        """Cancel the timer; pending reports are dropped."""
        self._stopped = True
        if self._timer is not None:
            self._timer()
            self._timer = None

    @callback
    def _schedule(self, delay: float) -> None:
        """Flush after ``delay`` seconds unless a flush is already due."""
        if self._timer is None and not self._stopped:
            self._timer = async_call_later(self.hass, delay, self._job)

    async def _async_flush(self, _now: datetime | None = None) -> None:
        """Send every pending report in one RPC."""
        self._timer = None
        if not self._pending:
            return
        if not self._odoo_up():
            LOGGER.debug("Odoo is unreachable; status reports wait for it")
            self._schedule(self._retry)
            return
        batch, self._pending = self._pending, {}
        self._in_flight = batch
        try:
            await self._send(list(batch.values()))
        except Exception as err:  # any failure is retried, never raised
            self._in_flight = {}
            for device, report in batch.items():
                self._pending.setdefault(device, report)
            if not self._failing:
                self._failing = True
                LOGGER.warning(
                    "Cannot mirror display status to Odoo, retrying every %g s: %s",
                    self._retry,
                    err,
                )
            self._schedule(self._retry)
            return
        self._in_flight = {}
        if self._failing:
            self._failing = False
            LOGGER.info("Mirroring display status to Odoo works again")
        LOGGER.debug("Mirrored the status of %s to Odoo", sorted(batch))
        if self._pending:
            self._schedule(self._delay)

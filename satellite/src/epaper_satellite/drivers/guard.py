"""Panel calls with a time bound: a stuck BUSY line becomes a panel fault, not a hung daemon.

Waveshare's drivers poll the panel's BUSY pin with no timeout (``ReadBusy``), so a
panel whose BUSY line sticks blocks its caller forever. :class:`PanelGuard` runs
each panel job (set-up, draw, clear, sleep) in a daemon thread of its own and
lets the main loop look at it without waiting: a job still running past its
bound is a :class:`PanelFault`. The vendor call cannot be interrupted, so the
thread is abandoned (it dies with the process) and the panel is treated as
faulty until it has been set up again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .base import Driver, DriverError

_LOGGER = logging.getLogger(__name__)
BOUND_BW = 30.0  # seconds: a black/white refresh takes about 5 s, its init about 1 s
BOUND_COLOR = 180.0  # seconds: three-colour panels take 8-27 s per refresh


def default_bound(colors: str) -> float:
    """Return the time bound in seconds for one panel job of a panel with ``colors``."""
    return BOUND_BW if colors == "bw" else BOUND_COLOR


class PanelFault(DriverError):
    """A panel call ran past its bound: the panel (or its BUSY line) does not respond."""

    def __init__(self, model: str, call: str, bound: float) -> None:
        """Say which model and which vendor call, e.g. ``epd7in5_V2 display() > 20 s``."""
        super().__init__(f"panel not responding: {model} {call}() > {bound:g} s")
        self.model = model
        self.call = call
        self.bound = bound


@dataclass
class JobResult:
    """What a finished (or abandoned) job gave: ``value``, or ``error`` when it failed."""

    call: str
    value: Any = None
    error: BaseException | None = None


@dataclass
class _Job:
    call: str
    started: float
    done: threading.Event = field(default_factory=threading.Event)
    result: JobResult | None = None


class PanelGuard:
    """Runs one panel job at a time in a worker thread, bounded by ``bound`` seconds.

    The main loop calls :meth:`submit`, may :meth:`wait` a little for a quick job,
    and calls :meth:`poll` on every turn: it returns the job's :class:`JobResult`
    once, or one with a :class:`PanelFault` when the job is past its bound.
    """

    def __init__(
        self,
        driver: Driver,
        bound: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Guard ``driver``'s calls; ``bound`` in seconds (> 0)."""
        self.driver = driver
        self.bound = bound
        self.monotonic = monotonic
        self.faulty = False
        self._job: _Job | None = None

    @property
    def busy(self) -> bool:
        """Whether a job was submitted and not yet returned by :meth:`poll`."""
        return self._job is not None

    def submit(self, call: str, function: Callable[[], Any]) -> None:
        """Run ``function`` (a panel job named ``call``) in a new daemon thread.

        Raises RuntimeError when a job is still pending: one job at a time.
        """
        if self._job is not None:
            raise RuntimeError(f"panel job {self._job.call} still running")
        job = _Job(call=call, started=self.monotonic())
        self.driver.activity = None
        self._job = job

        def work() -> None:
            try:
                job.result = JobResult(call, value=function())
            except BaseException as err:  # handed to the main loop by poll()
                job.result = JobResult(call, error=err)
            finally:
                job.done.set()

        threading.Thread(target=work, name=f"panel-{call}", daemon=True).start()

    def wait(self, timeout: float) -> bool:
        """Block at most ``timeout`` seconds for the pending job; True when it has finished."""
        job = self._job
        return job is not None and job.done.wait(min(timeout, self.remaining()))

    def remaining(self) -> float:
        """Seconds left before the pending job is past its bound (0 when none is pending)."""
        job = self._job
        if job is None:
            return 0.0
        return max(0.0, job.started + self.bound - self.monotonic())

    def poll(self) -> JobResult | None:
        """Return the pending job's result once it is there, a fault past the bound, else None."""
        job = self._job
        if job is None:
            return None
        if job.done.is_set():
            self._job = None
            assert job.result is not None
            if job.result.error is None:
                self.faulty = False
            return job.result
        if self.monotonic() - job.started < self.bound:
            return None
        self._job = None
        self.faulty = True
        call = self.driver.activity or job.call
        fault = PanelFault(self.driver.model, call, self.bound)
        _LOGGER.error("%s; its thread is abandoned", fault)
        return JobResult(job.call, error=fault)

    def run(self, call: str, function: Callable[[], Any]) -> Any:
        """Run a job and wait for it up to the bound (for start-up and shutdown only).

        Returns the job's value; raises its error, or :class:`PanelFault` past the bound.
        """
        self.submit(call, function)
        while (result := self.poll()) is None:
            self.wait(self.bound)
        if result.error is not None:
            raise result.error
        return result.value

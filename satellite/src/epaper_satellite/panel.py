"""The panel as the main loop sees it: draws that never block it, faults, re-inits, give-up.

:class:`GuardedPanel` puts a :class:`~.drivers.guard.PanelGuard` in front of a driver.
A draw waits at most ``SYNC_WAIT`` seconds (a png file or a fast panel finishes
within it); a longer one goes on in the worker and its result comes from
:meth:`GuardedPanel.poll`, so MQTT keeps being served during a refresh. A job past
its bound is a fault: the panel is set up again (``[display] panel_retries``
times in a row at most), then :class:`PanelFailed` ends the process, after a
pulse on ``[display] reset_pin`` when one is configured, so that systemd
restarts the service (``Restart=on-failure``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from .config import DisplayConfig
from .drivers import DrawResult, Driver, DriverError
from .drivers.guard import PanelFault, PanelGuard, default_bound
from .drivers.reset import pulse_reset

_LOGGER = logging.getLogger(__name__)
SYNC_WAIT = 1.0  # seconds a draw may hold the main loop before it goes on in the worker
EXIT_PANEL_FAILED = 3  # the process's exit status when the panel stays faulty


class PanelFailed(Exception):
    """The panel stayed faulty through every re-initialisation: the process must exit."""


@dataclass(frozen=True)
class PanelEvent:
    """What :meth:`GuardedPanel.poll` reports: a draw's ``result``, an ``error``, or ``ready``.

    ``ready`` is True when the panel was set up again after a fault and wants a full redraw.
    """

    result: DrawResult | None = None
    error: Exception | None = None
    ready: bool = False


class GuardedPanel:
    """A driver whose every call is bounded; re-initialised after faults, then given up."""

    def __init__(
        self,
        driver: Driver,
        display: DisplayConfig,
        monotonic: Callable[[], float] = time.monotonic,
        sync_wait: float = SYNC_WAIT,
    ) -> None:
        """Bound each job by ``display.panel_timeout`` s (0: by the panel's colours)."""
        self.driver = driver
        self.display = display
        self.bound = display.panel_timeout or default_bound(driver.colors)
        self.guard = PanelGuard(driver, self.bound, monotonic)
        self.sync_wait = sync_wait
        self.faults = 0  # faults in a row, since the last good draw

    @property
    def busy(self) -> bool:
        """Whether a panel job runs (a draw, or a set-up after a fault)."""
        return self.guard.busy

    @property
    def faulty(self) -> bool:
        """Whether the last job ran past its bound and no set-up has succeeded since."""
        return self.guard.faulty

    def setup(self) -> None:
        """Open the panel at start (bounded); a fault is counted and a set-up is retried.

        Raises DriverError when the panel cannot be opened at all (e.g. no package),
        PanelFault when the set-up hung (the retry is then already under way).
        """
        try:
            self.guard.run("setup", self.driver.setup)
        except PanelFault as fault:
            self._fault(fault)
            raise

    def show(
        self, image: Image.Image, *, force: bool = False, full: bool = False
    ) -> DrawResult | None:
        """Start drawing ``image``; its result, or None when it goes on in the worker.

        Raises the driver's error when the draw failed within ``sync_wait``.
        Call only when not :attr:`busy`.
        """
        self.guard.submit("show", lambda: self.driver.show(image, force=force, full=full))
        self.guard.wait(self.sync_wait)
        event = self.poll()
        if event is None:
            return None
        if event.error is not None:
            raise event.error
        return event.result

    def poll(self) -> PanelEvent | None:
        """Return what the pending job gave once it is there (None while it runs).

        A fault starts a set-up of the panel; past ``panel_retries`` faults in a row it
        raises :class:`PanelFailed` instead.
        """
        done = self.guard.poll()
        if done is None:
            return None
        error = done.error
        if isinstance(error, PanelFault) or (done.call == "init" and error is not None):
            return self._fault(error)
        if error is not None:
            if not isinstance(error, Exception):
                raise error
            return PanelEvent(error=error)
        if done.call == "init":
            _LOGGER.info("Panel %s set up again", self.driver.model)
            return PanelEvent(ready=True)
        self.faults = 0
        return PanelEvent(result=done.value)

    def _fault(self, error: BaseException) -> PanelEvent:
        self.faults += 1
        fault = error if isinstance(error, Exception) else DriverError(str(error))
        if self.faults > self.display.panel_retries:
            _LOGGER.critical(
                "%s; %d re-initialisations did not help: exiting so that systemd restarts "
                "the service",
                fault,
                self.display.panel_retries,
            )
            if self.display.reset_pin is not None:
                pulse_reset(self.display.reset_pin, active_high=self.display.reset_active_high)
            raise PanelFailed(str(fault)) from error
        _LOGGER.error(
            "%s; setting the panel up again (%d of %d)",
            fault,
            self.faults,
            self.display.panel_retries,
        )
        self.guard.submit("init", self.driver.reinit)
        return PanelEvent(error=fault)

    def close(self) -> None:
        """Put the panel to sleep (bounded); skipped while it is busy or faulty."""
        if self.guard.busy or self.guard.faulty:
            _LOGGER.warning("Panel %s is not answering: not put to sleep", self.driver.model)
            return
        try:
            self.guard.run("close", self.driver.close)
        except DriverError as err:
            _LOGGER.warning("Panel close failed: %s", err)

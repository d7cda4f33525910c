"""systemd's service notifications: READY=1 once serving, WATCHDOG=1 while the main loop is healthy.

Follows sd_notify(3): datagrams on the unix socket named by ``NOTIFY_SOCKET``
(``@`` for the abstract namespace); ``WATCHDOG_USEC`` is the unit's
``WatchdogSec=`` in microseconds, and a service should ping at half that period.
The protocol is spoken by the ``sdnotify`` package. Of the libraries for it,
``systemd-python`` builds from source against ``libsystemd-dev`` with a compiler,
``cysystemd`` is Cython linked to libsystemd (wheels for some platforms only);
``sdnotify`` is a few lines of pure Python that install into a Raspberry Pi venv
anywhere, and the protocol it speaks has not changed since its last release.
Without ``NOTIFY_SOCKET`` (not under systemd, or ``Type=simple``) every call does
nothing.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping

import sdnotify

_LOGGER = logging.getLogger(__name__)


def ping_interval(environ: Mapping[str, str]) -> float | None:
    """Seconds between WATCHDOG=1 pings: half of ``WATCHDOG_USEC``; None when not asked for.

    ``WATCHDOG_PID``, when set, must be this process (sd_watchdog_enabled(3)).
    """
    usec = environ.get("WATCHDOG_USEC", "")
    pid = environ.get("WATCHDOG_PID")
    if not usec.isdigit() or int(usec) == 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 2e6


class SystemdNotifier:
    """Tells systemd that the daemon is ready, alive, or stopping."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        """Connect to ``NOTIFY_SOCKET`` of the process environment (set by systemd)."""
        env = os.environ
        self.enabled = bool(env.get("NOTIFY_SOCKET"))
        self.interval = ping_interval(env) if self.enabled else None
        self.monotonic = monotonic
        self._last_ping: float | None = None
        self._notifier = sdnotify.SystemdNotifier() if self.enabled else None
        if self.enabled:
            _LOGGER.debug(
                "systemd notifications on; watchdog %s",
                f"every {self.interval:g} s" if self.interval else "off",
            )

    def _send(self, state: str) -> None:
        if self._notifier is not None:
            self._notifier.notify(state)

    def ready(self, status: str) -> None:
        """Send READY=1 with a STATUS= line (``Type=notify`` units wait for it)."""
        self._send(f"READY=1\nSTATUS={status}")
        self._last_ping = self.monotonic()

    def status(self, status: str) -> None:
        """Send a STATUS= line (shown by ``systemctl status``)."""
        self._send(f"STATUS={status}")

    def healthy(self) -> None:
        """Ping the watchdog (WATCHDOG=1) if half its period has passed since the last ping.

        Call it from the main loop only when the loop is healthy: a loop that stops
        calling it is killed and restarted by systemd after ``WatchdogSec=``.
        """
        if self.interval is None:
            return
        now = self.monotonic()
        if self._last_ping is None or now - self._last_ping >= self.interval:
            self._send("WATCHDOG=1")
            self._last_ping = now

    def stopping(self) -> None:
        """Send STOPPING=1 on the way out."""
        self._send("STOPPING=1")

"""The Odoo test server in a process of its own, driven from the caller's process.

Benchmarks use it so that the hub's CPU time and memory are the hub's alone (a real
Odoo is another process too) and the server's work does not compete with the hub
for the GIL. The control methods are those of :class:`OdooTestServer` that tests
use, through a :mod:`multiprocessing` manager (plain, picklable arguments).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.managers import BaseManager
from pathlib import Path
from typing import Any

from testbed.odoo_server import OdooTestServer


class _Control:
    """Lives in the child: owns the server and answers the parent's calls."""

    def __init__(self, fixture: str) -> None:
        self.server = OdooTestServer(Path(fixture)).start()

    def url(self) -> str:
        return self.server.url

    def update_record(self, model: str, record_id: int, values: dict[str, Any]) -> None:
        self.server.update_record(model, record_id, values)

    def update_records(self, model: str, changes: list[tuple[int, dict[str, Any]]]) -> None:
        for record_id, values in changes:
            self.server.update_record(model, record_id, values)

    def add_record(self, model: str, values: dict[str, Any]) -> int:
        return self.server.add_record(model, values)

    def delete_record(self, model: str, record_id: int) -> None:
        self.server.delete_record(model, record_id)

    def reset_counts(self) -> None:
        self.server.reset_counts()

    def rpc_count(self) -> int:
        return self.server.count()

    def attribute(self, name: str) -> Any:
        return getattr(self.server, name)

    def stop(self) -> None:
        self.server.stop()


class _Manager(BaseManager):
    """Starts the child process that serves :class:`_Control`."""


_Manager.register("Control", _Control)


class OdooServerProcess:
    """Start the Odoo test server with ``fixture`` (a path) in a child process."""

    def __init__(self, fixture: Path) -> None:
        """Spawn the child (a fresh interpreter: no threads or loops inherited)."""
        # TCP on loopback, not a Unix socket: the tests allow only 127.0.0.1.
        self._manager = _Manager(address=("127.0.0.1", 0), ctx=multiprocessing.get_context("spawn"))
        self._manager.start()
        self.control: Any = self._manager.Control(str(fixture))  # type: ignore[attr-defined]
        self.url: str = self.control.url()

    def __getattr__(self, name: str) -> Any:
        """Control methods (``update_record``, ``reset_counts``, ...) run in the child."""
        return getattr(self.control, name)

    def stop(self) -> None:
        """Stop the server and the child process."""
        self.control.stop()
        self._manager.shutdown()

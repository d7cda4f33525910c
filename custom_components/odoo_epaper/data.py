"""The runtime types of a loaded entry (``entry.runtime_data``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from homeassistant.config_entries import ConfigEntry

from .coordinator import OdooEpaperCoordinator
from .display_tracker import DisplayTracker
from .odoo_client import OdooClient, ServerInfo
from .publisher import DataPublisher
from .status_mirror import StatusMirror


@dataclass(kw_only=True)
class OdooEpaperRuntimeData:
    """What a loaded entry holds (``entry.runtime_data``)."""

    client: OdooClient
    info: ServerInfo
    publisher: DataPublisher
    coordinator: OdooEpaperCoordinator
    tracker: DisplayTracker
    mirror: StatusMirror | None = None


# A TypeAlias, not a ``type`` statement: ruff targets Python 3.11 for the whole repository.
OdooEpaperConfigEntry: TypeAlias = ConfigEntry[OdooEpaperRuntimeData]

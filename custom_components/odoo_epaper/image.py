"""The image entity: the display's last snapshot, exactly what the door shows."""

from __future__ import annotations

from datetime import datetime

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant

from .data import OdooEpaperConfigEntry
from .entity import OdooEpaperMqttEntity, display_platform_setup

PARALLEL_UPDATES = 0

SNAPSHOT = ImageEntityDescription(key="snapshot", translation_key="snapshot")


# Add a snapshot image per display.
async_setup_entry = display_platform_setup(
    lambda hass, entry, device: [SnapshotImage(hass, entry, device)]
)


class SnapshotImage(OdooEpaperMqttEntity, ImageEntity):
    """The PNG the display last published on ``/snapshot``."""

    _attr_content_type = "image/png"

    def __init__(self, hass: HomeAssistant, entry: OdooEpaperConfigEntry, device: str) -> None:
        """Set up both bases."""
        OdooEpaperMqttEntity.__init__(self, entry, SNAPSHOT, device)
        ImageEntity.__init__(self, hass)

    @property
    def entity_picture(self) -> str | None:
        """Return the image's URL; None until the first snapshot (no image, not an error)."""
        state = self.display_state
        if state is None or state.snapshot is None:
            return None
        return super().entity_picture

    @property
    def image_last_updated(self) -> datetime | None:
        """Return when the snapshot arrived."""
        state = self.display_state
        return None if state is None or state.snapshot is None else state.snapshot_at

    async def async_image(self) -> bytes | None:
        """Return the PNG bytes."""
        state = self.display_state
        return None if state is None or state.snapshot is None else state.snapshot.png

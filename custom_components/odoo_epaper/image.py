"""The image entity: the display's last snapshot, exactly what the door shows."""

from __future__ import annotations

import functools
import io
from datetime import datetime
from typing import Final

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant
from PIL import Image, ImageDraw, ImageFont

from .data import OdooEpaperConfigEntry
from .entity import OdooEpaperMqttEntity, display_platform_setup

PARALLEL_UPDATES = 0
PLACEHOLDER_SIZE: Final = (400, 240)  # pixels: the 5:3 of the common 7.5" panel, halved

SNAPSHOT = ImageEntityDescription(
    key="snapshot", translation_key="snapshot", entity_registry_enabled_default=False
)


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
        """Return the PNG bytes; before the first snapshot a blank placeholder (never an
        HTTP error for a card or a direct fetch)."""
        state = self.display_state
        if state is None or state.snapshot is None:
            return await self.hass.async_add_executor_job(placeholder_png)
        return state.snapshot.png


@functools.cache
def placeholder_png() -> bytes:
    """Return the picture served before a display's first snapshot: a light grey
    PLACEHOLDER_SIZE PNG saying "No picture yet" (made once, a few hundred bytes)."""
    image = Image.new("L", PLACEHOLDER_SIZE, 235)
    draw = ImageDraw.Draw(image)
    draw.text(
        (PLACEHOLDER_SIZE[0] // 2, PLACEHOLDER_SIZE[1] // 2),
        "No picture yet",
        fill=90,
        anchor="mm",
        font=ImageFont.load_default(size=24),
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()

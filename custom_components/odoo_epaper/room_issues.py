"""The repair issue for displays that share a room name (the addon's ``collisions``).

Odoo reports collisions and never resolves them: bookings at a shared name show on
every display that answers to it. The hub raises one issue per config entry listing
the groups of colliding displays, and deletes it when the answer has none.
"""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


def collision_groups(collisions: Mapping[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Return the sorted groups of displays that name each other (each group sorted).

    ``{"a": ("b",), "b": ("a",), "c": ("d",)}`` -> ``[("a", "b"), ("c", "d")]``.
    """
    groups = {tuple(sorted({device, *others})) for device, others in collisions.items()}
    return sorted(groups)


def issue_id(entry_id: str) -> str:
    """The issue id of a config entry's room-name collisions."""
    return f"room_collision_{entry_id}"


@callback
def async_report_collisions(
    hass: HomeAssistant, entry_id: str, collisions: Mapping[str, tuple[str, ...]] | None
) -> None:
    """Raise, update or delete the entry's collision issue (None: the answer did not say,
    the issue stays as it is)."""
    if collisions is None:
        return
    groups = collision_groups(collisions)
    if not groups:
        ir.async_delete_issue(hass, DOMAIN, issue_id(entry_id))
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="room_collision",
        translation_placeholders={"displays": "; ".join(", ".join(g) for g in groups)},
    )

"""The entity budget: warn with a repair issue before an entry reaches Home Assistant's cap
on enabled entities per config entry (10,000 since 2026.7; entities past it are not added)."""

from __future__ import annotations

from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .coordinator import OdooEpaperCoordinator

# Home Assistant's MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY (helpers/entity_platform.py), kept
# here because the releases before 2026.7 of the support window do not define it.
ENTITY_CAP: Final = 10_000
WARN_SHARE: Final = 0.9  # the repair issue appears at 90 % of the cap
LEARN_MORE: Final = (
    "https://github.com/odoo-epaper/odoo-epaper/blob/main/docs/home-assistant.md"
    "#how-many-displays-an-entry-holds"
)


def enabled_entities(hass: HomeAssistant, entry: ConfigEntry) -> int:
    """Return how many of the entry's registered entities are enabled."""
    return sum(
        1
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if entity.disabled_by is None
    )


def issue_id(entry: ConfigEntry) -> str:
    """Return the id of an entry's entity budget repair issue."""
    return f"entity_budget_{entry.entry_id}"


@callback
def async_check_entity_budget(hass: HomeAssistant, entry: ConfigEntry, displays: int) -> None:
    """Raise the repair issue while the entry's enabled entities are at WARN_SHARE of
    ENTITY_CAP or more (``displays``: how many displays Odoo has); delete it below."""
    enabled = enabled_entities(hass, entry)
    if enabled < ENTITY_CAP * WARN_SHARE:
        ir.async_delete_issue(hass, DOMAIN, issue_id(entry))
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(entry),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR if enabled >= ENTITY_CAP else ir.IssueSeverity.WARNING,
        translation_key="entity_budget",
        translation_placeholders={
            "title": entry.title,
            "enabled": str(enabled),
            "cap": str(ENTITY_CAP),
            "displays": str(displays),
        },
        learn_more_url=LEARN_MORE,
    )


@callback
def async_watch_entity_budget(
    hass: HomeAssistant, entry: ConfigEntry, coordinator: OdooEpaperCoordinator
) -> CALLBACK_TYPE:
    """Check the budget now (call it once the platforms added their entities) and after
    every read of Odoo (a person enabling entities shows at the next poll); return the
    callable that stops it."""

    @callback
    def check() -> None:
        data = coordinator.data
        async_check_entity_budget(hass, entry, len(data.displays) if data is not None else 0)

    check()
    return coordinator.async_add_listener(check)

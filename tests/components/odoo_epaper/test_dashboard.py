"""The "all rooms at a glance" card of docs/home-assistant.md, rendered by Home Assistant's
template engine against a running entry with only the entities enabled by default."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from homeassistant.core import HomeAssistant
from homeassistant.helpers.template import Template
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import send_status, state_of

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
DOCS = Path(__file__).resolve().parents[3] / "docs" / "home-assistant.md"
ROOM_STATES = ("Free", "Busy", "Starting soon")


def doc_card() -> dict[str, Any]:
    """Return the Markdown card of the docs (the YAML block of ``type: markdown``)."""
    for block in re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S):
        card = yaml.safe_load(block)
        if isinstance(card, dict) and card.get("type") == "markdown":
            return card
    raise AssertionError(f"no markdown card in {DOCS}")


async def test_rooms_at_a_glance(
    hass: HomeAssistant, init_integration: MockConfigEntry, sat: OutsideSubscriber
) -> None:
    """The card lists every room with its state and its sign's problem, and N of M online."""
    card = doc_card()
    assert set(card) == {"type", "title", "content"}
    entry = init_integration
    send_status(sat.client, "reception")
    await wait_until(lambda: state_of(hass, entry, "sensor", "displays_online").state == "1")
    await wait_until(
        lambda: state_of(hass, entry, "binary_sensor", "problem", "boardroom").state == "on"
    )
    text = Template(card["content"], hass).async_render(parse_result=False)
    assert text.startswith("**1 of 3 signs online**\n"), text
    rows = {
        cells[0]: cells[1:]
        for line in text.splitlines()
        if line.startswith("| ") and (cells := [c.strip() for c in line.strip("|").split("|")])
    }
    assert set(rows) == {"Room", "Reception", "Boardroom", "Lab"}, text
    for room, problem in (("Reception", "OK"), ("Boardroom", "never connected")):
        state, until, shown = rows[room]
        assert state.split(":")[0] in ROOM_STATES, text
        assert until == "" or re.fullmatch(r"\d\d:\d\d", until), text
        assert shown == problem, text

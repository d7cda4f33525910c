"""The automation examples of docs/home-assistant.md and the shipped blueprint, run for real."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from homeassistant.components import persistent_notification
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from testbed.ha_mqtt import publish
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import PREFIX, send_status

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.usefixtures("enable_all_entities"),
]
ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "home-assistant.md"
BLUEPRINT = ROOT / "blueprints" / "automation" / "odoo_epaper" / "notify_display_offline.yaml"


def doc_automation(alias: str) -> list[dict[str, Any]]:
    """Return the automation with ``alias`` from the docs' YAML examples."""
    for block in re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S):
        config = yaml.safe_load(block)
        if isinstance(config, dict) and "automation" in config:
            found = [item for item in config["automation"] if item.get("alias") == alias]
            if found:
                return found
    raise AssertionError(f"no automation {alias!r} in {DOCS}")


def install_blueprint(target: Path) -> None:
    """Copy the shipped blueprint into a configuration's blueprint folder."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(BLUEPRINT, target / BLUEPRINT.name)


async def test_doc_example_refresh_on_input_change(
    hass: HomeAssistant, init_integration: MockConfigEntry, sat: OutsideSubscriber
) -> None:
    """Flipping the input refreshes every sign (a refresh command reaches each)."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"building_closed": {}}}
    )
    config = doc_automation("Door signs follow the facilities calendar")
    assert await async_setup_component(hass, "automation", {"automation": config})
    await hass.async_block_till_done()
    await hass.services.async_call(
        "input_boolean", "turn_on", {"entity_id": "input_boolean.building_closed"}, blocking=True
    )
    await sat.wait_for(lambda ms: {m.topic for m in ms} >= {f"{PREFIX}reception/cmd"})
    assert sat.on("reception/cmd")[0].json() == {"cmd": "refresh"}


async def test_doc_example_notify_problem(
    hass: HomeAssistant, init_integration: MockConfigEntry, sat: OutsideSubscriber
) -> None:
    """A sign with a problem for five minutes creates a notification naming it and the
    reason; a sign back online before that makes none."""
    assert await async_setup_component(hass, "persistent_notification", {})
    config = doc_automation("Door sign problem")
    send_status(sat.client, "reception")
    await wait_until(lambda: hass.states.is_state("binary_sensor.reception_problem", "off"))
    assert await async_setup_component(hass, "automation", {"automation": config})
    publish(sat.client, f"{PREFIX}reception/status", b"offline", retain=True)
    await wait_until(lambda: hass.states.is_state("binary_sensor.reception_problem", "on"))
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert notifications == {}
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5, seconds=1))
    await hass.async_block_till_done()
    assert len(notifications) == 1
    (notification,) = notifications.values()
    assert notification["message"].startswith("Reception Problem: offline since ")


async def test_blueprint(
    hass: HomeAssistant, init_integration: MockConfigEntry, sat: OutsideSubscriber
) -> None:
    """The shipped blueprint runs its offline and back-online actions (no delay here)."""
    await hass.async_add_executor_job(
        install_blueprint, Path(hass.config.path("blueprints", "automation", "odoo_epaper"))
    )
    fired: list[dict[str, Any]] = []

    @callback
    def record(event: Event) -> None:
        fired.append(dict(event.data))

    hass.bus.async_listen("sign_event", record)
    config = {
        "alias": "Sign offline",
        "use_blueprint": {
            "path": f"odoo_epaper/{BLUEPRINT.name}",
            "input": {
                "displays": ["binary_sensor.reception_problem"],
                "offline_for": {"hours": 0, "minutes": 0, "seconds": 0},
                "offline_actions": [
                    {
                        "event": "sign_event",
                        "event_data": {"what": "offline", "name": "{{ display_name }}"},
                    }
                ],
                "back_online_actions": [
                    {
                        "event": "sign_event",
                        "event_data": {"what": "online", "entity": "{{ display_entity }}"},
                    }
                ],
            },
        },
    }
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    assert hass.states.is_state("automation.sign_offline", "on")
    # A sign Odoo knows that never reported has a problem (never_connected) already when
    # the automation starts; its first status runs the "back online" actions.
    problem = "binary_sensor.reception_problem"
    offline = {"what": "offline", "name": "Reception"}  # the device's name
    online = {"what": "online", "entity": problem}
    await wait_until(lambda: hass.states.get(problem).attributes["reason"] == "never_connected")
    send_status(sat.client, "reception")
    await wait_until(lambda: len(fired) == 1)
    assert fired == [online]
    publish(sat.client, f"{PREFIX}reception/status", b"offline", retain=True)
    await wait_until(lambda: len(fired) == 2)
    assert fired[1] == offline
    assert hass.states.get(problem).attributes["reason"] == "offline"
    send_status(sat.client, "reception")
    await wait_until(lambda: len(fired) == 3)
    assert fired[2] == online

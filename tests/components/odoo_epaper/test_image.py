"""The image entity: a display's snapshot as Home Assistant serves it, with real MQTT."""

from __future__ import annotations

import io
from collections.abc import Callable
from http import HTTPStatus

import pytest
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from PIL import Image
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.odoo_epaper.image import PLACEHOLDER_SIZE
from testbed.ha_mqtt import async_mqtt_synced, publish
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import PREFIX, state_of
from tests.components.odoo_epaper.test_display_status import png_bytes

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.usefixtures("enable_all_entities"),
]


async def test_snapshot_image(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sat: OutsideSubscriber,
    hass_client: ClientSessionGenerator,
) -> None:
    """The image entity serves exactly the PNG the satellite published."""
    entry = init_integration
    assert state_of(hass, entry, "image", "snapshot", "reception").state == STATE_UNKNOWN
    png = png_bytes(400, 300)
    publish(sat.client, f"{PREFIX}reception/snapshot", png, retain=True, qos=0)
    await wait_until(
        lambda: state_of(hass, entry, "image", "snapshot", "reception").state != STATE_UNKNOWN
    )
    image = state_of(hass, entry, "image", "snapshot", "reception")
    client = await hass_client()
    response = await client.get(f"/api/image_proxy/{image.entity_id}")
    assert response.status == HTTPStatus.OK
    assert response.content_type == "image/png"
    assert await response.read() == png


async def test_no_image_until_the_first_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    hass_client: ClientSessionGenerator,
) -> None:
    """Before a snapshot the image entity offers no picture (a fetch gets a placeholder);
    after it, the PNG."""
    entry = init_integration
    door = subscriber_factory(f"{PREFIX}+/cmd")
    await async_mqtt_synced(hass, door.client)
    assert await async_setup_component(hass, "api", {})
    client = await hass_client()
    image = state_of(hass, entry, "image", "snapshot", "reception")
    response = await client.get(f"/api/states/{image.entity_id}")
    assert response.status == HTTPStatus.OK
    before = await response.json()
    assert before["state"] == STATE_UNKNOWN
    assert "entity_picture" not in before["attributes"]
    # A card or a direct fetch gets the placeholder, never an HTTP error.
    response = await client.get(f"/api/image_proxy/{image.entity_id}")
    assert response.status == HTTPStatus.OK
    assert response.content_type == "image/png"
    with Image.open(io.BytesIO(await response.read())) as placeholder:
        assert (placeholder.format, placeholder.size) == ("PNG", PLACEHOLDER_SIZE)

    png = png_bytes(400, 300)
    publish(door.client, f"{PREFIX}reception/snapshot", png, retain=True, qos=0)
    await wait_until(
        lambda: (
            "entity_picture" in state_of(hass, entry, "image", "snapshot", "reception").attributes
        )
    )
    response = await client.get(f"/api/states/{image.entity_id}")
    picture = (await response.json())["attributes"]["entity_picture"]
    response = await client.get(picture)
    assert response.status == HTTPStatus.OK
    assert await response.read() == png

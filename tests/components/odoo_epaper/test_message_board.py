"""The message board: messages per display, expiry on time, republish callback."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.odoo_epaper.message_board import MessageBoard


async def test_messages_expire_in_order(hass: HomeAssistant) -> None:
    """Each message disappears at its own time and its displays are republished."""
    expired: list[set[str]] = []

    async def on_expired(devices: set[str]) -> None:
        expired.append(devices)

    board = MessageBoard(hass, on_expired)
    now = dt_util.utcnow()
    board.async_post(["reception", "lab"], "Fire drill", now + timedelta(minutes=5))
    board.async_post(["boardroom"], "Closed", now + timedelta(minutes=10))
    message = board.active(now).get("reception")
    assert message is not None
    assert message.as_payload()["text"] == "Fire drill"
    assert message.as_payload()["until"].endswith("Z")
    assert set(board.active(now)) == {"reception", "lab", "boardroom"}
    assert board.active(now).get("nobody") is None

    async_fire_time_changed(hass, now + timedelta(minutes=5, seconds=1))
    await hass.async_block_till_done()
    assert expired == [{"reception", "lab"}]
    assert board.active(now + timedelta(minutes=6)).get("reception") is None
    assert board.active(now + timedelta(minutes=6)).get("boardroom") is not None

    async_fire_time_changed(hass, now + timedelta(minutes=10, seconds=1))
    await hass.async_block_till_done()
    assert expired == [{"reception", "lab"}, {"boardroom"}]
    assert board.active(now + timedelta(minutes=11)) == {}
    board.async_stop()


async def test_replacing_a_message_and_stopping(hass: HomeAssistant) -> None:
    """A new message replaces the old one; a stopped board fires nothing."""
    expired: list[set[str]] = []

    async def on_expired(devices: set[str]) -> None:
        expired.append(devices)

    board = MessageBoard(hass, on_expired)
    now = dt_util.utcnow()
    board.async_post(["reception"], "First", now + timedelta(minutes=1))
    board.async_post(["reception"], "Second", now + timedelta(minutes=30))
    async_fire_time_changed(hass, now + timedelta(minutes=2))
    await hass.async_block_till_done()
    assert expired == []
    message = board.active(now + timedelta(minutes=2)).get("reception")
    assert message is not None
    assert message.text == "Second"
    board.async_stop()
    async_fire_time_changed(hass, now + timedelta(minutes=31))
    await hass.async_block_till_done()
    assert expired == []

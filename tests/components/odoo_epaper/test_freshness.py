"""Does each door show the latest content? The hash the hub published against the door's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from epaper_satellite.wire import content_hash as door_hash
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.display_state import DisplayState
from custom_components.odoo_epaper.display_status import DisplayStatus
from custom_components.odoo_epaper.freshness import BEHIND_GRACE, freshness
from custom_components.odoo_epaper.publisher import PublishedData
from testbed.ha_mqtt import async_mqtt_synced, publish
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import PREFIX, send_status, state_of

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.usefixtures("enable_all_entities"),
]
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _published(at: datetime, content: str = "a" * 16) -> PublishedData:
    return PublishedData(
        topic=f"{PREFIX}door/data",
        content_hash=content,
        valid_until=at + timedelta(hours=12),
        published_at=at,
    )


def _door(content: str | None, *, online: bool = True, since: datetime = T0) -> DisplayState:
    status = DisplayStatus(state="online" if online else "offline", content_hash=content)
    return DisplayState(prefix=PREFIX, status=status, online_since=since if online else None)


def test_freshness_rules() -> None:
    """Behind from the later of publish and coming online; a problem after BEHIND_GRACE."""
    fresh = freshness(_published(T0), _door("a" * 16))
    assert (fresh.up_to_date, fresh.behind_since) == (True, None)
    late = T0 + timedelta(minutes=2)
    behind = freshness(_published(T0), _door("b" * 16, since=late))
    assert behind.up_to_date is False
    assert behind.behind_since == late
    assert not behind.lagging(late + BEHIND_GRACE - timedelta(seconds=1))
    assert behind.lagging(late + BEHIND_GRACE)
    assert freshness(_published(late), _door("b" * 16)).behind_since == late
    offline = freshness(_published(T0), _door("b" * 16, online=False))
    assert (offline.up_to_date, offline.behind_since) == (False, None)
    # An offline door still shows what its last online status named.
    went_offline = replace(
        _door(None, online=False), shown=DisplayStatus(state="online", content_hash="a" * 16)
    )
    assert freshness(_published(T0), went_offline).up_to_date is True
    assert freshness(None, _door("b" * 16)).up_to_date is None
    assert freshness(_published(T0), None).up_to_date is None
    assert freshness(_published(T0), _door(None)).behind_since == T0
    blank = replace(_door(None), cleared=True)
    cleared = freshness(_published(T0), blank)
    assert (cleared.cleared, cleared.up_to_date, cleared.behind_since) == (True, None, None)
    redrawn = freshness(_published(T0), replace(_door("b" * 16), cleared=True))
    assert (redrawn.cleared, redrawn.behind_since) == (False, T0)


async def test_content_sensor_and_problem(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Up to date, behind, a problem after the grace while online, fine again when redrawn."""
    entry = init_integration
    grace = 3.0
    monkeypatch.setattr(
        "custom_components.odoo_epaper.freshness.BEHIND_GRACE", timedelta(seconds=grace)
    )
    door = subscriber_factory(f"{PREFIX}reception/data")
    await async_mqtt_synced(hass, door.client)
    (retained,) = await door.wait_for(lambda messages: len(messages) == 1)
    published = door_hash(retained.payload)

    def content() -> str:
        return state_of(hass, entry, "sensor", "content", "reception").state

    def problem() -> str:
        return state_of(hass, entry, "binary_sensor", "problem", "reception").state

    assert content() == STATE_UNKNOWN
    send_status(door.client, "reception", content_hash=published, error=None)
    await wait_until(lambda: content() == "up_to_date")
    shown = state_of(hass, entry, "sensor", "content", "reception").attributes
    assert shown["published_hash"] == shown["shown_hash"] == published
    assert problem() == STATE_OFF

    send_status(door.client, "reception", content_hash="0123456789abcdef", error=None)
    await wait_until(lambda: content() == "behind")
    assert problem() == STATE_OFF  # not yet: a redraw may be under way
    behind_since = state_of(hass, entry, "binary_sensor", "problem", "reception").attributes[
        "behind_since"
    ]
    assert behind_since is not None
    await wait_until(lambda: problem() == STATE_ON, grace + 10)
    lagging = state_of(hass, entry, "binary_sensor", "problem", "reception").attributes
    assert (lagging["error"], lagging["reason"]) == (None, "behind")
    assert state_of(hass, entry, "sensor", "problem_reason", "reception").state == "behind"

    publish(door.client, f"{PREFIX}reception/status", b'{"state":"offline"}', retain=True)
    await wait_until(
        lambda: (
            state_of(hass, entry, "binary_sensor", "problem", "reception").attributes["reason"]
            == "offline"
        )
    )
    assert problem() == STATE_ON
    # The last will names no content, but the panel keeps what it drew: still behind.
    assert content() == "behind"

    send_status(door.client, "reception", content_hash=published, error=None)
    await wait_until(lambda: content() == "up_to_date")
    assert problem() == STATE_OFF


async def test_a_cleared_door_is_not_behind(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """A door blanked with ``clear`` that reports no content is ``cleared``, no problem;
    once it draws the published content again it is up to date."""
    entry = init_integration
    door = subscriber_factory(f"{PREFIX}reception/data")
    await async_mqtt_synced(hass, door.client)
    (retained,) = await door.wait_for(lambda messages: len(messages) == 1)
    published = door_hash(retained.payload)

    def content() -> str:
        return state_of(hass, entry, "sensor", "content", "reception").state

    def problem() -> State:
        return state_of(hass, entry, "binary_sensor", "problem", "reception")

    send_status(door.client, "reception", content_hash=published, error=None)
    await wait_until(lambda: content() == "up_to_date")
    publish(door.client, f"{PREFIX}reception/cmd", b'{"cmd":"clear"}', retain=False)
    send_status(door.client, "reception", content_hash=None, error=None)
    await wait_until(lambda: content() == "cleared")
    assert problem().state == STATE_OFF
    assert problem().attributes["behind_since"] is None  # no problem after the grace either
    assert state_of(hass, entry, "sensor", "content", "reception").attributes["shown_hash"] is None

    send_status(door.client, "reception", content_hash=published, error=None)
    await wait_until(lambda: content() == "up_to_date")
    # Without a new clear, a door that loses its content again is behind.
    send_status(door.client, "reception", content_hash=None, error=None)
    await wait_until(lambda: problem().attributes["behind_since"] is not None)
    assert content() == STATE_UNKNOWN

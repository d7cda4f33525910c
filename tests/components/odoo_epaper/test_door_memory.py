"""The hub's memory of door requests: first answers by id, bounded; the token bucket."""

from __future__ import annotations

from custom_components.odoo_epaper.door_memory import (
    BURST,
    IDS_PER_DOOR,
    MAX_DOORS,
    REFILL_SECONDS,
    REMEMBER_SECONDS,
    THROTTLED,
    DoorMemory,
)
from custom_components.odoo_epaper.door_requests import HUB_REFUSALS
from tests.fixtures.vectors import load_vectors

DOOR = ("odoo_epaper/", "reception")


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_an_answer_is_recalled_for_a_day_then_forgotten() -> None:
    """A repeat within REMEMBER_SECONDS gets the first outcome; later the id is new."""
    clock = Clock()
    memory = DoorMemory(clock)
    assert memory.recall(DOOR, "k-1") is None
    memory.remember(DOOR, "k-1").set_result("room_busy")
    clock.now += REMEMBER_SECONDS - 1
    outcome = memory.recall(DOOR, "k-1")
    assert outcome is not None and outcome.result() == "room_busy"
    assert memory.recall(("odoo_epaper/", "lobby"), "k-1") is None  # per door
    clock.now += 2
    assert memory.recall(DOOR, "k-1") is None
    assert len(memory) == 0


async def test_a_running_request_is_recalled_before_it_has_an_answer() -> None:
    """A repeat while the first is still with Odoo waits for the same outcome."""
    memory = DoorMemory(Clock())
    outcome = memory.remember(DOOR, "k-1")
    again = memory.recall(DOOR, "k-1")
    assert again is outcome and not again.done()
    outcome.set_result(None)
    assert await again is None


async def test_memory_is_bounded_per_door_and_in_doors() -> None:
    """Whatever a door sends, at most IDS_PER_DOOR answers per door and MAX_DOORS doors."""
    memory = DoorMemory(Clock())
    for n in range(IDS_PER_DOOR * 3):
        memory.remember(DOOR, f"k-{n}").set_result(None)
    assert len(memory) == IDS_PER_DOOR
    assert memory.recall(DOOR, f"k-{IDS_PER_DOOR * 3 - 1}") is not None
    assert memory.recall(DOOR, "k-0") is None  # the oldest went first
    for n in range(MAX_DOORS + 10):
        memory.remember(("p/", f"door-{n}"), "k").set_result(None)
    assert len(memory) == MAX_DOORS


async def test_the_bucket_allows_a_burst_then_one_request_per_refill() -> None:
    """BURST at once, then throttled until REFILL_SECONDS passed; other doors unaffected."""
    clock = Clock()
    memory = DoorMemory(clock)
    assert [memory.admit(DOOR) for _ in range(BURST + 2)] == [True] * BURST + [False] * 2
    assert memory.admit(("odoo_epaper/", "lobby"))
    clock.now += REFILL_SECONDS
    assert memory.admit(DOOR)
    assert not memory.admit(DOOR)
    clock.now += REFILL_SECONDS * BURST * 10  # a quiet hour fills the bucket, no more
    assert [memory.admit(DOOR) for _ in range(BURST + 1)] == [True] * BURST + [False]


def test_the_contract_s_vectors_hold_the_hub_s_bounds_and_codes() -> None:
    """tests/vectors/actions.json says what the hub does: replay window, bucket, codes."""
    vectors = load_vectors("actions")
    assert vectors["replay"]["remember_seconds"] == REMEMBER_SECONDS
    assert vectors["replay"]["ids_per_door"] == IDS_PER_DOOR
    assert vectors["throttle"] == vectors["throttle"] | {
        "burst": BURST,
        "refill_seconds": REFILL_SECONDS,
    }
    assert vectors["answers"]["hub"] == list(HUB_REFUSALS)
    assert THROTTLED in HUB_REFUSALS

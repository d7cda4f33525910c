"""The addon answers the doors' ``/action`` itself (Odoo as publisher): tests/vectors/
actions.json feeds the addon's plain desk (``epaper_doors``) and the hub's parser alike."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from custom_components.odoo_epaper.wire import ActionError as HubActionError
from custom_components.odoo_epaper.wire import parse_action as hub_parse_action
from testbed.addon_code import load_plain_package
from tests.fixtures.vectors import load_vectors, raw_payload

doors: Any = load_plain_package("epaper_doors")
VECTORS = load_vectors("actions")
DOOR = ("odoo_epaper/", "reception")


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Odoo:
    """A stand-in for the Odoo glue: counts what it performs, answers ``code``."""

    def __init__(self, code: str | None = None) -> None:
        self.code = code
        self.performed: list[tuple[str, Any]] = []

    def __call__(self, device: str, request: Any) -> str | None:
        self.performed.append((device, request))
        return self.code


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_vectors_parse_as_the_hub_parses(case: dict[str, Any]) -> None:
    """Same request, or same refusal reason and ack id, from the addon and the hub."""
    raw = raw_payload(case)
    if case["valid"]:
        request = doors.parse_action(raw)
        hub = hub_parse_action(raw)
        assert (request.id, request.action, request.minutes) == (hub.id, hub.action, hub.minutes)
        assert (request.action, request.minutes) == (case["action"], case["minutes"])
        return
    with pytest.raises(doors.ActionError) as addon_err:
        doors.parse_action(raw)
    with pytest.raises(HubActionError) as hub_err:
        hub_parse_action(raw)
    assert addon_err.value.reason == hub_err.value.reason == case["reason"]
    assert addon_err.value.ack_id == hub_err.value.ack_id == case.get("ack_id")


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_vectors_are_answered_on_ack(case: dict[str, Any]) -> None:
    """Valid: performed once, answered ok; invalid with an id: ``invalid_request``;
    without an id: no answer."""
    odoo = Odoo()
    answer = doors.DoorDesk().handle(DOOR, raw_payload(case), odoo)
    if case["valid"]:
        assert answer == (case["payload"]["id"], None)
        assert len(odoo.performed) == 1
    elif case.get("ack_id") is not None:
        assert answer == (case["ack_id"], doors.INVALID_REQUEST)
        assert not odoo.performed
    else:
        assert answer is None
    if answer is not None:
        ack = json.loads(doors.ack_bytes(answer))
        assert ack == {"id": answer[0], "ok": answer[1] is None, "error": answer[1]}


def test_the_vectors_bounds_are_the_addons() -> None:
    """Replay window, ids per door, bucket: the contract's numbers."""
    assert VECTORS["replay"]["remember_seconds"] == doors.REMEMBER_SECONDS
    assert VECTORS["replay"]["ids_per_door"] == doors.IDS_PER_DOOR
    assert VECTORS["throttle"]["burst"] == doors.BURST
    assert VECTORS["throttle"]["refill_seconds"] == doors.REFILL_SECONDS
    assert doors.THROTTLED in VECTORS["answers"]["hub"]
    assert doors.INVALID_REQUEST in VECTORS["answers"]["hub"]


def _request(request_id: str, action: str = "end_now") -> bytes:
    return json.dumps({"id": request_id, "action": action}).encode()


def test_a_replay_gets_the_first_answer_and_is_not_performed_again() -> None:
    """Within a day, the door's last ids_per_door ids; whatever comes with the repeat."""
    clock = Clock()
    desk = doors.DoorDesk(doors.DoorMemory(clock))
    odoo = Odoo("room_free")
    assert desk.handle(DOOR, _request("k-1"), odoo) == ("k-1", "room_free")
    odoo.code = None
    assert desk.handle(DOOR, _request("k-1", "check_in"), odoo) == ("k-1", "room_free")
    assert len(odoo.performed) == 1
    assert desk.handle(("odoo_epaper/", "hall"), _request("k-1"), odoo) == ("k-1", None)
    clock.now += doors.REMEMBER_SECONDS
    assert desk.handle(DOOR, _request("k-1"), odoo) == ("k-1", None)
    assert len(odoo.performed) == 3


def test_only_the_last_ids_are_remembered() -> None:
    """The oldest of ids_per_door + 1 ids is a new request again."""
    clock = Clock()
    desk = doors.DoorDesk(doors.DoorMemory(clock))
    odoo = Odoo()
    for n in range(doors.IDS_PER_DOOR + 1):
        clock.now += doors.REFILL_SECONDS
        desk.handle(DOOR, _request(f"k-{n}"), odoo)
    assert len(odoo.performed) == doors.IDS_PER_DOOR + 1
    clock.now += doors.REFILL_SECONDS
    desk.handle(DOOR, _request(f"k-{doors.IDS_PER_DOOR}"), odoo)  # the newest: remembered
    assert len(odoo.performed) == doors.IDS_PER_DOOR + 1
    clock.now += doors.REFILL_SECONDS
    desk.handle(DOOR, _request("k-0"), odoo)  # the oldest: forgotten
    assert len(odoo.performed) == doors.IDS_PER_DOOR + 2


def test_a_flood_is_throttled_and_not_remembered() -> None:
    """burst at once, then ``throttled`` (valid or not) until refill_seconds passed; a
    throttled id sent again later is performed; other doors are not slowed."""
    clock = Clock()
    desk = doors.DoorDesk(doors.DoorMemory(clock))
    odoo = Odoo()
    answers = [desk.handle(DOOR, _request(f"k-{n}"), odoo) for n in range(doors.BURST + 1)]
    assert answers[-1] == (f"k-{doors.BURST}", doors.THROTTLED)
    assert all(error is None for _id, error in answers[:-1])
    bad = json.dumps({"id": "k-bad", "action": "dance"}).encode()
    assert desk.handle(DOOR, bad, odoo) == ("k-bad", doors.THROTTLED)
    assert desk.handle(("odoo_epaper/", "hall"), _request("h-1"), odoo) == ("h-1", None)
    clock.now += doors.REFILL_SECONDS
    assert desk.handle(DOOR, _request(f"k-{doors.BURST}"), odoo) == (f"k-{doors.BURST}", None)
    assert len(odoo.performed) == doors.BURST + 2


def test_a_repeat_while_the_first_runs_waits_for_its_answer() -> None:
    """QoS 1 redelivery during a slow Odoo: one performance, both answered alike."""
    desk = doors.DoorDesk()
    release = threading.Event()
    odoo = Odoo("overlap")

    def slow(device: str, request: Any) -> str | None:
        release.wait(5)
        return odoo(device, request)

    answers: list[Any] = []
    first = threading.Thread(target=lambda: answers.append(desk.handle(DOOR, _request("k"), slow)))
    first.start()
    while desk.memory.recall(DOOR, "k") is None:
        threading.Event().wait(0.01)
    second = threading.Thread(target=lambda: answers.append(desk.handle(DOOR, _request("k"), slow)))
    second.start()
    release.set()
    first.join(5)
    second.join(5)
    assert answers == [("k", "overlap"), ("k", "overlap")]
    assert len(odoo.performed) == 1


def test_a_failing_perform_is_answered_odoo_unavailable() -> None:
    """An exception in the Odoo glue is an answer too, and the repeat gets the same."""
    desk = doors.DoorDesk()

    def broken(_device: str, _request: Any) -> str | None:
        raise RuntimeError("database gone")

    assert desk.handle(DOOR, _request("k"), broken) == ("k", doors.ODOO_UNAVAILABLE)
    assert desk.handle(DOOR, _request("k"), Odoo()) == ("k", doors.ODOO_UNAVAILABLE)


def test_desks_sharing_a_ledger_perform_an_id_once() -> None:
    """Two workers (or one after a restart: a new desk) share the first answers through
    their ledger (the database's in Odoo): a replay at the other desk is not performed
    again, though each desk keeps its own throttle."""
    ledger = doors.MemoryLedger(doors.DoorMemory())
    first, restarted = doors.DoorDesk(ledger=ledger), doors.DoorDesk(ledger=ledger)
    odoo = Odoo("room_busy")
    assert first.handle(DOOR, _request("k-1"), odoo) == ("k-1", "room_busy")
    odoo.code = None
    assert restarted.handle(DOOR, _request("k-1"), odoo) == ("k-1", "room_busy")
    assert len(odoo.performed) == 1
    bad = json.dumps({"id": "k-2", "action": "dance"}).encode()
    assert first.handle(DOOR, bad, odoo) == ("k-2", doors.INVALID_REQUEST)
    assert restarted.handle(DOOR, _request("k-2"), odoo) == ("k-2", doors.INVALID_REQUEST)
    assert len(odoo.performed) == 1
    assert first.memory is not restarted.memory


class SlowLedger:
    """A ledger whose first request of an id is still running in another worker."""

    def recall(self, door: Any, request_id: str) -> Any:
        """Nothing committed yet."""
        return None

    def once(self, door: Any, request_id: str, perform: Any) -> str | None:
        """The other worker holds the id past the wait."""
        raise TimeoutError("still running")


def test_a_ledger_that_cannot_say_is_answered_odoo_unavailable() -> None:
    """When the first request of an id outlasts the wait, the repeat is answered
    ``odoo_unavailable`` and not performed."""
    odoo = Odoo()
    desk = doors.DoorDesk(ledger=SlowLedger())
    assert desk.handle(DOOR, _request("k"), odoo) == ("k", doors.ODOO_UNAVAILABLE)
    assert not odoo.performed

"""The addon's plain booking rules (``connection_conf/epaper_booking``): door actions,
overlaps, check-in deadlines and no-show release, without Odoo."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from testbed.addon_code import load_plain_package
from tests.fixtures.vectors import load_vectors

rules = load_plain_package("epaper_booking")
Booking, BookingRefused = rules.Booking, rules.BookingRefused
T0 = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    """T0 plus ``minutes``."""
    return T0 + dt.timedelta(minutes=minutes)


MEETING = Booking("calendar.event,1", at(60), at(120))


def refused(code: str, *args: object, **kwargs: object) -> None:
    """Assert ``plan_door_action`` refuses with ``code``."""
    with pytest.raises(BookingRefused) as err:
        rules.plan_door_action(*args, **kwargs)
    assert err.value.code == code
    assert str(err.value)


def test_book_now_runs_for_the_minutes_asked_from_the_whole_minute() -> None:
    """Free all morning: 30 minutes from 10:05:00 when pressed at 10:05:40."""
    plan = rules.plan_door_action("book_now", at(5 + 40 / 60), [MEETING], 30)
    assert (plan.kind, plan.start, plan.end) == ("create", at(5), at(35))


def test_book_now_stops_at_the_next_booking_and_refuses_a_stub() -> None:
    """At 10:50 a 30-minute booking ends at 11:00; at 10:56 fewer than 5 minutes remain."""
    assert rules.plan_door_action("book_now", at(50), [MEETING], 30).end == at(60)
    refused("too_short", "book_now", at(56), [MEETING], 30)
    refused("room_busy", "book_now", at(61), [MEETING], 15)
    refused("bad_minutes", "book_now", at(0), [MEETING], None)
    refused("bad_minutes", "book_now", at(0), [MEETING], 0)
    refused("bad_minutes", "book_now", at(0), [MEETING], True)


def test_extend_needs_a_running_meeting_and_free_time_after() -> None:
    """Extend moves the end by 15 minutes unless the room is booked after."""
    plan = rules.plan_door_action("extend", at(90), [MEETING])
    assert (plan.kind, plan.ref, plan.end) == ("set_end", MEETING.ref, at(135))
    following = Booking("calendar.event,2", at(125), at(150))
    refused("not_free_after", "extend", at(90), [MEETING, following], 15)
    refused("room_free", "extend", at(30), [MEETING], 15)


def test_end_now_and_check_in() -> None:
    """end_now ends the running meeting now; check_in takes the running or a soon one."""
    assert rules.plan_door_action("end_now", at(70), [MEETING]).end == at(70)
    refused("room_free", "end_now", at(10), [MEETING])
    assert rules.plan_door_action("check_in", at(50), [MEETING]).ref == MEETING.ref
    assert rules.plan_door_action("check_in", at(65), [MEETING]).ref == MEETING.ref
    refused("nothing_to_check_in", "check_in", at(30), [MEETING])
    done = Booking(MEETING.ref, MEETING.start, MEETING.end, checked_in=True)
    refused("nothing_to_check_in", "check_in", at(70), [done])
    refused("bad_action", "dance", at(70), [done])


def test_current_is_the_latest_start_covering_now() -> None:
    """DESIGN 3a: overlapping bookings, the one that started last is current."""
    inner = Booking("room.booking,9", at(80), at(100))
    assert rules.plan_door_action("end_now", at(90), [MEETING, inner]).ref == inner.ref


def test_plan_booking_refuses_overlaps_only() -> None:
    """Back to back is fine; any overlap is refused; an empty window too."""
    assert rules.plan_booking(at(120), at(150), [MEETING]).start == at(120)
    assert rules.plan_booking(at(30), at(60), [MEETING]).end == at(60)
    for start, end, code in [(at(30), at(61), "overlap"), (at(90), at(90), "bad_window")]:
        with pytest.raises(BookingRefused) as err:
            rules.plan_booking(start, end, [MEETING])
        assert err.value.code == code


def test_no_show_release_after_the_grace_period() -> None:
    """Check-in within 10 minutes: released from 11:10 until the end, unless checked in."""
    assert rules.check_in_until(MEETING, 10) == at(70)
    assert rules.check_in_until(MEETING, 0) is None
    assert rules.no_shows([MEETING], at(69), 10) == []
    assert rules.no_shows([MEETING], at(70), 10) == [MEETING]
    assert rules.no_shows([MEETING], at(120), 10) == []
    assert rules.no_shows([MEETING], at(90), 0) == []
    done = Booking(MEETING.ref, MEETING.start, MEETING.end, checked_in=True)
    assert rules.no_shows([done], at(90), 10) == []


minutes = st.integers(min_value=0, max_value=600)


@given(
    st.lists(st.tuples(minutes, st.integers(1, 120)), max_size=6),
    minutes,
    st.sampled_from(rules.ACTIONS),
    st.integers(1, 60),
)
def test_no_accepted_plan_ever_double_books(
    spans: list[tuple[int, int]], now: int, action: str, length: int
) -> None:
    """Whatever the bookings, a planned new booking or new end overlaps no other booking."""
    bookings = [Booking(f"x,{i}", at(s), at(s + d)) for i, (s, d) in enumerate(spans)]
    try:
        plan = rules.plan_door_action(action, at(now), bookings, length)
    except BookingRefused:
        return
    if plan.kind == "create":
        assert not [b for b in bookings if b.start < plan.end and plan.start < b.end]
        assert plan.start <= at(now) < plan.end
    elif plan.kind == "set_end" and action == "extend":
        old = next(b for b in bookings if b.ref == plan.ref)
        assert not [
            b
            for b in bookings
            if b.ref != old.ref and b.start < plan.end and old.end < b.end and b.start >= old.end
        ]


def apply(bookings: list[Any], plan: Any) -> list[Any]:
    """The room's bookings after ``plan`` was written (as the addon writes it)."""
    if plan.kind == "create":
        return [*bookings, Booking(f"x,{len(bookings)}", plan.start, plan.end)]
    if plan.kind == "set_end":
        return [Booking(b.ref, b.start, plan.end) if b.ref == plan.ref else b for b in bookings]
    return bookings


def test_a_door_booking_never_exceeds_the_longest_booking_in_total() -> None:
    """book_now 120, then extend 120 eleven times (the 24 h booking of issue 22): with a
    longest booking of 120 minutes the booking stays 120 minutes long."""
    bookings: list[Any] = []
    bookings = apply(bookings, rules.plan_door_action("book_now", at(0), bookings, 120, 120))
    for press in range(11):
        refused("too_long", "extend", at(press), bookings, 120, max_minutes=120)
    assert [(b.start, b.end) for b in bookings] == [(at(0), at(120))]
    refused("too_long", "book_now", at(0), [], 121, max_minutes=120)


def test_extend_is_cut_at_the_longest_booking() -> None:
    """A 60-minute booking extended by 120 with a longest booking of 90 ends at 90."""
    plan = rules.plan_door_action("extend", at(90), [MEETING], 120, max_minutes=90)
    assert plan.end == MEETING.start + dt.timedelta(minutes=90)
    # Without the hub's bound a door still never books past 24 hours in total.
    day = Booking("x,9", at(0), at(24 * 60 - 10))
    assert rules.plan_door_action("extend", at(30), [day], 60).end == at(24 * 60)
    refused("too_long", "extend", at(30), [Booking("x,9", at(0), at(24 * 60))], 15)


@given(
    st.lists(
        st.tuples(st.sampled_from(rules.ACTIONS), st.integers(1, 240), st.integers(0, 90)),
        max_size=30,
    ),
    st.integers(5, 240),
)
def test_no_sequence_of_door_actions_books_longer_than_the_longest_booking(
    presses: list[tuple[str, int, int]], longest: int
) -> None:
    """Whatever a door presses, and when, no booking it made is longer than ``longest``."""
    bookings: list[Any] = []
    now = 0
    for action, length, wait in presses:
        now += wait
        with_minutes = action in ("book_now", "extend")
        try:
            plan = rules.plan_door_action(
                action, at(now), bookings, length if with_minutes else None, longest
            )
        except BookingRefused:
            continue
        bookings = apply(bookings, plan)
        assert all(b.end - b.start <= dt.timedelta(minutes=longest) for b in bookings)


def test_the_contract_s_vectors_hold_the_rules_codes_and_default_bound() -> None:
    """tests/vectors/actions.json lists every refusal code of the rules (the /ack errors)."""
    vectors = load_vectors("actions")
    assert vectors["answers"]["addon"] == sorted(rules.rules.MESSAGES)
    assert vectors["longest_booking"]["default_minutes"] == rules.rules.MAX_MINUTES


def test_schedule_entry_carries_ref_and_check_in_deadline() -> None:
    """The schedule answer names each booking and, while check-in is due, its deadline."""
    answer = load_plain_package("epaper_schedule").answer
    booking = answer.Booking(
        title="Board", organizer=None, private=False, start=at(60), end=at(120), ref="x,1"
    )
    assert answer.event_entry(booking, "UTC")["ref"] == "x,1"
    assert "check_in_until" not in answer.event_entry(booking, "UTC")
    assert answer.event_entry(booking, "UTC", 10)["check_in_until"] == "2026-11-27T11:10:00Z"
    done = answer.Booking(
        title="Board", organizer=None, private=False, start=at(60), end=at(120), checked_in=True
    )
    assert "check_in_until" not in answer.event_entry(done, "UTC", 10)

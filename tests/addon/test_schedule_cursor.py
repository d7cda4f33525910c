"""The cursor of incremental schedules (``epaper_schedule.cursor``), without Odoo."""

from __future__ import annotations

import importlib
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from testbed.addon_code import load_plain_package

load_plain_package("epaper_schedule")
cursor_rules: Any = importlib.import_module("epaper_schedule.cursor")
Cursor = cursor_rules.Cursor
QUERY = cursor_rules.query_key("2026-04-06T00:00:00Z", "2026-04-13T00:00:00Z", None, None, None)


def test_round_trip_and_garbage() -> None:
    """encode/decode give the same cursor; anything else decodes to None."""
    cursor = Cursor(QUERY, 41, 1000.5, ((39, 990.0),))
    assert Cursor.decode(cursor.encode()) == cursor
    for junk in (None, "", 17, "not base64!", "e30", cursor.encode()[:-3], "x" * 200_000):
        assert Cursor.decode(junk) is None


def test_usable_only_for_its_question_and_within_retention() -> None:
    """Another window or filter, or a cursor older than the log: a full answer."""
    cursor = Cursor(QUERY, 5, 1000.0)
    other = cursor_rules.query_key("2026-04-07T00:00:00Z", "2026-04-14T00:00:00Z", None, None, None)
    assert cursor.usable(QUERY, 1001.0)
    assert not cursor.usable(other, 1001.0)
    assert not cursor.usable(QUERY, 1000.0 + cursor_rules.RETENTION)
    assert not cursor.usable(QUERY, 999.0)  # from the future: a clock jumped


def test_a_cursor_is_usable_the_moment_it_is_issued() -> None:
    """Its text keeps milliseconds, rounded down: sent back within the same millisecond
    (an unchanged schedule answers that fast) it is still incremental, not full."""
    for issued in (1000.0006, 1000.0004, 1000.9999, 1_780_000_000.123_456):
        decoded = Cursor.decode(Cursor(QUERY, 5, issued).encode())
        assert decoded.issued <= issued
        assert decoded.usable(QUERY, issued)


def test_a_late_commit_is_seen_once() -> None:
    """Row 7 commits after row 8 was read: it is a gap, then seen once, then forgotten."""
    cursor = Cursor(QUERY, 5, 0.0)
    changed, cursor = cursor.advance([(6, "kiel"), (8, "lindau")], 10.0)
    assert changed == {"kiel", "lindau"}
    assert (cursor.last, cursor.wanted_ids()) == (8, [7])
    changed, cursor = cursor.advance([(7, "bay")], 20.0)
    assert changed == {"bay"}
    assert (cursor.last, cursor.wanted_ids()) == (8, [])
    changed, cursor = cursor.advance([], 30.0)
    assert changed == set()


def test_a_gap_is_dropped_after_its_ttl() -> None:
    """A rolled-back id is looked for until GAP_TTL, then given up."""
    _, cursor = Cursor(QUERY, 1, 0.0).advance([(3, "kiel")], 0.0)
    assert cursor.wanted_ids() == [2]
    _, cursor = cursor.advance([], cursor_rules.GAP_TTL - 1)
    assert cursor.wanted_ids() == [2]
    _, cursor = cursor.advance([], cursor_rules.GAP_TTL + 1)
    assert cursor.wanted_ids() == []


def test_too_many_gaps_make_the_next_answer_full() -> None:
    """A burst of rolled-back ids: the next cursor fits no question."""
    _, cursor = Cursor(QUERY, 0, 0.0).advance([(cursor_rules.MAX_GAPS + 5, "kiel")], 0.0)
    assert not cursor.usable(QUERY, 1.0)


def test_answers() -> None:
    """Incremental answers name what they lack as removed; full ones remove nothing."""
    answer = {"api": 1, "displays": [{"device": "kiel", "events": []}]}
    cursor = Cursor(QUERY, 3, 0.0)
    incremental = cursor_rules.incremental_answer(answer, ["kiel", "lindau"], cursor)
    assert incremental["removed"] == ["lindau"]
    assert incremental["full"] is False
    assert Cursor.decode(incremental["cursor"]) == cursor
    full = cursor_rules.full_answer(answer, cursor)
    assert (full["removed"], full["full"], full["api"]) == ([], True, 1)


@given(
    st.lists(
        st.tuples(st.integers(1, 60), st.sampled_from(["a", "b", "c"])), unique_by=lambda r: r[0]
    ),
    st.lists(st.integers(1, 8), min_size=1, max_size=8),
)
def test_every_row_is_seen_exactly_once_whatever_the_commit_order(
    rows: list[tuple[int, str]], batches: list[int]
) -> None:
    """Rows become visible in any order; each reaches the caller once (ids never reused)."""
    rows = sorted(rows, key=lambda r: (r[0] * 7919) % 61)  # a commit order unlike the ids
    visible: list[tuple[int, str]] = []
    cursor = Cursor(QUERY, 0, 0.0)
    seen: list[int] = []
    position = 0
    for batch in [*batches, len(rows)]:
        visible += rows[position : position + batch]
        position += batch
        wanted = set(cursor.wanted_ids())
        read = [r for r in visible if r[0] > cursor.last or r[0] in wanted]
        _, cursor = cursor.advance(read, 1.0)
        seen += [r[0] for r in read]
    assert sorted(seen) == sorted(r[0] for r in rows)


def test_a_full_answer_remembers_uncommitted_ids() -> None:
    """Ids missing among the newest ones at a full answer are looked for later."""
    cursor = cursor_rules.start_cursor(QUERY, [3, 4, 7, 9], 5.0)
    assert (cursor.last, cursor.wanted_ids()) == (9, [5, 6, 8])
    assert cursor_rules.start_cursor(QUERY, [], 5.0).last == 0


def test_answer_with_cursor_flow() -> None:
    """Full, then only what the log names, then nothing; the filter limits both."""
    log: list[tuple[int, str]] = []
    asked: list[list[str] | None] = []

    def answer_for(names: list[str] | None, after: str | None, limit: int | None) -> dict[str, Any]:
        assert (after, limit) == (None, None)
        asked.append(names)
        present = ["kiel", "lindau"] if names is None else [n for n in names if n != "gone"]
        return {"api": 1, "displays": [{"device": name, "events": []} for name in present]}

    def call(cursor: str | None, devices: list[str] | None = None) -> dict[str, Any]:
        return cursor_rules.answer_with_cursor(
            cursor,
            QUERY,
            10.0,
            recent_ids=lambda: [row_id for row_id, _ in log],
            read_log=lambda after, ids: [r for r in log if r[0] > after or r[0] in ids],
            answer_for=answer_for,
            devices=devices,
        )

    first = call(None)
    assert (first["full"], len(first["displays"])) == (True, 2)
    log.extend([(1, "kiel"), (2, "gone")])
    second = call(first["cursor"])
    assert (second["full"], asked[-1]) == (False, ["gone", "kiel"])
    assert [d["device"] for d in second["displays"]] == ["kiel"]
    assert second["removed"] == ["gone"]
    asked.clear()
    third = call(second["cursor"])
    assert (third["displays"], third["removed"], asked) == ([], [], [])


FLEET = [f"door-{n:03d}" for n in range(23)]


def fleet_answer(deleted: set[str]) -> Any:
    """An answer_for over FLEET (minus ``deleted``) that honours names, after and limit."""

    def answer_for(names: list[str] | None, after: str | None, limit: int | None) -> dict[str, Any]:
        present = [n for n in FLEET if n not in deleted and (names is None or n in names)]
        present = [n for n in present if after is None or n > after][:limit]
        return {"api": 1, "displays": [{"device": name, "events": []} for name in present]}

    return answer_for


def paged_call(log: list[tuple[int, str]], deleted: set[str], **kwargs: Any) -> dict[str, Any]:
    """One epaper_schedule call over FLEET through answer_with_cursor."""
    return cursor_rules.answer_with_cursor(
        kwargs.pop("cursor", None),
        QUERY,
        10.0,
        recent_ids=lambda: [row_id for row_id, _ in log],
        read_log=lambda after, ids: [r for r in log if r[0] > after or r[0] in ids],
        answer_for=fleet_answer(deleted),
        **kwargs,
    )


@given(st.integers(1, 30), st.sets(st.sampled_from(FLEET)))
def test_pages_answer_every_display_once(size: int, deleted: set[str]) -> None:
    """Whatever the page size, the pages of a snapshot hold every display exactly once,
    at most ``page_size`` each, and all carry the cursor of the first page."""
    log = [(1, "door-000")]
    seen: list[str] = []
    answer = paged_call(log, deleted, page_size=size)
    cursor = answer["cursor"]
    while True:
        assert len(answer["displays"]) <= size
        assert (answer["full"], answer["removed"], answer["cursor"]) == (True, [], cursor)
        seen += [d["device"] for d in answer["displays"]]
        if answer["next_page"] is None:
            break
        log.append((len(log) + 1, "door-001"))  # a change while paging: not in this snapshot
        answer = paged_call(log, deleted, page_size=size, page=answer["next_page"])
    assert seen == [n for n in FLEET if n not in deleted]
    changed = paged_call(log, deleted, page_size=size, cursor=cursor)
    gone = "door-001" in deleted
    if len(log) > 1:  # the change made while paging comes with the next incremental read
        assert changed["full"] is False
        assert [d["device"] for d in changed["displays"]] == ([] if gone else ["door-001"])
        assert changed["removed"] == (["door-001"] if gone else [])
    else:
        assert (changed["full"], changed["displays"]) == (False, [])


def test_without_paging_one_answer_holds_everything() -> None:
    """No page_size: the answer of API 1 as before, with next_page None."""
    answer = paged_call([], set())
    assert (len(answer["displays"]), answer["next_page"]) == (len(FLEET), None)


def test_many_changes_page_as_a_full_answer() -> None:
    """More changed displays than a page holds: a paged full answer, a new cursor."""
    log: list[tuple[int, str]] = []
    first = paged_call(log, set(), page_size=5)
    log.extend((n + 1, name) for n, name in enumerate(FLEET[:8]))
    few = paged_call(log, set(), page_size=10, cursor=first["cursor"])
    assert (few["full"], len(few["displays"]), few["next_page"]) == (False, 8, None)
    many = paged_call(log, set(), page_size=5, cursor=first["cursor"])
    assert (many["full"], len(many["displays"])) == (True, 5)
    assert many["next_page"] is not None


def test_bad_paging_arguments_are_refused() -> None:
    """page_size out of range, or a page token that is not one (or of another question)."""
    pages: Any = importlib.import_module("epaper_schedule.pages")
    for size in (0, -1, True, 1.5, "10", pages.MAX_PAGE_SIZE + 1):
        try:
            paged_call([], set(), page_size=size)
        except pages.PageError:
            continue
        raise AssertionError(f"page_size {size!r} accepted")
    token = paged_call([], set(), page_size=3)["next_page"]
    other = pages.Page("another-question", "c", "door-001").encode()
    for junk in ("", "x", 17, other, token[:-4] + "!!!!"):
        try:
            paged_call([], set(), page_size=3, page=junk)
        except pages.PageError:
            continue
        raise AssertionError(f"page {junk!r} accepted")

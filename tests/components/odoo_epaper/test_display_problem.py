"""The one rule for a display's problem and connectivity, from its state and the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.odoo_epaper.display_problem import (
    ProblemReason,
    connected,
    problem_reason,
)
from custom_components.odoo_epaper.display_state import DisplayState
from custom_components.odoo_epaper.display_status import DisplayStatus
from custom_components.odoo_epaper.freshness import BEHIND_GRACE, Freshness

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
FRESH = Freshness(published_hash="a" * 16, shown_hash="a" * 16, behind_since=None)
LAGGING = Freshness(published_hash="a" * 16, shown_hash="b" * 16, behind_since=T0)


def _state(state: str | None, error: str | None = None) -> DisplayState:
    status = None if state is None else DisplayStatus(state=state, error=error)
    return DisplayState(prefix="odoo_epaper/", status=status)


def test_without_a_status() -> None:
    """Unknown until the hub got the retained statuses; then never connected, offline."""
    for state in (None, _state(None)):
        assert problem_reason(state, False, FRESH, T0) is None
        assert connected(state, False) is None
        assert problem_reason(state, True, FRESH, T0) is ProblemReason.NEVER_CONNECTED
        assert connected(state, True) is False


def test_reasons_in_order() -> None:
    """Offline before an error, an error before lagging content, lagging after the grace."""
    assert problem_reason(_state("offline", "x"), True, LAGGING, T0) is ProblemReason.OFFLINE
    assert connected(_state("offline"), True) is False
    late = T0 + BEHIND_GRACE
    assert problem_reason(_state("online", "x"), True, LAGGING, late) is ProblemReason.ERROR
    assert problem_reason(_state("online"), True, LAGGING, late) is ProblemReason.BEHIND
    early = late - timedelta(seconds=1)
    assert problem_reason(_state("online"), True, LAGGING, early) is ProblemReason.NONE
    assert problem_reason(_state("online"), False, FRESH, T0) is ProblemReason.NONE
    assert connected(_state("online"), False) is True

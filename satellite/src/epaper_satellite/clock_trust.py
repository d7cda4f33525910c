"""Whether the local clock can be trusted, judged by the hub's ``generated_at``.

A payload cannot have been made in the future: when the hub generated it at
``generated_at`` and it arrived ``elapsed`` seconds ago (monotonic), the true time now
is at least ``generated_at + elapsed``. A local clock more than
:data:`CLOCK_TOLERANCE` before that is wrong (a Pi without a real-time clock that has
not synchronised yet). A clock *ahead* cannot be told this way: a retained payload may
be hours old when it arrives; that case shows as ``STALE`` after ``valid_until``.
"""

from __future__ import annotations

import datetime as dt

# Beyond this, the local clock is behind the hub's: the sign no longer says Free or Busy.
CLOCK_TOLERANCE = dt.timedelta(minutes=5)


def clock_lag(
    now: dt.datetime, generated_at: dt.datetime | None, elapsed: float = 0.0
) -> dt.timedelta | None:
    """How far the clock reading ``now`` is behind the hub's, when more than
    :data:`CLOCK_TOLERANCE`; None when it is not (or there is no ``generated_at``).

    ``now`` and ``generated_at`` are aware datetimes; ``elapsed``: seconds (monotonic)
    since the payload carrying ``generated_at`` arrived (negative counts as 0).
    """
    if generated_at is None:
        return None
    lag = generated_at + dt.timedelta(seconds=max(0.0, elapsed)) - now
    return lag if lag > CLOCK_TOLERANCE else None


def describe_lag(lag: dt.timedelta) -> str:
    """``lag`` in words for logs and the status: ``"2 d 3 h 5 min"``, ``"7 min"``."""
    minutes = int(lag.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min"]
    return " ".join(part for part in parts if part)


def clock_problem(lag: dt.timedelta, generated_at: dt.datetime) -> str:
    """The status ``error`` (and ``check`` line) for a clock ``lag`` behind the hub's."""
    stamp = generated_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"clock: {describe_lag(lag)} behind the hub's (its /data was generated at {stamp}); "
        "free/busy not shown until the time is set"
    )

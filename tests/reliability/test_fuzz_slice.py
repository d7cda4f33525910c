"""CI's slice of the fuzz run (``scripts/fuzz``): the same seeded cases, fewer of them.

200 cases per consumer in-process through the real handling code, 40 per topic over a
real Mosquitto to a real satellite process and the addon's MQTT session: no crash, no
good content lost. The seed is fixed, so the cases repeat on every run.
"""

from __future__ import annotations

import pytest

from testbed.fuzz_broker import addon_slice, satellite_slice
from testbed.fuzz_consumers import FACTORIES, run
from tests.reliability.case_counts import record

SEED = 2026
CASES = 200
BROKER_CASES = 40


@pytest.mark.parametrize("name", list(FACTORIES))
def test_in_process(name: str) -> None:
    """Seeded junk: every case accepted or refused, none crashes, the good content stays."""
    consumer = FACTORIES[name]()
    try:
        tally = run(consumer, CASES, SEED)
    finally:
        consumer.close()
    record(name, "generated, seeded (fuzz slice)", tally.cases)
    assert tally.cases == CASES
    assert tally.accepted and tally.refused, tally  # the generator reaches both sides
    assert (tally.crashes, tally.lost) == (0, 0), tally.examples


def test_satellite_process_over_mqtt() -> None:
    """Junk on /data, /cmd and /test to a real satellite process: it keeps its content."""
    for tally in satellite_slice(BROKER_CASES, SEED):
        record(tally.consumer, "generated, seeded (fuzz slice)", tally.cases)
        assert (tally.crashes, tally.lost) == (0, 0), tally.examples


def test_addon_session_over_mqtt() -> None:
    """Junk on /status and /ack to the addon's session: it keeps the last good status."""
    for tally in addon_slice(BROKER_CASES, SEED):
        record(tally.consumer, "generated, seeded (fuzz slice)", tally.cases)
        assert (tally.crashes, tally.lost) == (0, 0), tally.examples

"""Ten thousand bad inputs per consumer: the fuzz run behind ``docs/reliability.md``.

    scripts/fuzz                      # 10,000 cases per consumer, 1,000 per topic over MQTT
    scripts/fuzz --cases 500 --broker-cases 100 --action-cases 100 --no-write

Every consumer of the wire contract (and the hub's reader of Odoo's answers) gets
seeded cases from :mod:`testbed.fuzz_inputs`, in-process through its real handling
code (:mod:`testbed.fuzz_consumers`), then a smaller slice over a real Mosquitto to
a real satellite process and the addon's MQTT session (:mod:`testbed.fuzz_broker`), and
replayed and flooding door requests to the real hub (:mod:`bench.fuzz_actions`).
It counts crashes (an exception, or a handler that needed its catch-all) and lost
good content (the last good payload or status no longer held), writes the table
into the ``fuzz`` section of ``docs/reliability.md`` and exits 1 unless both are 0.
Not part of ``scripts/test``; CI runs a derandomized slice
(``tests/reliability/test_fuzz_slice.py``).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from bench.report import table, write_section
from testbed.fuzz_broker import addon_slice, satellite_slice
from testbed.fuzz_consumers import Tally, all_consumers, run

RELIABILITY_MD = Path(__file__).resolve().parent.parent / "docs" / "reliability.md"


def main(argv: list[str] | None = None) -> int:
    """Run the fuzz cases; print (and write) the table; 1 when a crash or loss was seen."""
    parser = argparse.ArgumentParser(prog="scripts/fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="in-process cases per consumer")
    parser.add_argument("--broker-cases", type=int, default=1_000, help="cases per topic over MQTT")
    parser.add_argument(
        "--action-cases",
        type=int,
        default=1_000,
        help="door requests per phase (replays, flood) to the real hub",
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed of the case generator")
    parser.add_argument("--no-write", action="store_true", help="do not update the docs")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # refusals are logged by the thousand; errors still show
    started = time.monotonic()
    tallies: list[Tally] = []
    for consumer in all_consumers():
        began = time.monotonic()
        tallies.append(run(consumer, args.cases, args.seed))
        consumer.close()
        print(f"{consumer.name}: {time.monotonic() - began:.1f} s", file=sys.stderr)
    if args.broker_cases:
        tallies += satellite_slice(args.broker_cases, args.seed)
        tallies += addon_slice(args.broker_cases, args.seed)
    if args.action_cases:
        from bench.fuzz_actions import door_request_slice  # Home Assistant in a child pytest

        tallies += door_request_slice(args.action_cases, args.seed)
    rows = [
        [t.consumer, f"{t.cases:,}", f"{t.accepted:,}", f"{t.refused:,}", t.crashes, t.lost]
        for t in tallies
    ]
    total = sum(t.cases for t in tallies)
    rows.append(
        [
            "**all**",
            f"**{total:,}**",
            "",
            "",
            sum(t.crashes for t in tallies),
            sum(t.lost for t in tallies),
        ]
    )
    body = (
        f"Seed {args.seed}; {args.cases:,} cases per consumer in-process, "
        f"{args.broker_cases:,} per topic over a real Mosquitto, "
        f"{args.action_cases:,} door requests per phase to the real hub; "
        f"{time.monotonic() - started:.0f} s in all.\n\n"
        + table(["consumer", "cases", "accepted", "refused", "crashes", "lost good content"], rows)
    )
    problems = [example for t in tallies for example in t.examples]
    if problems:
        body += "\n\nFirst problem cases:\n\n" + "\n".join(f"- `{p}`" for p in problems[:20])
    print(body)
    if not args.no_write:
        write_section("fuzz", "The last fuzz run", body, RELIABILITY_MD, level=4)
    return 1 if any(t.crashes or t.lost for t in tallies) else 0


if __name__ == "__main__":
    sys.exit(main())

"""The addon on an Odoo server without the legacy zone names: Debian 13 (trixie) moved
``US/Eastern``, ``Europe/Kiev``, ... to tzdata-legacy, Odoo's timezone list (pytz) still
offers them, and an Odoo server seldom has the ``tzdata`` package. The schedule rules
(zone chain, all-day spans) and the /data payload still know them through pytz's own
copy; a name nothing knows is still refused. Run in a Python whose zoneinfo finds no
data at all (``PYTHONTZPATH`` an empty directory, ``tzdata`` not importable)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import datetime as dt, json, sys
sys.modules["tzdata"] = None  # no tzdata package, as on most Odoo servers
import zoneinfo
from testbed.addon_code import load_plain_package
schedule = load_plain_package("epaper_schedule")
publish = load_plain_package("epaper_publish")
day = dt.date(2026, 1, 15)
answers = {}
for name in sys.argv[1:]:
    try:
        zoneinfo.ZoneInfo(name)
        system = True
    except zoneinfo.ZoneInfoNotFoundError:
        system = False
    valid = schedule.valid_zone(name)
    span = schedule.all_day_span(day, day, name) if valid else None
    answers[name] = {
        "system": system,
        "chain": schedule.resolve_zone(name, default_tz="Asia/Tokyo"),
        "span": [moment.isoformat() for moment in span] if span else None,
        "wire": publish.payload.valid_timezone(name),
    }
print(json.dumps(answers))
"""


def probe(tmp_path: Path, *names: str) -> dict[str, dict[str, object]]:
    """Ask a Python without any zone data what the addon's rules make of ``names``."""
    empty = tmp_path / "no-zoneinfo"
    empty.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONTZPATH": str(empty), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *names],
        capture_output=True, text=True, timeout=60, check=False, env=env, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answers: dict[str, dict[str, object]] = json.loads(result.stdout)
    return answers


def test_legacy_names_keep_their_zone_without_system_data(tmp_path: Path) -> None:
    answers = probe(tmp_path, "US/Eastern", "Europe/Kiev", "UTC", "Mars/Olympus_Mons")
    assert not any(answer["system"] for answer in answers.values())  # really no data
    eastern, kiev = answers["US/Eastern"], answers["Europe/Kiev"]
    assert eastern["chain"] == eastern["wire"] == "US/Eastern"
    assert eastern["span"] == ["2026-01-15T05:00:00+00:00", "2026-01-16T05:00:00+00:00"]
    assert kiev["chain"] == kiev["wire"] == "Europe/Kiev"
    assert kiev["span"] == ["2026-01-14T22:00:00+00:00", "2026-01-15T22:00:00+00:00"]
    assert answers["UTC"]["span"] == ["2026-01-15T00:00:00+00:00", "2026-01-16T00:00:00+00:00"]
    unknown = answers["Mars/Olympus_Mons"]
    assert (unknown["chain"], unknown["span"], unknown["wire"]) == ("Asia/Tokyo", None, None)

"""Run the bad-input tests and print how many cases each consumer was given.

    scripts/py314 .venv/bin/python -m tests.reliability.report_cases

runs the tests that call :func:`tests.reliability.case_counts.record` (without and
with Home Assistant's plugin), then prints the Markdown table that
``docs/reliability.md`` quotes. Exit status 1 when a test run failed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from tests.reliability.case_counts import COUNTS_ENV

ROOT = Path(__file__).resolve().parents[2]
PLAIN = [
    "tests/satellite/test_fuzz.py",
    "tests/reliability/test_satellite_junk.py",
    "tests/reliability/test_addon_status_junk.py",
    "tests/addon/test_wire_fuzz.py",
    "tests/reliability/test_fuzz_slice.py",
]
# The hub's reliability tests, each file of their folder.
WITH_HOME_ASSISTANT = sorted(
    str(path.relative_to(ROOT))
    for path in (ROOT / "tests" / "components" / "odoo_epaper" / "reliability").glob("test_*.py")
)


def run(files: list[str], plugin: bool, counts: Path) -> int:
    """Run pytest on ``files`` with the counts file set; return its exit status."""
    if not files:
        return 0
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:sugar", "-p", "no:cacheprovider"]
    if not plugin:
        args += ["-p", "no:homeassistant"]
    env = dict(os.environ, **{COUNTS_ENV: str(counts)})
    return subprocess.run([*args, *files], cwd=ROOT, env=env, check=False).returncode


def table(counts: Path) -> str:
    """Return the Markdown table of the recorded counts."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if counts.exists():
        for line in counts.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            totals[row["consumer"]][row["source"]] += row["cases"]
    lines = ["| consumer | source | cases |", "|---|---|---:|"]
    for consumer in sorted(totals):
        for source, cases in sorted(totals[consumer].items()):
            lines.append(f"| {consumer} | {source} | {cases} |")
    grand = sum(sum(sources.values()) for sources in totals.values())
    lines.append(f"| **all** | | **{grand}** |")
    return "\n".join(lines)


def main() -> int:
    """Run both test groups and print the table."""
    with tempfile.TemporaryDirectory() as folder:
        counts = Path(folder) / "counts.jsonl"
        status = run(PLAIN, False, counts)
        status |= run(WITH_HOME_ASSISTANT, True, counts)
        print(table(counts))
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main())

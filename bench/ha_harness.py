"""Run a benchmark under pytest with Home Assistant's test plugin, and collect its figures.

A benchmark module holds ``test_*`` functions that use the project's test
fixtures (real Home Assistant core and ``mqtt`` integration, real mosquitto,
the Odoo test server) and hand their figures to :func:`append_result`; its
``main()`` calls :func:`run` to execute itself in a child pytest process (the
plugin must load before Home Assistant is imported) and read them back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.const import DOMAIN
from custom_components.odoo_epaper.options import EpaperOptions
from demo import data
from testbed.odoo_server import OdooTestServer

ROOT = Path(__file__).resolve().parent.parent
RESULTS_ENV = "EPAPER_BENCH_RESULTS"
# Fixtures a benchmark module takes in with ``pytest_plugins = PLUGINS``.
PLUGINS = ["testbed.pytest_broker", "testbed.pytest_hass"]


def run(module_file: str) -> tuple[int, list[dict[str, Any]]]:
    """Run the benchmark module under pytest; return its exit code and results."""
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as handle:
        results_path = Path(handle.name)
    plugins = ["-p", "no:sugar", "-p", "no:cacheprovider"]
    code = subprocess.call(
        [sys.executable, "-m", "pytest", module_file, *plugins, "-q", "-x", "--rootdir", str(ROOT)],
        cwd=ROOT,
        env={**os.environ, RESULTS_ENV: str(results_path)},
    )
    results = [json.loads(line) for line in results_path.read_text().splitlines()]
    results_path.unlink()
    return code, results


def append_result(result: dict[str, Any]) -> None:
    """Hand one result to :func:`run` (blocking: call it in the executor)."""
    with Path(os.environ[RESULTS_ENV]).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(result) + "\n")


def demo_entry(odoo: OdooTestServer, **options: Any) -> MockConfigEntry:
    """An Odoo E-Paper entry for the demo company's user on ``odoo``."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="bench",
        data={
            "url": odoo.url,
            "database": data.DATABASE,
            "username": data.LOGIN,
            "password": data.PASSWORD,
        },
        options=EpaperOptions(**options).as_dict(),
        unique_id=f"{odoo.url}|bench",
    )


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]

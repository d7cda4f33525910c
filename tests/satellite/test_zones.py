"""Zones the Pi's system data lacks: Debian 13 (trixie) moved the legacy names (US/Eastern,
Europe/Kiev, ...) to the package tzdata-legacy, and a minimal image may have no
/usr/share/zoneinfo at all. The satellite depends on the ``tzdata`` package, which
``zoneinfo`` falls back to, so a payload naming such a zone still draws, with the right
times; a name nothing resolves is rejected as the contract says (reason in the status,
the last good content kept). Each case runs the real ``epaper-satellite`` with
``PYTHONTZPATH`` pointing at an empty directory (no system zone data)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from epaper_satellite.wire import content_hash

from testbed.broker import Broker
from tests.satellite.conftest import (
    Recorder,
    SatelliteProcess,
    room_payload,
    status_is,
    write_config,
)

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-27T15:30:00+00:00"  # 10:30 in New York: the 15:00-16:00 UTC meeting is on


def no_zone_data(tmp_path: Path) -> dict[str, str]:
    """The environment of a machine without system zone data."""
    empty = tmp_path / "no-zoneinfo"
    empty.mkdir(exist_ok=True)
    return {"PYTHONTZPATH": str(empty)}


def render(tmp_path: Path, payload: dict[str, object], env: dict[str, str], name: str) -> bytes:
    """Draw ``payload`` at NOW with ``epaper-satellite render``; return the PNG's bytes."""
    source, out = tmp_path / f"{name}.json", tmp_path / f"{name}.png"
    source.write_text(json.dumps(payload), encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "epaper_satellite",
            "render",
            "--payload",
            str(source),
            "--out",
            str(out),
            "--now",
            NOW,
            "--tz",
            "UTC",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env},
    )
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def meeting(**changes: object) -> dict[str, object]:
    """A payload with a meeting from 15:00 to 16:00 UTC (10:00-11:00 in New York)."""
    event = {"title": "Budget", "start": "2026-11-27T15:00:00Z", "end": "2026-11-27T16:00:00Z"}
    return room_payload(events=[event], **changes)


def test_the_package_declares_tzdata() -> None:
    project = tomllib.loads((ROOT / "satellite" / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(dep.startswith("tzdata") for dep in project["project"]["dependencies"])


@pytest.mark.parametrize(
    ("legacy", "canonical"), [("US/Eastern", "America/New_York"), ("Europe/Kiev", "Europe/Kyiv")]
)
def test_a_legacy_zone_draws_as_its_canonical_one_without_system_data(
    tmp_path: Path, legacy: str, canonical: str
) -> None:
    """Without any system zone data the legacy name draws exactly what the canonical name
    draws with the system's data: same local times, same picture."""
    expected = render(tmp_path, meeting(tz=canonical), {}, "canonical")
    assert render(tmp_path, meeting(tz=legacy), no_zone_data(tmp_path), "legacy") == expected
    assert render(tmp_path, meeting(tz="UTC"), {}, "utc") != expected  # the zone shows


def test_a_running_sign_draws_a_legacy_zone_and_keeps_it_over_an_unknown_one(
    mosquitto: Broker,
    recorder: Recorder,
    satellite_process: Callable[..., SatelliteProcess],
    tmp_path: Path,
) -> None:
    """The daemon without system zone data: US/Eastern is drawn (its hash in the status,
    no error); then Mars/Olympus_Mons is rejected with reason tz in the status and the
    US/Eastern content stays."""
    satellite_process(write_config(mosquitto, tmp_path), env=no_zone_data(tmp_path))
    recorder.wait("status", status_is("online"), timeout=15)
    eastern = meeting(tz="US/Eastern")
    recorder.publish("data", json.dumps(eastern), retain=True)
    shown = recorder.wait(
        "status", status_is("online", content_hash=content_hash(eastern)), timeout=15
    )
    assert shown.json()["error"] is None
    mark = len(recorder.snapshot())
    recorder.publish("data", json.dumps(meeting(tz="Mars/Olympus_Mons", room="Mars")))
    refused = recorder.wait("status", lambda m: bool(m.json().get("error")), after=mark, timeout=15)
    body = refused.json()
    assert "unknown timezone 'Mars/Olympus_Mons'" in body["error"]
    assert body["content_hash"] == content_hash(eastern)

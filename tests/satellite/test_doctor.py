"""``epaper-satellite check``: a readable report against a real mosquitto, exit codes, checks."""

from __future__ import annotations

import errno
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from epaper_satellite import doctor, doctor_storage, fonts, setup_wizard
from epaper_satellite.doctor import Finding, Level

from testbed.broker import Broker
from tests.conftest import BROKER_PASSWORD, BROKER_USER

from .conftest import STANDIN, make_config, write_config


def check(
    config: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "epaper_satellite", "--config", str(config), "check", *extra],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def test_report_for_a_working_sign(mosquitto_auth: Broker, tmp_path: Path) -> None:
    config = write_config(
        mosquitto_auth,
        tmp_path,
        mqtt={"username": BROKER_USER, "password": BROKER_PASSWORD},
    )
    result = check(config)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("[  ok] broker") and "Connection successful (rc 0)" in line
        for line in lines
    ), result.stdout
    assert any(line.startswith("[  ok] state") for line in lines)
    assert lines[-1].startswith("Ready: nothing to fix")
    assert "{'mqtt'" not in result.stdout  # a report, not a Python dict
    assert BROKER_PASSWORD not in result.stdout + result.stderr


def test_bad_password_is_a_problem_in_words(mosquitto_auth: Broker, tmp_path: Path) -> None:
    config = write_config(
        mosquitto_auth, tmp_path, mqtt={"username": BROKER_USER, "password": "not-it-42"}
    )
    result = check(config)
    assert result.returncode == 1
    broker_line = next(line for line in result.stdout.splitlines() if "] broker" in line)
    assert broker_line.startswith("[FAIL]")
    assert "wrong username or password, or this user may not connect (rc 5)" in broker_line
    assert "-> check [mqtt] username and the password" in result.stdout
    assert "problem(s) to fix" in result.stdout.splitlines()[-1]
    assert "not-it-42" not in result.stdout + result.stderr


def test_unreachable_broker_and_bad_config(tmp_path: Path) -> None:
    config = write_config(None, tmp_path / "a")
    result = check(config)
    assert result.returncode == 1
    assert "nothing accepts connections on 127.0.0.1:1" in result.stdout
    assert check(config, "--config-only").returncode == 0

    broken = tmp_path / "b" / "config.toml"
    broken.parent.mkdir()
    broken.write_text('[mqtt]\nhost = "x"\nport = 0\n[device]\nname = "r"\n')
    bad = check(broken)
    assert bad.returncode == 2
    assert "[mqtt] port" in bad.stderr and "[FAIL] config" in bad.stderr
    assert "fix the keys named" in bad.stderr


def test_missing_config_says_how_to_write_one(tmp_path: Path) -> None:
    """No file at --config: the fix is to write one (init), not to fix a key."""
    missing = check(tmp_path / "nope.toml")
    assert missing.returncode == 2
    init = setup_wizard.init_command(tmp_path / "nope.toml")
    assert "cannot read" in missing.stderr and f"write it with `{init}`" in missing.stderr
    assert "fix the key named" not in missing.stderr


def test_tls_without_the_right_ca(mosquitto_tls: Broker, tmp_path: Path) -> None:
    config = write_config(mosquitto_tls, tmp_path, mqtt={"tls": True})
    result = check(config)
    assert result.returncode == 1
    assert "certificate verify failed" in result.stdout
    assert "-> give [mqtt] ca_certs" in result.stdout


def test_panel_driver_import_and_spi_device(tmp_path: Path) -> None:
    config = make_config(None, tmp_path, display={"driver": "waveshare", "model": "epd7in5_V2"})
    spi = tmp_path / "spidev0.0"
    sys.path.insert(0, str(STANDIN))
    try:
        missing = doctor.check_panel(config, spi)
        spi.write_bytes(b"")
        present = doctor.check_panel(config, spi)
    finally:
        sys.path.remove(str(STANDIN))
        sys.modules.pop("epaper", None)
    assert [f.level for f in missing] == [Level.OK, Level.FAIL]
    assert "SPI is off" in missing[1].text and "do_spi 0" in (missing[1].fix or "")
    assert [f.level for f in present] == [Level.OK, Level.OK]


def test_panel_library_missing(tmp_path: Path) -> None:
    config = make_config(None, tmp_path, display={"driver": "waveshare"})
    sys.modules.pop("epaper", None)
    finding = doctor.check_panel(config, tmp_path / "spidev0.0")[0]
    assert finding.level is Level.FAIL
    assert "epaper-satellite[waveshare]" in (finding.fix or "")


@pytest.mark.parametrize(
    ("locale", "cjk", "shaping", "failing"),
    [
        ("de-DE", False, False, set()),
        ("ja", False, True, {"ja: no font for 会議室"}),
        ("ar", True, False, {"right-to-left text (Arabic, Hebrew) cannot be shaped"}),
        (None, True, True, set()),
    ],
)
def test_fonts_fail_only_for_the_configured_language(
    locale: str | None, cjk: bool, shaping: bool, failing: set[str]
) -> None:
    def covers(text: str) -> bool:
        return cjk or text == doctor.SYMBOL_SAMPLE

    findings = doctor.check_fonts(locale, covers=covers, shaping=lambda: shaping)
    failed = {
        f.text.split(":")[0] if "no font" not in f.text else f.text
        for f in findings
        if f.level is Level.FAIL
    }
    assert failed == failing
    expected_warnings = (0 if cjk else 3) + (0 if shaping else 1) - len(failing)
    assert sum(f.level is Level.WARN for f in findings) == expected_warnings
    assert all(
        f.fix and f.fix.startswith("apt install") for f in findings if f.level is not Level.OK
    )


def test_fonts_on_this_machine_use_the_real_font_set() -> None:
    """The real check runs (DejaVu or Pillow's default) and says something about each kind."""
    findings = doctor.check_fonts("en")
    texts = " ".join(f.text for f in findings)
    assert "zh:" in texts and "right-to-left" in texts and "symbol" in texts


def test_clock_sync() -> None:
    def answer(stdout: str, code: int = 0) -> Callable[..., subprocess.CompletedProcess[str]]:
        return lambda command, **_k: subprocess.CompletedProcess(command, code, stdout, "")

    assert doctor.check_clock(answer("yes\n"))[0].level is Level.OK
    not_synced = doctor.check_clock(answer("no\n"))[0]
    assert not_synced.level is Level.FAIL and "set-ntp true" in (not_synced.fix or "")

    def missing(*_a: object, **_k: object) -> subprocess.CompletedProcess[str]:
        raise FileNotFoundError("timedatectl")

    assert doctor.check_clock(missing, Path("/nonexistent/marker"))[0].level is Level.WARN
    assert doctor.check_clock(missing, Path(__file__))[0].level is Level.OK


def test_report_format() -> None:
    report = doctor.format_report(
        [
            Finding("clock", Level.FAIL, "not synchronised", "enable it"),
            Finding("state", Level.OK, "ok"),
        ]
    )
    assert report.splitlines() == [
        "[FAIL] clock   not synchronised",
        "               -> enable it",
        "[  ok] state   ok",
        "1 problem(s) to fix, 0 warning(s).",
    ]


def test_every_config_problem_and_the_fonts_in_one_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two bad keys: both reported, and the checks that need no config still run."""
    broken = tmp_path / "config.toml"
    broken.write_text('[mqtt]\nhost = "x"\nport = 0\n[device]\nname = "Room 1"\n')
    monkeypatch.setattr(fonts, "FONT_DIRS", (tmp_path / "no-fonts",))
    config, findings = doctor.run_checks(broken, clock=lambda: [Finding("clock", Level.OK, "ok")])
    assert config is None
    failed = [f.text for f in findings if f.level is Level.FAIL]
    assert [text.split(": ", 1)[1].split(":")[0] for text in failed[:2]] == [
        "[mqtt] port",
        "[device] name",
    ]
    assert "main font DejaVuSans.ttf and DejaVuSans-Bold.ttf missing" in failed[2]
    assert [f.area for f in findings][-1] == "clock"
    report = doctor.format_report(findings)
    assert report.count("-> fix the keys named") == 1
    assert "-> apt install fonts-dejavu-core" in report
    assert report.splitlines()[-1].startswith("3 problem(s) to fix")

    via_cli = check(broken)
    assert via_cli.returncode == 2
    assert "[mqtt] port" in via_cli.stderr and "[device] name" in via_cli.stderr


def test_ready_only_with_the_main_fonts(
    mosquitto: Broker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sign that works but would draw in Pillow's built-in face is not 'Ready'."""
    config = write_config(mosquitto, tmp_path)
    sync = lambda: [Finding("clock", Level.OK, "synchronised")]  # noqa: E731
    _config, findings = doctor.run_checks(config, clock=sync)
    assert doctor.format_report(findings).splitlines()[-1].startswith("Ready: nothing to fix")

    monkeypatch.setattr(fonts, "FONT_DIRS", (tmp_path / "no-fonts",))
    _config, findings = doctor.run_checks(config, clock=sync)
    report = doctor.format_report(findings)
    assert "[FAIL] fonts   main font DejaVuSans.ttf and DejaVuSans-Bold.ttf missing" in report
    assert "Ready" not in report


def test_storage_fix_says_what_the_error_means(tmp_path: Path) -> None:
    """The fix follows the errno: a full disk asks for space, a folder not made yet (before
    the service's first start) for the service's start, a refusal for the folder's owner."""
    missing = tmp_path / "not-yet"
    denied = PermissionError(errno.EACCES, "Permission denied")
    full = doctor_storage.storage_fix(tmp_path, OSError(errno.ENOSPC, "No space left on device"))
    assert full.startswith("free space") and str(tmp_path) in full
    before_start = doctor_storage.storage_fix(missing, denied)
    assert "StateDirectory=" in before_start and "systemctl start epaper-satellite" in before_start
    assert "free space" not in before_start
    refused = doctor_storage.storage_fix(tmp_path, denied)
    assert "chown" in refused and "free space" not in refused


def test_a_state_folder_that_cannot_be_made_is_not_called_a_full_disk(tmp_path: Path) -> None:
    """A state folder that cannot be made (its parent is a file here; a user without the
    rights to /var/lib before the first start elsewhere) fails with the fix for that."""
    (tmp_path / "file").write_text("")
    findings = doctor_storage.check_storage(tmp_path / "file" / "state")
    assert [finding.level for finding in findings] == [Level.FAIL]
    fix = findings[0].fix or ""
    assert "StateDirectory=" in fix and "free space" not in fix


def test_config_is_taken_after_the_command_too(tmp_path: Path) -> None:
    """``check --config FILE`` names the same file as ``--config FILE check``."""
    missing = tmp_path / "nowhere.toml"
    before = check(missing, "--config-only")
    after = subprocess.run(
        [
            sys.executable,
            "-m",
            "epaper_satellite",
            "check",
            "--config-only",
            "--config",
            str(missing),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    said = before.stdout + before.stderr
    assert (after.returncode, after.stdout + after.stderr) == (before.returncode, said)
    assert before.returncode == 2 and str(missing) in said

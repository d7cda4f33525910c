"""Files: init writes without following links and with fixed modes under any umask; every
file read whole has a bound; a full disk is in the status error and in ``check``."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from epaper_satellite import doctor
from epaper_satellite.config import ConfigError, load_config
from epaper_satellite.controller import MQTTDisplay
from epaper_satellite.files import FileRefused, read_bounded, write_atomically
from epaper_satellite.wire import MAX_PAYLOAD

from tests.satellite.conftest import (
    FakeClock,
    FakeMonotonic,
    config_text,
    make_config,
    room_payload,
)
from tests.satellite.test_controller import _message

SECRET = "s3cret-broker-password"


def _init(etc: Path, state: Path, *extra: str, umask: int = 0) -> subprocess.CompletedProcess[str]:
    """Run ``epaper-satellite init`` (no test connection, no service) under ``umask``."""
    command = [sys.executable, "-m", "epaper_satellite", "--config", str(etc / "config.toml")]
    command += ["init", "--yes", "--no-enable", "--skip-test", "--no-tls", "--host", "127.0.0.1"]
    command += ["--port", "1883", "--name", "lobby-2", "--driver", "png", "--password", SECRET]
    return subprocess.run(
        [*command, "--state-dir", str(state), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=lambda: os.umask(umask),
    )


def _mode(path: Path) -> int:
    return path.lstat().st_mode & 0o7777


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_init_modes_do_not_follow_the_umask(tmp_path: Path, umask: int) -> None:
    """Folder 0700, config 0640, password 0600, whatever the umask; nothing else left."""
    etc = tmp_path / "deep" / "etc"
    result = _init(etc, tmp_path / "state", umask=umask)
    assert result.returncode == 0, result.stderr
    assert _mode(etc) == 0o700
    assert _mode(etc.parent) == 0o755
    assert _mode(etc / "config.toml") == 0o640
    assert _mode(etc / "password") == 0o600
    assert sorted(p.name for p in etc.iterdir()) == ["config.toml", "password"]
    assert load_config(etc / "config.toml").mqtt.password == SECRET


def test_init_never_writes_through_a_planted_symlink(tmp_path: Path) -> None:
    """Links planted at the password, the config and the old temporary names are replaced
    by new files; what they pointed to keeps its content and its mode."""
    etc = tmp_path / "etc"
    etc.mkdir(mode=0o700)
    victims = {}
    for name in ("password", "config.toml", ".password.new", ".config.toml.new"):
        victim = tmp_path / f"victim-{name.strip('.')}"
        victim.write_text("untouched\n")
        victim.chmod(0o644)
        (etc / name).symlink_to(victim)
        victims[name] = victim
    result = _init(etc, tmp_path / "state", "--force")
    assert result.returncode == 0, result.stderr
    for victim in victims.values():
        assert victim.read_text() == "untouched\n"
        assert _mode(victim) == 0o644
    for name in ("password", "config.toml"):
        assert not (etc / name).is_symlink()
    assert (etc / "password").read_text() == SECRET + "\n"
    assert _mode(etc / "password") == 0o600


@pytest.mark.parametrize("kind", ["symlink", "writable-by-others"])
def test_init_refuses_a_folder_others_control(tmp_path: Path, kind: str) -> None:
    """A config folder that is a link, or that others may write into, gets no secret."""
    real = tmp_path / "real"
    real.mkdir()
    etc = tmp_path / "etc"
    if kind == "symlink":
        etc.symlink_to(real, target_is_directory=True)
        why = "is a symlink"
    else:
        etc = real
        etc.chmod(0o777)
        why = "others may write into it (mode 777)"
    result = _init(etc, tmp_path / "state")
    assert result.returncode == 2
    assert why in result.stderr
    assert list(real.iterdir()) == []


def test_write_atomically_fixes_the_mode_under_umask_zero(tmp_path: Path) -> None:
    """The state file is 0600 and its new folder 0700 even under umask 000."""
    old = os.umask(0)
    try:
        write_atomically(tmp_path / "state" / "last_data.json", b"{}", 0o600)
    finally:
        os.umask(old)
    assert _mode(tmp_path / "state") == 0o700
    assert _mode(tmp_path / "state" / "last_data.json") == 0o600


# Size bounds ---------------------------------------------------------------------------


def _oversized(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that is valid TOML and valid text (comments)."""
    path.write_text(("# " + "x" * 97 + "\n") * (size // 100 + 1))
    return path


def test_read_bounded_refuses_devices_fifos_and_big_files(tmp_path: Path) -> None:
    """/dev/zero, a FIFO and a file over the bound are refused at once, by name."""
    (tmp_path / "zero").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "fifo")
    _oversized(tmp_path / "big", 2000)
    for name in ("zero", "fifo"):
        with pytest.raises(FileRefused, match="is not a regular file"):
            read_bounded(tmp_path / name, 1000)
    with pytest.raises(FileRefused, match="is larger than 1000 bytes"):
        read_bounded(tmp_path / "big", 1000)
    assert read_bounded(tmp_path / "big", 5000).startswith(b"# xxx")


def test_a_refused_file_leaves_no_descriptor_open(tmp_path: Path) -> None:
    """A folder, a FIFO or /dev/zero where a file belongs is refused without leaking its
    file descriptor (the fuzz run's file consumer ran out of them: a folder leaked one)."""
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "zero").symlink_to("/dev/zero")
    open_before = len(os.listdir("/proc/self/fd"))
    for _ in range(50):
        for name in ("folder", "fifo", "zero"):
            with pytest.raises(FileRefused):
                read_bounded(tmp_path / name, 1000)
    assert len(os.listdir("/proc/self/fd")) == open_before


@pytest.mark.parametrize("target", ["/dev/zero", "oversized"])
def test_config_and_its_files_have_a_bound(tmp_path: Path, target: str) -> None:
    """The config, the password file and the CA file: a link to /dev/zero or a file too
    big is a configuration error naming the file, never an endless read."""
    bad = tmp_path / "bad"
    if target == "/dev/zero":
        bad.symlink_to("/dev/zero")
        why = "is not a regular file"
    else:
        _oversized(bad, 2 * 1024 * 1024)
        why = "is larger than"
    with pytest.raises(ConfigError, match=why):
        load_config(bad)
    for section, key in (("mqtt", "password_file"), ("mqtt", "ca_certs")):
        path = tmp_path / f"{key}.toml"
        path.write_text(config_text(None, tmp_path, **{section: {key: str(bad), "tls": True}}))
        with pytest.raises(ConfigError, match=f"{key}.*{why}"):
            load_config(path)


def _state_display(tmp_path: Path) -> MQTTDisplay:
    return MQTTDisplay(
        make_config(None, tmp_path), clock=FakeClock("2026-11-27T10:30:00Z"),
        monotonic=FakeMonotonic(),
    )  # fmt: skip


@pytest.mark.parametrize("target", ["/dev/zero", "oversized", "fifo"])
def test_a_state_file_that_cannot_be_read_starts_empty_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, target: str
) -> None:
    """The sign starts with the waiting screen, logs it and says so in the status; the
    next payload replaces the file and clears the error."""
    stored = tmp_path / "state" / "last_data.json"
    stored.parent.mkdir(mode=0o700)
    if target == "/dev/zero":
        stored.symlink_to("/dev/zero")
    elif target == "fifo":
        os.mkfifo(stored)
    else:
        payload = json.dumps(room_payload(room="X" * (MAX_PAYLOAD + 1)))
        stored.write_text(payload)
    display = _state_display(tmp_path)
    with caplog.at_level(logging.WARNING):
        display.setup_display()
    assert display.sign.data is None
    assert "starting without it" in caplog.text
    error = display.status_payload()["error"]
    assert error is not None and error.startswith("stored payload not read (")
    assert error.endswith("): started without it")
    display.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    assert display.status_payload()["error"] is None
    assert not stored.is_symlink() and json.loads(stored.read_bytes())["room"] == "Reception"


# A full disk ---------------------------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 256 KiB tmpfs, filled to the last byte by ``filler``; unmounted afterwards."""
    mount = tmp_path / "full"
    mount.mkdir(mode=0o700)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root): {done.stderr.strip()}")
    try:
        with (mount / "filler").open("wb", buffering=0) as filler, pytest.raises(OSError):
            while True:
                filler.write(b"\0" * 4096)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_in_the_status_and_in_check(full_disk: Path, tmp_path: Path) -> None:
    """The room is drawn; the status error says the disk refused it; once there is room
    again, the same payload is stored and the error clears. ``check`` fails the state."""
    state = full_disk / "state"
    state.mkdir(mode=0o700)
    config = make_config(None, tmp_path, device={"state_dir": str(state)})
    display = MQTTDisplay(
        config, clock=FakeClock("2026-11-27T10:30:00Z"), monotonic=FakeMonotonic()
    )
    display.setup_display()
    display.on_message(None, None, _message("data", room_payload(room="Full")))  # type: ignore[arg-type]
    assert display.status_payload()["content_hash"] == display.sign.content_hash is not None
    error = str(display.status_payload()["error"])
    assert error == f"storage: cannot store the payload in {state}: No space left on device"
    findings = doctor.check_storage(state)
    assert [f.level for f in findings] == [doctor.Level.FAIL]
    assert "No space left on device" in doctor.format_report(findings)

    (full_disk / "filler").unlink()
    display.on_message(None, None, _message("data", room_payload(room="Full")))  # type: ignore[arg-type]
    assert display.status_payload()["error"] is None
    assert json.loads((state / "last_data.json").read_bytes())["room"] == "Full"
    assert [f.level for f in doctor.check_storage(state)] == [doctor.Level.OK] * 2

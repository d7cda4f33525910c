"""The last good payload on disk: atomic writes, missing and unwritable directories."""

from __future__ import annotations

from pathlib import Path

import pytest
from epaper_satellite.store import PayloadStore


def test_save_and_load(tmp_path: Path) -> None:
    """What is saved is loaded back; no temporary file stays behind."""
    store = PayloadStore(tmp_path / "state")
    assert store.load() is None
    assert store.save(b'{"v": 1}')
    assert store.load() == b'{"v": 1}'
    assert store.save(b'{"v": 1, "room": "B"}')
    assert store.load() == b'{"v": 1, "room": "B"}'
    assert [p.name for p in (tmp_path / "state").iterdir()] == ["last_data.json"]


def test_state_dir_that_is_a_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A state_dir path taken by a file: save fails cleanly, load finds nothing."""
    blocker = tmp_path / "state"
    blocker.write_text("not a directory")
    store = PayloadStore(blocker)
    assert not store.save(b"{}")
    assert store.load() is None
    assert "Cannot store the payload" in caplog.text

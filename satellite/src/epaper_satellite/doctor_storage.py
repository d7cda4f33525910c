"""``epaper-satellite check``'s storage findings: the state folder takes a payload, the
stored payload reads back, and the fix for a folder that does not (by its errno)."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .doctor_findings import Finding, Level
from .setup_wizard import SERVICE
from .store import PayloadStore
from .wire import MAX_PAYLOAD


def storage_fix(directory: Path, err: OSError) -> str:
    """What to do about ``err`` (from making or writing into ``directory``), by its errno.

    A full disk (ENOSPC, EDQUOT) asks for space; a folder that is not there yet and cannot
    be made (before the service's first start, systemd's ``StateDirectory=`` makes it)
    asks to start the service or to run ``check`` as its user; other refusals ask for the
    folder to be given to the service user.
    """
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"free space on the disk of {directory} (df -h {directory})"
    if not directory.exists():
        return (
            f"{directory} is made by systemd (StateDirectory=) when the service first "
            f"starts: systemctl start {SERVICE}, or run check with sudo"
        )
    return f"give {directory} to the service user (chown), or run check with sudo"


def writable(area: str, directory: Path) -> list[Finding]:
    """One finding: ``directory`` (made if missing) takes a file, or why not and the fix."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".check-"):
            pass
    except OSError as err:
        text = f"{directory} not writable: {err.strerror}"
        return [Finding(area, Level.FAIL, text, storage_fix(directory, err))]
    return [Finding(area, Level.OK, f"{directory} writable")]


def check_storage(state_dir: Path) -> list[Finding]:
    """The state folder takes a payload's worth of bytes (written, fsynced and removed: a
    full disk fails here, where creating an empty file would not) and the stored payload
    reads back within its bound."""
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=state_dir, prefix=".check-") as probe:
            probe.write(bytes(MAX_PAYLOAD))
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as err:
        text = f"cannot store a payload in {state_dir}: {err.strerror}"
        return [Finding("state", Level.FAIL, text, storage_fix(state_dir, err))]
    findings = [Finding("state", Level.OK, f"{state_dir} writable, room for a payload")]
    store = PayloadStore(state_dir)
    store.load()
    if store.problem is not None:
        fix = f"remove {store.path}; the next /data from the hub replaces it"
        findings.append(Finding("state", Level.WARN, store.problem, fix))
    else:
        findings.append(Finding("state", Level.OK, f"{store.path}: readable or not there yet"))
    return findings

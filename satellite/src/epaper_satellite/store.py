"""The last good payload, kept in the state directory so a reboot draws it at once."""

from __future__ import annotations

import logging
from pathlib import Path

from .files import read_bounded, write_atomically
from .wire import MAX_PAYLOAD

_LOGGER = logging.getLogger(__name__)
DATA_FILE = "last_data.json"


class PayloadStore:
    """Reads and atomically writes the last accepted ``/data`` payload.

    ``problem`` says, for the status ``error``, why the last load or save failed
    (None once a save succeeds): a stored file that cannot be read or is larger than a
    payload may be (``wire.MAX_PAYLOAD`` bytes), or a disk that refused the write.
    """

    def __init__(self, state_dir: Path) -> None:
        """Keep the folder; nothing is read or written yet."""
        self.state_dir = state_dir
        self.path = state_dir / DATA_FILE
        self.problem: str | None = None

    def load(self) -> bytes | None:
        """Return the stored payload bytes, or None when there is none or it is unreadable
        (then logged, and in ``problem``): the sign starts without it."""
        try:
            return read_bounded(self.path, MAX_PAYLOAD)
        except FileNotFoundError:
            return None
        except OSError as err:
            _LOGGER.warning(
                "Cannot read the stored payload %s: %s; starting without it",
                self.path,
                err.strerror,
            )
            self.problem = f"stored payload not read ({err.strerror}): started without it"
            return None

    def ignore(self, why: str) -> None:
        """Note that the stored payload was read but not used (it fails the contract)."""
        self.problem = f"stored payload ignored ({why}): started without it"[:200]

    def forget(self) -> bool:
        """Delete the stored payload (the display was unassigned); False when the disk refuses."""
        try:
            self.path.unlink(missing_ok=True)
        except OSError as err:
            _LOGGER.warning("Cannot delete the stored payload %s: %s", self.path, err.strerror)
            return False
        return True

    def save(self, raw: bytes) -> bool:
        """Store ``raw`` atomically (mode 0600); return False (logged, in ``problem``) when
        the disk refuses, e.g. when it is full."""
        try:
            write_atomically(self.path, raw, 0o600)
        except OSError as err:
            _LOGGER.warning("Cannot store the payload in %s: %s", self.state_dir, err.strerror)
            self.problem = f"storage: cannot store the payload in {self.state_dir}: {err.strerror}"
            return False
        self.problem = None
        return True

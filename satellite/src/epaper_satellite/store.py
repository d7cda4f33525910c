"""The last good payload, kept in the state directory so a reboot draws it at once."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

_LOGGER = logging.getLogger(__name__)
DATA_FILE = "last_data.json"


class PayloadStore:
    """Reads and atomically writes the last accepted ``/data`` payload."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.path = state_dir / DATA_FILE

    def load(self) -> bytes | None:
        """Return the stored payload bytes, or None when there is none or it is unreadable."""
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            _LOGGER.warning("Cannot read the stored payload %s: %s", self.path, err.strerror)
            return None

    def forget(self) -> bool:
        """Delete the stored payload (the display was unassigned); False when the disk refuses."""
        try:
            self.path.unlink(missing_ok=True)
        except OSError as err:
            _LOGGER.warning("Cannot delete the stored payload %s: %s", self.path, err.strerror)
            return False
        return True

    def save(self, raw: bytes) -> bool:
        """Store ``raw`` atomically; return False (and log) when the disk refuses."""
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".last_data.", dir=self.state_dir)
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(raw)
                    stream.flush()
                    os.fsync(stream.fileno())
                Path(temporary).replace(self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as err:
            _LOGGER.warning("Cannot store the payload in %s: %s", self.state_dir, err.strerror)
            return False
        return True

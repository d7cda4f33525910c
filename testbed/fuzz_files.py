"""The files a satellite reads at start, fuzzed: its stored payload, its configuration,
the password file and the CA file it names.

Each case puts one thing at one of these paths: junk bytes or a payload around the
valid vectors, a file over its bound (up to 2 MiB), a link to ``/dev/zero``, a FIFO, a
folder or a dangling link. The satellite must start (the stored payload) or refuse the
configuration with a ConfigError; an exception, a catch-all log line or a stored file
refused without a word in the status ``error`` is a crash. After each stored-payload
case the sign must take a good ``/data`` again and store it as a regular file, or say in
the status ``error`` why it cannot (a folder in the file's place): "kept".
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from testbed.fuzz_consumers import DEVICE, PREFIX, Consumer, Crash, _Message, _satellite, _Watch
from testbed.fuzz_inputs import Junk, valid_payloads

TARGETS = ("state", "config", "password", "ca")
KINDS = ("junk", "oversized", "zero", "fifo", "folder", "dangling")
GOOD_CONFIG = (
    '[mqtt]\nhost = "127.0.0.1"\ntls = {tls}\n{extra}\n'
    f'[device]\nname = "{DEVICE}"\n'
    '[display]\ndriver = "png"\nwidth = 250\nheight = 122\n'
)


class SatelliteFiles(Consumer):
    """The satellite's start-up reads of the stored payload, config, password and CA."""

    name = "satellite files (state, config, password, CA)"

    def __init__(self) -> None:
        """A scratch folder; the good payload comes from the vectors."""
        self._dir = tempfile.TemporaryDirectory(prefix="epaper-fuzz-files-")
        self.root = Path(self._dir.name)
        self.valid = [p for p in valid_payloads("data") if p.get("device") == DEVICE]
        self.good = json.dumps(self.valid[0]).encode()
        self.watch = _Watch()
        logging.getLogger("epaper_satellite").addHandler(self.watch)
        self.display: Any = None

    def case(self, junk: Junk) -> bytes:
        """``<target> <kind>\\n<content>``: where the file goes, what it is, its bytes."""
        rng = junk.rng
        target, kind = rng.choice(TARGETS), rng.choice(KINDS)
        content = b""
        if kind == "junk":
            content = junk.payload(self.valid)
        elif kind == "oversized":
            size = rng.choice((64 * 1024 + 1, 1024 * 1024 + 1, 2 * 1024 * 1024))
            content = self.good[:-1] + b',"pad":"' + b"x" * size + b'"}'
        return f"{target} {kind}\n".encode() + content

    def _place(self, path: Path, kind: str, content: bytes) -> None:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
        if kind in ("junk", "oversized"):
            path.write_bytes(content)
        elif kind == "zero":
            path.symlink_to("/dev/zero")
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        else:
            path.symlink_to(path.with_name("missing"))

    def feed(self, raw: bytes) -> bool:
        """Start a satellite on the stored file, or load the configuration naming it."""
        header, _, content = raw.partition(b"\n")
        target, kind = header.decode().split()
        before = len(self.watch.hits)
        if target == "state":
            accepted = self._start(kind, content)
        else:
            accepted = self._load(target, kind, content)
        if len(self.watch.hits) > before:
            raise Crash(self.watch.hits[-1][:200])
        return accepted

    def _start(self, kind: str, content: bytes) -> bool:
        state = self.root / "state"
        state.mkdir(mode=0o700, exist_ok=True)
        self._place(state / "last_data.json", kind, content)
        try:
            self.display = _satellite(state)
        except Exception as err:
            raise Crash(f"start: {type(err).__name__}: {err}"[:200]) from err
        if self.display.sign.data is not None:
            return True
        said = self.display.sign.problem or ""
        if kind != "dangling" and "stored payload" not in said:
            raise Crash(f"a stored {kind} file was refused without a word in the status")
        return False

    def _load(self, target: str, kind: str, content: bytes) -> bool:
        from epaper_satellite.config import ConfigError, load_config

        config = self.root / "config.toml"
        if target == "config":
            self._place(config, kind, content)
        else:
            key = {"password": "password_file", "ca": "ca_certs"}[target]
            path = self.root / target
            self._place(path, kind, content)
            tls = "true" if target == "ca" else "false"
            text = GOOD_CONFIG.format(tls=tls, extra=f'{key} = "{path}"')
            self._place(config, "junk", text.encode())
        try:
            load_config(config, environ={})
        except ConfigError:
            return False
        except Exception as err:
            raise Crash(f"config: {type(err).__name__}: {err}"[:200]) from err
        return True

    def kept(self) -> bool:
        """After a stored-payload case the sign takes a good /data and stores it whole."""
        from epaper_satellite.wire import content_hash

        if self.display is None:
            return True
        display, self.display = self.display, None
        display.on_message(None, None, _Message(f"{PREFIX}{DEVICE}/data", self.good))
        if display.sign.data is None or display.sign.content_hash != content_hash(self.good):
            return False
        stored = display.sign.store.path
        if stored.is_symlink() or not stored.is_file():  # a folder in its place: said?
            return str(display.sign.problem).startswith("storage: cannot store the payload")
        return display.sign.problem is None and content_hash(stored.read_bytes()) == (
            content_hash(self.good)
        )

    def close(self) -> None:
        """Forget the log handler and the scratch folder."""
        logging.getLogger("epaper_satellite").removeHandler(self.watch)
        self._dir.cleanup()

"""Files the satellite writes and reads: no symlink followed, fixed modes, size bounds.

Writes go to a fresh temporary file (``tempfile.mkstemp``: ``O_EXCL | O_NOFOLLOW``, a
random name) in a directory that only its owner can change, get their mode with
``fchmod`` (whatever the umask) and replace the target with one ``rename``. Reads take
regular files only, up to a bound: a link to ``/dev/zero``, a FIFO or a file grown too
large is a clear :class:`FileRefused`, never an endless read.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

# Bounds of what the satellite reads whole (bytes).
MAX_CONFIG_BYTES = 64 * 1024
MAX_SECRET_BYTES = 4 * 1024
MAX_PEM_BYTES = 1024 * 1024  # a CA bundle (Debian's holds ~140 certificates in ~220 KB)


class FileRefused(OSError):
    """A file the satellite will not read or a folder it will not write into; the
    message says which and why (``strerror`` holds the same text)."""

    def __init__(self, path: Path, why: str) -> None:
        """``path``: the file or folder; ``why``: a short reason in words."""
        super().__init__(why)
        self.strerror = why
        self.filename = str(path)

    def __str__(self) -> str:
        """``<path>: <why>``."""
        return f"{self.filename}: {self.strerror}"


def ensure_private_dir(path: Path, mode: int, owner: tuple[int, int] | None = None) -> None:
    """Make sure ``path`` is a folder that only its owner (this user or root) can change.

    A missing folder is created with exactly ``mode`` (missing parents 0755), whatever
    the umask, and given to ``owner`` (uid, gid) when set. An existing one is kept as it
    is but refused (:class:`FileRefused`) when it is a symlink, not a folder, belongs to
    another user, or others may write into it (they could swap the files in it).
    """
    missing: list[Path] = []
    current = path
    while not current.exists() and not current.is_symlink():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o700)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            os.fchmod(fd, mode if folder == path else 0o755)
            if owner is not None and folder == path:
                os.fchown(fd, *owner)
        finally:
            os.close(fd)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise FileRefused(path, "is a symlink; write into a real folder")
    if not stat.S_ISDIR(info.st_mode):
        raise FileRefused(path, "is not a folder")
    if info.st_uid not in (os.geteuid(), 0):
        raise FileRefused(path, f"belongs to uid {info.st_uid}, not to this user or root")
    if info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
        raise FileRefused(path, f"others may write into it (mode {info.st_mode & 0o777:o})")


def write_atomically(
    path: Path,
    data: bytes,
    mode: int,
    *,
    owner: tuple[int, int] | None = None,
    dir_mode: int = 0o700,
) -> None:
    """Replace ``path`` with ``data`` in one rename; readers see the old or the new file.

    The file is created fresh (a symlink at ``path`` or at any temporary name is never
    followed), written and fsynced, given ``mode`` and ``owner`` before it takes the
    name. The folder is checked (and created with ``dir_mode``) by
    :func:`ensure_private_dir`. Raises OSError (ENOSPC, EACCES, :class:`FileRefused`).
    """
    ensure_private_dir(path.parent, dir_mode)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(stream.fileno(), mode)
            if owner is not None:
                os.fchown(stream.fileno(), *owner)
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_bounded(path: Path, limit: int) -> bytes:
    """Return the bytes of the regular file ``path``, at most ``limit`` of them.

    Raises FileNotFoundError when it is missing, :class:`FileRefused` when it is not a
    regular file (a device such as ``/dev/zero``, a FIFO, a folder) or holds more than
    ``limit`` bytes, OSError for the rest. Symlinks to regular files are read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:  # checked before fdopen, which refuses a folder without closing the descriptor
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileRefused(path, "is not a regular file")
        stream = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(path, f"is larger than {limit} bytes")
    return data


def check_bounded(path: Path, limit: int) -> None:
    """Refuse (:class:`FileRefused`) an existing ``path`` that :func:`read_bounded` would
    refuse, for files a library reads itself (TLS certificates); a missing one passes."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(path, "is not a regular file")
    if info.st_size > limit:
        raise FileRefused(path, f"is larger than {limit} bytes")

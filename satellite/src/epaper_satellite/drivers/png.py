"""The png driver: the panel is an image file, written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PIL import Image

from .base import Driver, DriverError


def write_png_atomically(image: Image.Image, path: Path) -> None:
    """Write ``image`` as PNG to ``path`` so that readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            image.save(stream, format="PNG")
            stream.flush()
            os.fchmod(stream.fileno(), 0o644)  # the file itself, never a link in its place
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class PngDriver(Driver):
    """Writes exactly what a panel would show to ``[display] path``."""

    name = "png"

    @property
    def path(self) -> Path:
        """Where the image goes."""
        assert self.display.path is not None
        return self.display.path

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise DriverError(f"cannot create {self.path.parent}: {err.strerror}") from err

    def _display(self, image: Image.Image, *, full: bool) -> None:
        try:
            write_png_atomically(image, self.path)
        except OSError as err:
            raise DriverError(f"cannot write {self.path}: {err.strerror}") from err

"""PNG snapshots that must not be stored or served, and good ones to compare with.

Plain Python (no pytest): the hub's and the addon's snapshot tests and ``bench/fuzz.py``
take the same cases from here, so both components refuse the same images. Each bad
case is what an attacker or a broken door can put on ``{prefix}{device}/snapshot`` (and
the hub would pass on to Odoo): a truncated file, a small file declaring a huge image
(the 109 KB PNG of 30,000 x 30,000 pixels of issue 22), a corrupt chunk, pixels that
do not decompress, something that is not a PNG at all.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from collections.abc import Callable

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PANEL = (800, 480)  # the panel size the bad cases are checked against


def good_png(width: int = PANEL[0], height: int = PANEL[1], mode: str = "1") -> bytes:
    """Return a real PNG of ``width`` x ``height`` drawn by Pillow (a door's snapshot)."""
    image = Image.new(mode, (width, height), 1 if mode == "1" else 255)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def chunk(kind: bytes, data: bytes) -> bytes:
    """Return one PNG chunk: length, type, data and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def ihdr(width: int, height: int, bit_depth: int = 1, color_type: int = 0) -> bytes:
    """Return an IHDR chunk (grey, no interlace unless told)."""
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))


@functools.cache
def declared_bomb(side: int = 30_000) -> bytes:
    """Return a valid 1-bit PNG of ``side`` x ``side`` black pixels: about 109 KB on the
    wire for 30,000, 112 MB of pixels once decoded (900 million pixels)."""
    row = b"\x00" * (1 + (side + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row * 1000) for _ in range(side // 1000)]
    parts.append(compressor.compress(row * (side % 1000)))
    parts.append(compressor.flush())
    return PNG_SIGNATURE + ihdr(side, side) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def _bad_crc() -> bytes:
    png = bytearray(good_png())
    idat = png.index(b"IDAT")
    length = struct.unpack(">I", png[idat - 4 : idat])[0]
    png[idat + 4 + length] ^= 0xFF  # the first byte of the IDAT chunk's CRC
    return bytes(png)


def _undecodable_pixels() -> bytes:
    return (
        PNG_SIGNATURE
        + ihdr(*PANEL)
        + chunk(b"IDAT", b"\x78\x9c" + b"not deflate data" * 4)
        + chunk(b"IEND", b"")
    )


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG")
    return buffer.getvalue()


# (name, bytes) of every snapshot a reader must refuse with the panel size PANEL.
BAD_SNAPSHOTS: tuple[tuple[str, Callable[[], bytes]], ...] = (
    ("truncated to 40 bytes", lambda: good_png()[:40]),
    ("truncated in the pixels", lambda: good_png()[: len(good_png()) // 2]),
    ("signature only", lambda: PNG_SIGNATURE),
    ("109 KB declaring 30000 x 30000", declared_bomb),
    ("bigger than the panel", lambda: good_png(PANEL[0] + 1, PANEL[1])),
    ("declares 0 x 0", lambda: PNG_SIGNATURE + ihdr(0, 0) + chunk(b"IEND", b"")),
    ("corrupt CRC", _bad_crc),
    ("pixels that do not inflate", _undecodable_pixels),
    ("a JPEG", _jpeg),
    ("a GIF", lambda: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ("text", lambda: b"not a png"),
)

# (name, bytes) of snapshots a reader must take with the panel size PANEL.
GOOD_SNAPSHOTS: tuple[tuple[str, Callable[[], bytes]], ...] = (
    ("the panel's size, 1 bit", good_png),
    ("the panel's size, colour", lambda: good_png(mode="RGB")),
    ("rotated (portrait)", lambda: good_png(PANEL[1], PANEL[0])),
    ("smaller than the panel", lambda: good_png(40, 30)),
)

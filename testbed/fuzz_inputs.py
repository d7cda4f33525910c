"""Seeded bad inputs for every consumer of the wire contract (and of Odoo's answers).

:class:`Junk` makes, from one ``random.Random(seed)``, the same cases on every run:
random bytes, random JSON, valid examples (from ``tests/vectors/``) with parts
replaced, removed or retyped, and the classic troublemakers (deep nesting,
10,000-digit numbers, NaN, lone surrogates, invalid UTF-8, BOMs, NUL, huge texts).
About one case in ten is left valid on purpose, so that consumers also take good
input between the junk. Nothing here knows the consumers' rules.
"""

from __future__ import annotations

import copy
import io
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).resolve().parents[1] / "tests" / "vectors"
ODD_TEXTS = (
    "",
    " ",
    "\x00",
    "\ud800",
    "\udfff",
    "a\nb\tc\r",
    "\u202eevil",
    "🎉 Team lunch 🍕",
    "مرحبا עם דנה",
    "ﷺ" * 50,
    "x" * 5000,
    "null",
    "2026-11-27T10:00:00Z",
    "2026-02-30T10:00:00Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-12:00",
    "reception",
    "Reception Hall",
    "_hub",
    "../etc/passwd",
    "online",
    "offline",
    "refresh",
    "\ufeff{}",
)
ODD_NUMBERS = (0, -1, 1, 2, 2**31, -(2**63), 2**64, 10**30, 0.5, -0.0, 1e308, float("inf"))
SPECIAL_BYTES = (
    b"",
    b"{",
    b"}",
    b"[]",
    b"null",
    b"true",
    b'"text"',
    b"\xff\xfe\x00",
    b"\xef\xbb\xbf{}",
    b"\xc3\x28",
    b'{"a":NaN}',
    b'{"a":Infinity}',
    b'{"a":1e999}',
    b'"\\ud800"',
    b'{"v":1,"v":2}',
    b"\x00" * 64,
)


def load_cases(name: str) -> list[dict[str, Any]]:
    """Return the cases of ``tests/vectors/<name>.json``."""
    return json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))["cases"]


def valid_payloads(name: str) -> list[Any]:
    """Return the valid JSON payloads among the vectors of ``name``."""
    return [case["payload"] for case in load_cases(name) if case["valid"] and "payload" in case]


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    """Return a small valid PNG (Pillow), the seed of snapshot cases."""
    from PIL import Image, ImageDraw

    image = Image.new("1", size, 1)
    ImageDraw.Draw(image).rectangle((2, 2, 12, 8), fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def encode(value: Any, rng: random.Random) -> bytes:
    """Serialise ``value`` as JSON bytes, in one of the ways a sender might."""
    try:
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5, separators=(",", ":"))
        return text.encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        return json.dumps(value, ensure_ascii=True).encode("utf-8")


class Junk:
    """Seeded generator of bad (and some good) inputs around valid examples."""

    def __init__(self, seed: int) -> None:
        """All choices come from ``random.Random(seed)``."""
        self.rng = random.Random(seed)

    def text(self) -> str:
        """A text: an odd one, or random code points of every plane."""
        rng = self.rng
        if rng.random() < 0.6:
            return rng.choice(ODD_TEXTS)
        return "".join(
            chr(rng.choice((rng.randrange(32, 127), rng.randrange(0x110000))))
            for _ in range(rng.randrange(12))
        )

    def number(self) -> Any:
        """A number: an odd one or a random int or float."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.5:
            return rng.choice(ODD_NUMBERS)
        if roll < 0.8:
            return rng.randrange(-(10**6), 10**6)
        return rng.uniform(-1e6, 1e6)

    def json_value(self, depth: int = 0) -> Any:
        """Any JSON value, nested a little."""
        rng = self.rng
        kind = rng.randrange(8 if depth < 3 else 5)
        if kind == 0:
            return None
        if kind == 1:
            return rng.random() < 0.5
        if kind == 2:
            return self.number()
        if kind in (3, 4):
            return self.text()
        if kind == 5:
            return [self.json_value(depth + 1) for _ in range(rng.randrange(4))]
        keys = ["id", "text", "cmd", "state", "v", "device", "events", "devices", "ok", "error"]
        return {
            (rng.choice(keys) if rng.random() < 0.6 else self.text()): self.json_value(depth + 1)
            for _ in range(rng.randrange(5))
        }

    def mutate(self, value: Any) -> Any:
        """A copy of ``value`` with one to three parts replaced, removed, added or retyped."""
        rng = self.rng
        result = copy.deepcopy(value)
        for _ in range(rng.randrange(1, 4)):
            result = self._mutate_once(result)
        return result

    def _mutate_once(self, value: Any) -> Any:
        if isinstance(value, dict) and value and self.rng.random() < 0.8:
            return self._mutate_dict(value)
        if isinstance(value, list) and value and self.rng.random() < 0.8:
            return self._mutate_list(value)
        return self._replace(value)

    def _mutate_dict(self, value: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        key = rng.choice(list(value))
        roll = rng.random()
        if roll < 0.45:
            value[key] = self._mutate_once(value[key])
        elif roll < 0.7:
            value[key] = self.json_value()
        elif roll < 0.85:
            del value[key]
        else:
            value[self.text()] = self.json_value()
        return value

    def _mutate_list(self, value: list[Any]) -> list[Any]:
        rng = self.rng
        index = rng.randrange(len(value))
        roll = rng.random()
        if roll < 0.6:
            value[index] = self._mutate_once(value[index])
        elif roll < 0.8:
            del value[index]
        else:
            value.extend(copy.deepcopy(value) * rng.randrange(1, 50))
        return value

    def _replace(self, value: Any) -> Any:
        roll = self.rng.random()
        if roll < 0.3:
            return self.text()
        if roll < 0.5:
            return self.number()
        if roll < 0.65:
            return [value]
        if roll < 0.8:
            return {"value": value}
        return self.json_value()

    def special(self) -> bytes:
        """One of the classic troublemakers."""
        rng = self.rng
        roll = rng.randrange(6)
        if roll == 0:
            return rng.choice(SPECIAL_BYTES)
        if roll == 1:
            depth = rng.choice((50, 1000, 30000))
            return b"[" * depth + b"]" * depth
        if roll == 2:
            return b'{"v":' + b"9" * rng.choice((400, 5000, 20000)) + b"}"
        if roll == 3:
            return rng.randbytes(rng.choice((1024, 70 * 1024)))
        if roll == 4:
            return b'{"text":"' + b"A" * (100 * 1024) + b'"}'
        return b'{"id":"' + b"\\ud83d" + b'","text":"\\udc00"}'

    def payload(self, valid: list[Any], mutate: Callable[[Any], Any] | None = None) -> bytes:
        """A case for a consumer whose good inputs look like ``valid``: mostly junk."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.1:
            return encode(rng.choice(valid), rng)
        if roll < 0.2:
            return rng.randbytes(rng.randrange(300))
        if roll < 0.35:
            return encode(self.json_value(), rng)
        if roll < 0.45:
            return self.special()
        return encode((mutate or self.mutate)(rng.choice(valid)), rng)

    def png(self, good: bytes) -> bytes:
        """A snapshot case: the good PNG, or one truncated, flipped, padded or replaced, or
        an image bomb (a huge declared size, one of ``testbed/bad_images.py``)."""
        rng = self.rng
        roll = rng.randrange(8)
        if roll >= 6:
            return self.png_bomb(good)
        data = bytearray(good)
        if roll == 1:
            data = data[: rng.randrange(len(good))]
        elif roll == 2:
            for _ in range(rng.randrange(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif roll == 3:
            data = data[:8] + rng.randbytes(rng.randrange(200))
        elif roll == 4:
            oversize = rng.random() < 0.02  # past the 2 MiB limit, now and then
            data += rng.randbytes(2 * 1024 * 1024 + 1 if oversize else rng.randrange(1, 5000))
        elif roll == 5:
            data = bytearray(rng.randbytes(rng.randrange(64)))
        return bytes(data)

    def png_bomb(self, good: bytes) -> bytes:
        """The good PNG declaring another size (its IHDR rewritten with a valid CRC):
        huge (up to 2^31 a side), zero, or just past a panel's."""
        import struct
        import zlib

        rng = self.rng
        if rng.random() < 0.3:
            from testbed.bad_images import BAD_SNAPSHOTS

            return rng.choice(BAD_SNAPSHOTS)[1]()
        side = rng.choice((0, 1, 801, 2049, 30_000, 65_535, 2**31 - 1))
        width, height = (side, rng.choice((1, 30, side))) if rng.random() < 0.5 else (30, side)
        header = struct.pack(">II", width, height) + good[24:29]
        chunk = b"IHDR" + header
        return good[:8] + good[8:12] + chunk + struct.pack(">I", zlib.crc32(chunk)) + good[33:]

"""Hand-written bad input for the satellite's /data, /cmd and /test topics."""

from __future__ import annotations

import json
from typing import Any

from tests.reliability.helpers import room


def _data(**changes: Any) -> bytes:
    payload = room("reception")
    payload.update(changes)
    return json.dumps(payload).encode()


def _event(**changes: Any) -> bytes:
    event = {"title": "Meeting", "start": "2026-11-27T10:00:00Z", "end": "2026-11-27T11:00:00Z"}
    event.update(changes)
    return _data(events=[event])


def _without(key: str) -> bytes:
    return json.dumps({k: v for k, v in room("reception").items() if k != key}).encode()


def _nested(depth: int) -> bytes:
    return b'{"v":1,"x":' + b"[" * depth + b"]" * depth + b"}"


# Every case must be rejected (the panel keeps what it shows).
DATA_REJECTED: dict[str, bytes] = {
    "whitespace": b"  \n\t ",
    "null": b"null",
    "a list": b"[1,2]",
    "a string": b'"hello"',
    "truncated": _data()[:-5],
    "utf-16": json.dumps(room("reception")).encode("utf-16"),
    "latin-1 room": _data(room="Besprechungsraum M\u00fcnchen").replace(b"\\u00fc", b"\xfc"),
    "NUL byte outside a string": b"\x00" + _data(),
    "NaN for v": b'{"v":NaN}',
    "Infinity for v": b'{"v":Infinity}',
    "v as a string": _data(v="1"),
    "v true": _data(v=True),
    "v 1.0": _data(v=1.0),
    "v with 5000 digits": b'{"v":1' + b"0" * 5000 + b"}",
    "deep nesting 30000": _nested(30000),
    "deep nesting, small": _nested(2000),
    "device of another display": _data(device="boardroom"),
    "device in upper case": _data(device="RECEPTION"),
    "device null": _data(device=None),
    "room missing": _without("room"),
    "events missing": _without("events"),
    "v missing": _without("v"),
    "room a number": _data(room=42),
    "events an object": _data(events={"0": {}}),
    "events null": _data(events=None),
    "event a string": _data(events=["Board meeting 10:00"]),
    "title false": _event(title=False),
    "title null": _event(title=None),
    "start without offset": _event(start="2026-11-27T10:00:00"),
    "start as a date": _event(start="2026-11-27"),
    "start as epoch": _event(start=1795600000),
    "start 30 February": _event(start="2026-02-30T10:00:00Z"),
    "start in year 1": _event(start="0001-01-01T00:00:00Z"),
    "start in year 9999": _event(start="9999-12-31T23:59:59Z", end="9999-12-31T23:59:59Z"),
    "end before start": _event(end="2026-11-27T09:00:00Z"),
    "end equals start": _event(end="2026-11-27T10:00:00Z"),
    "private as a string": _event(private="yes"),
    "organizer a number": _event(organizer=7),
    "501 events": _data(
        events=[{"title": "", "start": "2026-11-27T10:00:00Z", "end": "2026-11-27T10:01:00Z"}] * 501
    ),
    "over 64 KiB": _data(room="x" * (64 * 1024)),
    "unknown timezone": _data(tz="Mars/Olympus_Mons"),
    "timezone path": _data(tz="../../etc/passwd"),
    "timezone with NUL": _data(tz="Europe/Berlin\x00"),
    "valid_until not a time": _data(valid_until="tomorrow"),
    "message a string": _data(message="Fire drill"),
    "message without text": _data(message={"until": "2026-11-27T14:00:00Z"}),
    "qr a list": _data(qr=["https://example.com"]),
    "qr over 1024": _data(qr="h" * 1025),
    "lone surrogate in qr": _data(qr="\ud83d"),
    "lone surrogate in title": _event(title="Party \udfff"),
    "lone surrogate in a key": b'{"\\ud800":1,' + _data()[1:],
}

# Odd but valid: drawn, never a crash.
DATA_ACCEPTED: dict[str, bytes] = {
    "title of 20000 characters": _event(title="W" * 20000),
    "5000 combining accents": _event(title="e" + "\u0301" * 5000),
    "right-to-left override": _event(title="\u202eevil\u202c"),
    "emoji": _event(title="\U0001f600" * 200),
    "control characters": _event(title="a\x00b\x07c\x1b[31m"),
    "newlines and tabs": _event(title="a\n\n\tb\r\n" * 50),
    "chinese": _event(title="\u4f1a\u8bae\u5ba4" * 30),
    "overlapping events": _data(
        events=[
            {"title": "a", "start": "2026-11-27T10:00:00Z", "end": "2026-11-27T12:00:00Z"},
            {"title": "b", "start": "2026-11-27T10:30:00Z", "end": "2026-11-27T11:00:00Z"},
        ]
    ),
    "events unsorted": _data(
        events=[
            {"title": "late", "start": "2026-11-27T16:00:00Z", "end": "2026-11-27T17:00:00Z"},
            {"title": "early", "start": "2026-11-27T08:00:00Z", "end": "2026-11-27T09:00:00Z"},
        ]
    ),
    "500 events": _data(
        events=[
            {
                "title": f"{i}",
                "start": f"2026-11-27T{i // 60 % 24:02d}:{i % 60:02d}:00Z",
                "end": f"2026-11-28T{i // 60 % 24:02d}:{i % 60:02d}:00Z",
            }
            for i in range(500)
        ]
    ),
    "zero events": _data(events=[]),
    "unknown keys": _data(extra={"deep": [1, 2, {"x": None}]}, colour="red"),
    "offsets +14:00 and -12:00": _event(
        start="2026-11-27T10:00:00+14:00", end="2026-11-27T23:00:00-12:00"
    ),
    "fractional seconds": _event(start="2026-11-27T10:00:00.123456789Z"),
    "empty room name": _data(room=""),
    "qr of 1024": _data(qr="h" * 1024),
    "already stale": _data(valid_until="2000-01-01T00:00:00Z"),
}

CMD_REJECTED: dict[str, bytes] = {
    "empty": b"",
    "bare word": b"refresh",
    "null": b"null",
    "a list": b'["refresh"]',
    "unknown command": b'{"cmd":"reboot"}',
    "shell": b'{"cmd":"refresh; rm -rf /"}',
    "upper case": b'{"cmd":"REFRESH"}',
    "cmd a number": b'{"cmd":1}',
    "cmd null": b'{"cmd":null}',
    "no cmd": b'{"command":"refresh"}',
    "not UTF-8": b'{"cmd":"\xff"}',
    "over 64 KiB": b'{"cmd":"refresh","pad":"' + b"x" * 70000 + b'"}',
    "lone surrogate": b'{"cmd":"\\ud800"}',
}

TEST_REJECTED: dict[str, bytes] = {
    "empty": b"",
    "null": b"null",
    "no id": b'{"text":"hello"}',
    "id empty": b'{"id":"","text":"hello"}',
    "id a number": b'{"id":5,"text":"hello"}',
    "id of 65 characters": json.dumps({"id": "i" * 65, "text": "x"}).encode(),
    "text a number (acked with an error)": b'{"id":"t-1","text":5}',
    "text a list (acked with an error)": b'{"id":"t-2","text":["a"]}',
    "not UTF-8": b'{"id":"t-3","text":"\xfe"}',
    "over 64 KiB": b'{"id":"t-4","text":"' + b"x" * 70000 + b'"}',
    "lone surrogate in text": b'{"id":"t-5","text":"\\udc00"}',
    "lone surrogate in id": b'{"id":"t-\\udc00","text":"x"}',
}

"""Hand-written bad ``/status`` payloads for the Odoo addon's MQTT session."""

from __future__ import annotations

import json

# Refused: the last good status of the display stays.
STATUS_REJECTED: dict[str, bytes] = {
    "empty": b"",
    "spaces": b"   ",
    "ONLINE in capitals": b"ONLINE",
    "unknown word": b"rebooting",
    "byte order mark": "\ufeffonline".encode(),
    "null": b"null",
    "number": b"1",
    "list": b'["online"]',
    "state missing": b'{"error":null}',
    "state a list": b'{"state":["online"]}',
    "state true": b'{"state":true}',
    "trailing garbage": b'{"state":"online"} x',
    "truncated": b'{"state":"onl',
    "not UTF-8": b'{"state":"online","error":"\xff"}',
    "UTF-16": json.dumps({"state": "online"}).encode("utf-16"),
    "over 64 KiB": json.dumps({"state": "online", "pad": "x" * 70000}).encode(),
    "deep nesting": b'{"state":"online","x":' + b"[" * 30000 + b"]" * 30000 + b"}",
    "int of 5000 digits": b'{"state":"online","rc":1' + b"0" * 5000 + b"}",
    "width 1e400": b'{"state":"online","width":1e400}',
    "width NaN": b'{"state":"online","width":NaN}',
    "width a string": b'{"state":"online","width":"800"}',
    "error a number": b'{"state":"online","error":42}',
    "error an object": b'{"state":"online","error":{"text":"x"}}',
    "last_render not a time": b'{"state":"online","last_render":"yesterday"}',
    "last_render out of range": b'{"state":"online","last_render":"0001-01-01T00:00:00+14:00"}',
    "last_render a number": b'{"state":"online","last_render":1795600000}',
}

# Accepted, with every text made storable (no NUL, controls or lone surrogates; 500 max).
STATUS_CLEANED: dict[str, bytes] = {
    "NUL in error": b'{"state":"online","error":"disk\\u0000full"}',
    "lone surrogate in error": b'{"state":"online","error":"bad \\ud800 text"}',
    "escape sequence in error": b'{"state":"online","error":"\\u001b[31mred"}',
    "error of 10000 characters": json.dumps({"state": "online", "error": "e" * 10000}).encode(),
    "NUL in panel": b'{"state":"online","panel":"epd\\u00007in5"}',
    "surrogate in version": b'{"state":"online","version":"1.0\\udfff"}',
    "huge rc": b'{"state":"online","rc":100000000000000000000}',
    "negative width": b'{"state":"online","width":-800}',
    "duplicate state key": b'{"state":"offline","state":"online"}',
}

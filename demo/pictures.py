"""Render the README's panel pictures through the real pipeline, without MQTT.

Odoo test server (the demo company at a fixed time) -> the hub's Odoo client
and payload builder -> the satellite's renderer (``epaper-satellite render``).
Run ``.venv/bin/python -m demo.pictures``; writes ``docs/images/*.png``.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from custom_components.odoo_epaper.const import PAYLOAD_LIFETIME
from custom_components.odoo_epaper.odoo_client import OdooClient
from custom_components.odoo_epaper.schedule import booking_window
from custom_components.odoo_epaper.wire import build_payload
from demo import data
from testbed.odoo_server import OdooTestServer

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
# A Friday at 10:20 in Brussels.
NOW = dt.datetime(2026, 11, 27, 9, 20, tzinfo=dt.UTC)
# (device, width, height, colors) of each picture.
PICTURES = [
    ("reception", 800, 480, "bwr"),
    ("boardroom", 400, 300, "bw"),
    ("executive", 400, 300, "bwy"),
    ("athina", 296, 128, "bw"),
    ("lab", 250, 122, "bw"),
]


def payloads(now: dt.datetime) -> dict[str, dict[str, object]]:
    """Every demo display's /data payload, as the hub builds it at ``now``."""
    with tempfile.TemporaryDirectory() as folder:
        fixture = data.write_fixture(Path(folder) / "odoo.json", data.fixture(now))
        with OdooTestServer(fixture, today=now.date()) as server:
            client = OdooClient(server.url, data.DATABASE, data.LOGIN, data.PASSWORD)
            client.connect()
            schedule = client.fetch_schedule("auto", *booking_window(now, 7), data.TIMEZONE)
    return {
        display.device: build_payload(
            device=display.device,
            room=display.room,
            tz=display.tz or data.TIMEZONE,
            bookings=schedule.bookings.get(display.device, ()),
            now=now,
            lifetime=PAYLOAD_LIFETIME,
            qr=display.qr,
        )
        for display in schedule.displays
    }


def main() -> int:
    """Write one PNG per picture; return the exit code."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    built = payloads(NOW)
    satellite = Path(sys.executable).parent / "epaper-satellite"
    with tempfile.TemporaryDirectory() as folder:
        for device, width, height, colors in PICTURES:
            payload = Path(folder) / f"{device}.json"
            payload.write_text(json.dumps(built[device], ensure_ascii=False), encoding="utf-8")
            out = IMAGES / f"{device}-{width}x{height}-{colors}.png"
            size = ["--width", str(width), "--height", str(height), "--colors", colors]
            subprocess.run(
                [
                    str(satellite),
                    "render",
                    "--payload",
                    str(payload),
                    "--out",
                    str(out),
                    *size,
                    "--now",
                    NOW.isoformat(),
                ],
                check=True,
            )
            print(out.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())

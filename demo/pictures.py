"""Render the README's panel pictures through the real pipeline, without MQTT.

Odoo test server (the demo company at a fixed time) -> the hub's Odoo client
and payload builder -> the satellite's renderer (``epaper-satellite render``).
Then a gallery of languages and scripts (German, US English with its 12-hour
clock, Arabic, Japanese) on two panel sizes, from payloads with a ``locale``.
Run ``scripts/py314 .venv/bin/python -m demo.pictures``; writes ``docs/images/*.png``.
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


def _event(title: str, start: str, end: str, **extra: object) -> dict[str, object]:
    return {"title": title, "start": f"2026-11-27T{start}:00Z", "end": f"2026-11-27T{end}:00Z",
            "organizer": None, "private": False, **extra}  # fmt: skip


def _room(
    device: str, room: str, tz: str, locale: str, events: list[dict[str, object]]
) -> dict[str, object]:
    """A gallery payload; ``gallery`` sets its ``generated_at`` and ``valid_until``."""
    return {"v": 1, "device": device, "room": room, "tz": tz, "locale": locale,
            "events": events, "message": None, "qr": None}  # fmt: skip


# (name, payload, now): one sign per language and script, at a busy moment.
GALLERY: list[tuple[str, dict[str, object], str]] = [
    ("de-DE", _room("gf-nord", "Konferenzraum Geschäftsführung Erdgeschoss Nord", "Europe/Berlin",
     "de-DE", [{"title": "Inventur", "start": "2026-11-26T23:00:00Z",
                "end": "2026-11-27T23:00:00Z", "organizer": None, "private": False,
                "all_day": True},
      _event("Budgetplanung 2027", "09:00", "10:30", organizer="F. Müller"),
      _event("Datenschutz-Schulung", "12:00", "13:00"),
      _event("Vertrieb Nord 🚀", "14:00", "15:00")]), "2026-11-27T09:20:00Z"),
    ("en-US", _room("boardroom", "Boardroom ☕", "America/New_York", "en-US",
     [_event("Quarterly review", "14:00", "15:30", organizer="A. Smith"),
      _event("Interview", "16:00", "17:00", private=True),
      _event("All hands 🎉", "19:00", "20:00")]), "2026-11-27T14:20:00Z"),
    ("ar", _room("qaa-1", "قاعة الاجتماعات الكبرى", "Asia/Dubai", "ar",
     [_event("اجتماع الفريق الأسبوعي", "06:00", "07:00", organizer="سارة الحربي"),
      _event("ישיבת צוות שבועית", "08:00", "09:00", organizer="דנה כהן"),
      _event("Review عن خطة Q4", "10:00", "11:00")]), "2026-11-27T06:20:00Z"),
    ("ja", _room("tokyo", "第一会議室 本館三階", "Asia/Tokyo", "ja",
     [_event("週次定例ミーティング", "01:00", "02:00", organizer="山田 太郎"),
      _event("採用面接", "04:00", "05:00", private=True),
      _event("新製品発表 準備 ✅", "06:00", "07:00")]), "2026-11-27T01:20:00Z"),
]  # fmt: skip
GALLERY_SIZES = [(800, 480, "bwr"), (400, 300, "bw")]
# (device, name, width, height, colors, moment, keys): the same payloads later on: free
# for a while (walk-ins welcome), nine days on (no longer current), upright, with keys.
KEYS = "book_now 15,extend 15,end_now,check_in"  # the Waveshare 2.7" HAT's default map
LATER = [
    ("reception", "walk-in", 800, 480, "bwr", NOW + dt.timedelta(hours=2, minutes=50), ""),
    ("boardroom", "not-current", 400, 300, "bw", NOW + dt.timedelta(days=9), ""),
    ("reception", "upright", 480, 800, "bw", NOW, ""),
    ("executive", "keys", 400, 300, "bwy", NOW, KEYS),
]


def gallery(satellite: Path, folder: Path) -> list[Path]:
    """Render every gallery sign on every gallery size; return the PNGs written."""
    written = []
    for name, room, now in GALLERY:
        # Sent 20 minutes before the picture's moment: the "Updated" time is in the past.
        sent = dt.datetime.fromisoformat(now) - dt.timedelta(minutes=20)
        until = sent + dt.timedelta(hours=12)
        payload = {
            **room,
            "generated_at": sent.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "valid_until": until.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        source = folder / f"gallery-{name}.json"
        source.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        for width, height, colors in GALLERY_SIZES:
            out = IMAGES / f"gallery-{name}-{width}x{height}-{colors}.png"
            size = ["--width", str(width), "--height", str(height), "--colors", colors]
            command = [str(satellite), "render", "--payload", str(source), "--out", str(out)]
            subprocess.run([*command, *size, "--now", now], check=True)
            written.append(out)
    return written


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
        for device, name, width, height, colors, moment, keys in LATER:
            payload = Path(folder) / f"{device}.json"
            out = IMAGES / f"{device}-{name}-{width}x{height}-{colors}.png"
            size = ["--width", str(width), "--height", str(height), "--colors", colors]
            command = [str(satellite), "render", "--payload", str(payload), "--out", str(out)]
            extra = ["--keys", keys] if keys else []
            subprocess.run([*command, *size, "--now", moment.isoformat(), *extra], check=True)
            print(out.relative_to(ROOT))
        for out in gallery(satellite, Path(folder)):
            print(out.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())

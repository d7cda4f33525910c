"""Benchmark the satellite: milliseconds per render per layout, peak RSS of a running daemon.

Run with ``.venv/bin/python -m bench.render``; writes the "render" section of
docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
from epaper_satellite.render import Rendered, render_room, room_view, to_panel_image
from epaper_satellite.schedule import zone
from epaper_satellite.wire import RoomData, parse_data
from paho.mqtt.enums import CallbackAPIVersion
from PIL import Image

from bench.report import table, write_section
from testbed.broker import Broker, free_port

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "satellite" / "docs" / "sample-room.json"
SIZES = [(800, 480), (640, 384), (400, 300), (296, 128), (250, 122), (480, 800), (128, 296)]
ROUNDS = 30
PAYLOADS = 40


def _median_p95(samples: list[float]) -> tuple[str, str]:
    samples = sorted(samples)
    return f"{statistics.median(samples):.1f}", f"{samples[int(len(samples) * 0.95) - 1]:.1f}"


def _timed(action: Callable[[], object]) -> list[float]:
    action()  # warm caches
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _png(image: Image.Image) -> bytes:
    """The PNG bytes the satellite publishes on /snapshot for an image."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _draw(
    data: RoomData, now: dt.datetime, tz: dt.tzinfo, size: tuple[int, int], colors: str
) -> Rendered:
    return render_room(room_view(data, now, tz), *size, colors)


def _decode(snapshot: bytes, colors: str) -> Image.Image:
    return to_panel_image(Image.open(io.BytesIO(snapshot)), colors)


def render_times() -> list[list[object]]:
    """Milliseconds of one room render (draw + palette) per size and palette.

    Beside it, the baseline of an image-push client: decoding the same screen's
    PNG and converting it to the panel's inks, which it must do per update.
    """
    raw = SAMPLE.read_bytes()
    data = parse_data(raw, None)
    tz = zone("Europe/Berlin")
    assert tz is not None
    now = dt.datetime(2026, 11, 27, 10, 20, tzinfo=dt.UTC)
    rows: list[list[object]] = []
    for width, height in SIZES:
        for colors in ("bw", "bwr"):
            draw = functools.partial(_draw, data, now, tz, (width, height), colors)
            median, p95 = _median_p95(_timed(draw))
            snapshot = _png(draw().image)
            decode = functools.partial(_decode, snapshot, colors)
            decode_median, _ = _median_p95(_timed(decode))
            orientation = "portrait" if height > width else "landscape"
            rows.append([f"{width}x{height}", orientation, colors, median, p95, decode_median])
    return rows


def wire_bytes() -> list[list[object]]:
    """Bytes on the wire per update: our JSON payload against pushing the rendered image."""
    raw = json.dumps(json.loads(SAMPLE.read_text()), separators=(",", ":")).encode()
    data = parse_data(raw, None)
    tz = zone("Europe/Berlin")
    assert tz is not None
    now = dt.datetime(2026, 11, 27, 10, 20, tzinfo=dt.UTC)
    rows: list[list[object]] = []
    for width, height in [(800, 480), (400, 300), (296, 128)]:
        for colors in ("bw", "bwr"):
            snapshot = _png(render_room(room_view(data, now, tz), width, height, colors).image)
            planes = 1 if colors == "bw" else 2
            frame = width * height // 8 * planes
            rows.append(
                [
                    f"{width}x{height}",
                    colors,
                    len(raw),
                    len(snapshot),
                    frame,
                    f"{frame / len(raw):.0f}x",
                ]
            )
    return rows


def cold_start_ms() -> float:
    """Milliseconds from starting the daemon to the stored payload on the panel, broker down."""
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        state = directory / "state"
        state.mkdir()
        (state / "last_data.json").write_bytes(SAMPLE.read_bytes())
        panel = directory / "panel.png"
        config = directory / "config.toml"
        config.write_text(
            f'[mqtt]\nhost = "127.0.0.1"\nport = {free_port()}\ntls = false\n'
            f'[device]\nname = "reception"\nstate_dir = "{state}"\n'
            f'[display]\ndriver = "png"\npath = "{panel}"\nwidth = 800\nheight = 480\n'
        )
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "epaper_satellite", "--config", str(config)],
            stderr=subprocess.DEVNULL,
        )
        try:
            while not panel.exists():
                if time.monotonic() - started > 30:
                    raise RuntimeError("the stored payload was never drawn")
                time.sleep(0.002)
            return (time.monotonic() - started) * 1000
        finally:
            process.terminate()
            process.wait(10)


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def daemon_figures() -> list[list[object]]:
    """Start the daemon against a real broker, feed it payloads, read its memory."""
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        broker = Broker(directory=directory / "broker").start()
        try:
            config = directory / "config.toml"
            config.write_text(
                f'[mqtt]\nhost = "127.0.0.1"\nport = {broker.port}\ntls = false\n'
                f'[device]\nname = "reception"\nstate_dir = "{directory / "state"}"\n'
                f'[display]\ndriver = "png"\npath = "{directory / "panel.png"}"\n'
                "width = 800\nheight = 480\n"
            )
            statuses: list[tuple[float, dict[str, object]]] = []
            hub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-hub")
            hub.on_message = lambda _c, _u, m: statuses.append(
                (time.monotonic(), json.loads(m.payload))
            )
            hub.connect("127.0.0.1", broker.port)
            hub.loop_start()
            hub.subscribe("odoo_epaper/reception/status", qos=1)
            started = time.monotonic()
            process = subprocess.Popen(
                [sys.executable, "-m", "epaper_satellite", "--config", str(config)],
                stderr=subprocess.DEVNULL,
            )
            try:
                while not any(s.get("state") == "online" for _, s in statuses):
                    time.sleep(0.005)
                online = statuses[0][0] - started
                base = json.loads(SAMPLE.read_text())
                draw_ms = []
                for index in range(PAYLOADS):
                    payload = dict(base, room=f"Room {index}")
                    raw = json.dumps(payload).encode()
                    count = len(statuses)
                    sent = time.monotonic()
                    hub.publish("odoo_epaper/reception/data", raw, qos=1, retain=True)
                    while len(statuses) == count or not statuses[-1][1].get("content_hash"):
                        time.sleep(0.001)
                    draw_ms.append((statuses[-1][0] - sent) * 1000)
                peak, current = _kib(process.pid, "VmHWM"), _kib(process.pid, "VmRSS")
            finally:
                process.terminate()
                process.wait(10)
                hub.disconnect()
                hub.loop_stop()
        finally:
            broker.stop()
    return [
        ["start to retained online status", f"{online * 1000:.0f} ms"],
        [
            f"/data publish to status after the draw (median of {PAYLOADS}, 800x480 png)",
            f"{statistics.median(draw_ms):.0f} ms",
        ],
        [f"peak RSS (VmHWM) after {PAYLOADS} payloads", f"{peak / 1024:.1f} MiB"],
        ["RSS at the end", f"{current / 1024:.1f} MiB"],
    ]


def main() -> None:
    """Measure and write the section."""
    renders = render_times()
    daemon = daemon_figures()
    cold = statistics.median(cold_start_ms() for _ in range(5))
    daemon.insert(
        0, ["cold start to the stored payload drawn, broker down (median of 5)", f"{cold:.0f} ms"]
    )
    sizes = wire_bytes()
    body = (
        "Satellite rendering (`epaper_satellite.render.render_room`: layout, text, QR code and "
        f"conversion to the panel's inks) for `satellite/docs/sample-room.json`, {ROUNDS} rounds "
        "per row after a warm-up, in milliseconds.\n\n"
        + table(
            ["size", "orientation", "colors", "median ms", "p95 ms", "baseline: PNG decode ms"],
            renders,
        )
        + "\n\nThe baseline column is what an image-push client does per update instead: "
        "decode the PNG of the same screen and convert it to the panel's inks."
        + "\n\nThe daemon (`epaper-satellite`, png driver, 800x480) against a real Mosquitto "
        "on loopback:\n\n"
        + table(["what", "figure"], daemon)
        + "\n\nBytes on the wire per update for the same room: the JSON `/data` payload "
        "(compact, as the hub publishes it), against what image-push systems send: the "
        "rendered screen as PNG (our `/snapshot`) or the raw 1-bit frame (two planes for "
        "three colours).\n\n"
        + table(
            ["size", "colors", "JSON bytes", "PNG bytes", "raw frame bytes", "frame / JSON"],
            sizes,
        )
        + "\n\nNot measured here: a Raspberry Pi's slower cores, and the panel's own refresh "
        '(Waveshare: 0.4 s partial to 5 s full on the 7.5" V2, 8-27 s for three colours), '
        "which dominates a real draw."
    )
    write_section("render", "Satellite rendering and memory", body)
    print(body)


if __name__ == "__main__":
    main()

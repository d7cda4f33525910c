"""Drivers: the png file, and the waveshare driver against a stand-in ``epaper`` module."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from epaper_satellite.config import DisplayConfig, RefreshConfig
from epaper_satellite.drivers import DriverError, PngDriver, WaveshareDriver
from epaper_satellite.render import render_blank, render_notice, to_panel_image
from PIL import Image, ImageDraw

from tests.satellite.conftest import STANDIN, FakeMonotonic


def _picture(size: tuple[int, int], colors: str = "bw", mark: int = 0) -> Image.Image:
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 10 + mark, 5), fill=(0, 0, 0))
    if colors != "bw":
        draw.rectangle((20, 20, 40, 40), fill=(255, 0, 0))
    return to_panel_image(image, colors)


@pytest.fixture
def epaper() -> Iterator[ModuleType]:
    """The stand-in ``epaper`` module on sys.path, its call log emptied."""
    sys.path.insert(0, str(STANDIN))
    sys.modules.pop("epaper", None)
    import epaper as module

    module.CALLS.clear()
    module.FAIL_ON.clear()
    yield module
    sys.path.remove(str(STANDIN))
    sys.modules.pop("epaper", None)


def _waveshare(
    model: str = "epd7in5_V2", colors: str = "bw", rotate: int = 0, **refresh: float
) -> tuple[WaveshareDriver, FakeMonotonic]:
    clock = FakeMonotonic()
    settings = {"min_interval": 180.0, "full_every": 3, **refresh}
    driver = WaveshareDriver(
        DisplayConfig(driver="waveshare", model=model, colors=colors, rotate=rotate),
        RefreshConfig(**settings),  # type: ignore[arg-type]
        monotonic=clock,
    )
    driver.setup()
    return driver, clock


def _kinds(calls: list[tuple[object, ...]]) -> list[str]:
    return [str(call[0]) for call in calls if call[0] != "getbuffer"]


def test_png_driver_writes_the_panel_image_atomically(tmp_path: Path) -> None:
    """The file holds exactly the image; no temporary files are left behind."""
    path = tmp_path / "out" / "panel.png"
    driver = PngDriver(DisplayConfig(path=path, width=400, height=300), RefreshConfig())
    driver.setup()
    image = _picture((400, 300))
    assert driver.show(image).outcome == "drawn"
    with Image.open(path) as written:
        assert written.size == (400, 300)
        assert written.convert("1").tobytes() == image.tobytes()
    assert sorted(p.name for p in path.parent.iterdir()) == ["panel.png"]


def test_same_image_is_not_redrawn(tmp_path: Path) -> None:
    """A draw of what the panel already shows does nothing, unless forced."""
    path = tmp_path / "panel.png"
    driver = PngDriver(DisplayConfig(path=path, width=400, height=300), RefreshConfig())
    driver.setup()
    driver.show(_picture((400, 300)))
    before = path.stat().st_mtime_ns
    path.unlink()
    assert driver.show(_picture((400, 300))).outcome == "unchanged"
    assert not path.exists()
    assert driver.show(_picture((400, 300)), force=True).outcome == "drawn"
    assert path.exists()
    assert before


def test_png_rotation_writes_the_native_orientation(tmp_path: Path) -> None:
    """rotate=90 renders at the turned size and writes the panel's own orientation."""
    path = tmp_path / "panel.png"
    driver = PngDriver(DisplayConfig(path=path, width=400, height=300, rotate=90), RefreshConfig())
    driver.setup()
    assert driver.size == (300, 400)
    image = _picture((300, 400))
    driver.show(image)
    with Image.open(path) as written:
        assert written.size == (400, 300)
        # The logical top-left corner (black) lands at the native top-right.
        assert written.convert("L").getpixel((399, 0)) == 0
        assert written.convert("L").getpixel((0, 0)) == 255


def test_png_driver_reports_unwritable_paths(tmp_path: Path) -> None:
    """A path that cannot be written is a DriverError, not a crash."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    driver = PngDriver(DisplayConfig(path=blocker / "panel.png"), RefreshConfig())
    with pytest.raises(DriverError, match="cannot create"):
        driver.setup()


def test_wrong_image_size_is_refused(tmp_path: Path) -> None:
    """An image of the wrong size is a DriverError."""
    driver = PngDriver(
        DisplayConfig(path=tmp_path / "p.png", width=400, height=300), RefreshConfig()
    )
    with pytest.raises(DriverError, match="panel wants"):
        driver.show(_picture((300, 400)))


def test_waveshare_partial_full_every_n_and_sleep(epaper: ModuleType) -> None:
    """First draw full, then partial ones, a full one after N partials; sleep after each."""
    driver, clock = _waveshare()
    assert driver.size == (800, 480)
    assert driver.supports_partial
    kinds = []
    for mark in range(6):
        result = driver.show(_picture((800, 480), mark=mark))
        assert result.outcome == "drawn"
        kinds.append(result.refresh)
        clock.now += 181
    assert kinds == ["full", "partial", "partial", "partial", "full", "partial"]
    calls = _kinds(epaper.CALLS)
    assert calls[:3] == ["init", "display", "sleep"]
    assert calls[3:6] == ["init_part", "display_Partial", "sleep"]
    assert calls.count("sleep") == 6
    partial = next(c for c in epaper.CALLS if c[0] == "display_Partial")
    assert partial[1] == 800 * 480 // 8
    assert partial[2] == (0, 0, 800, 480)


def test_waveshare_min_interval_defers(epaper: ModuleType) -> None:
    """A draw sooner than min_interval is deferred to the moment it is allowed."""
    driver, clock = _waveshare()
    driver.show(_picture((800, 480), mark=1))
    clock.now += 60
    result = driver.show(_picture((800, 480), mark=2))
    assert result.outcome == "deferred"
    assert result.retry_at == pytest.approx(clock.now - 60 + 180)
    assert _kinds(epaper.CALLS).count("display") == 1
    clock.now += 120
    assert driver.show(_picture((800, 480), mark=2)).outcome == "drawn"
    assert driver.show(_picture((800, 480), mark=3), force=True).outcome == "drawn"


def test_waveshare_full_refresh_at_least_daily(epaper: ModuleType) -> None:
    """After full_max_age without a full refresh, the next draw is a full one."""
    driver, clock = _waveshare(full_every=1000)
    driver.show(_picture((800, 480), mark=1))
    assert driver.full_due_at() == pytest.approx(clock.now + 24 * 3600)
    clock.now += 3600
    assert driver.show(_picture((800, 480), mark=2)).refresh == "partial"
    clock.now += 23 * 3600
    assert driver.show(_picture((800, 480), mark=3)).refresh == "full"
    assert driver.show(_picture((800, 480), mark=3), full=True, force=True).refresh == "full"


def test_waveshare_three_colour_panel_sends_two_planes(epaper: ModuleType) -> None:
    """bwr panels have no partial refresh and get a black and a red buffer."""
    driver, clock = _waveshare(model="epd7in5b_V2", colors="bwr")
    assert not driver.supports_partial
    image = _picture((800, 480), "bwr")
    driver.show(image)
    clock.now += 200
    driver.show(_picture((800, 480), "bwr", mark=4))
    displays = [c for c in epaper.CALLS if c[0] == "display"]
    assert len(displays) == 2
    _, black_len, red_len, black, red = displays[0]
    assert black_len == red_len == 800 * 480 // 8
    assert black != red
    # Pixel (0, 0) is black: set in the black plane only; (30, 30) is red: red plane only.
    assert black[0] >> 7 == 0 and red[0] >> 7 == 1
    row = 30 * 100 + 30 // 8
    bit = 7 - 30 % 8
    assert (black[row] >> bit) & 1 == 1 and (red[row] >> bit) & 1 == 0
    assert "init_part" not in _kinds(epaper.CALLS)


def test_waveshare_small_panel_partial_and_rotation(epaper: ModuleType) -> None:
    """2.13-inch panels use displayPartial; rotate=90 turns 122x250 into 250x122."""
    driver, clock = _waveshare(model="epd2in13_V4", rotate=90)
    assert driver.size == (250, 122)
    driver.show(_picture((250, 122), mark=1))
    clock.now += 200
    assert driver.show(_picture((250, 122), mark=2)).refresh == "partial"
    assert ("getbuffer", (122, 250), "1") in epaper.CALLS
    assert "displayPartial" in _kinds(epaper.CALLS)


def test_waveshare_clear_and_close(epaper: ModuleType) -> None:
    """clear wakes the panel, clears it and puts it back to sleep; close sleeps."""
    driver, _ = _waveshare()
    driver.clear()
    assert _kinds(epaper.CALLS) == ["init", "Clear", "sleep"]
    assert driver.shown is not None
    assert driver.shown.tobytes() == render_blank(800, 480).image.tobytes()
    driver.close()
    assert _kinds(epaper.CALLS)[-1] == "sleep"


def test_waveshare_errors_are_driver_errors(epaper: ModuleType) -> None:
    """A failing SPI call and an unknown model are DriverErrors with the model named."""
    driver, _ = _waveshare()
    epaper.FAIL_ON.add("display")
    with pytest.raises(DriverError, match="epd7in5_V2"):
        driver.show(render_notice("T", "x", "y", width=800, height=480).image)
    bad = WaveshareDriver(DisplayConfig(driver="waveshare", model="epd99"), RefreshConfig())
    with pytest.raises(DriverError, match="epd99"):
        bad.setup()


def test_waveshare_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the epaper package the driver says which extra to install."""
    monkeypatch.setitem(sys.modules, "epaper", None)
    driver = WaveshareDriver(DisplayConfig(driver="waveshare"), RefreshConfig())
    with pytest.raises(DriverError, match=r"epaper-satellite\[waveshare\]"):
        driver.setup()


def test_package_imports_without_hardware_libraries() -> None:
    """Importing the drivers never imports the epaper package."""
    import epaper_satellite.drivers  # noqa: F401

    assert "epaper" not in sys.modules or sys.modules["epaper"] is None


def test_controller_with_the_waveshare_driver(epaper: ModuleType, tmp_path: Path) -> None:
    """MQTTDisplay on a (stand-in) 7.5" panel: size from the model, pacing, sleep at the end."""
    import json

    import paho.mqtt.client as mqtt
    from epaper_satellite.controller import MQTTDisplay

    from tests.satellite.conftest import DEVICE, PREFIX, FakeClock, make_config, room_payload

    clock = FakeClock("2026-11-27T09:00:00Z")
    monotonic = FakeMonotonic()
    config = make_config(
        None,
        tmp_path,
        display={"driver": "waveshare", "model": "epd7in5_V2", "offline_after": 86400},
        refresh={},
    )
    assert config.refresh.min_interval == 180
    display = MQTTDisplay(config, clock=clock, monotonic=monotonic)
    display.setup_display()
    assert display.status_payload()["panel"] == "epd7in5_V2"
    assert (display.status_payload()["width"], display.status_payload()["height"]) == (800, 480)
    message = mqtt.MQTTMessage(topic=f"{PREFIX}{DEVICE}/data".encode())
    message.payload = json.dumps(room_payload()).encode()
    display.on_message(None, None, message)  # type: ignore[arg-type]
    assert _kinds(epaper.CALLS).count("display") == 1  # the boot screen only: data waits
    monotonic.now += 180
    display.tick()
    assert _kinds(epaper.CALLS)[-3:] == ["init_part", "display_Partial", "sleep"]
    display.driver.close()
    assert _kinds(epaper.CALLS)[-1] == "sleep"

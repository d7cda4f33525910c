"""The panel guard: bounded panel calls against a stand-in whose BUSY line sticks; the reset pin."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from types import ModuleType

import pytest
from epaper_satellite.config import DisplayConfig, RefreshConfig
from epaper_satellite.drivers import WaveshareDriver
from epaper_satellite.drivers.guard import PanelFault, PanelGuard, default_bound
from epaper_satellite.drivers.reset import pulse_reset
from epaper_satellite.render import to_panel_image
from PIL import Image

from tests.satellite.conftest import STANDIN, wait_until


@pytest.fixture
def epaper() -> Iterator[ModuleType]:
    """The stand-in ``epaper`` module; stuck threads are released after the test."""
    sys.path.insert(0, str(STANDIN))
    sys.modules.pop("epaper", None)
    import epaper as module

    module.reset()
    yield module
    module.RELEASE.set()
    sys.path.remove(str(STANDIN))
    sys.modules.pop("epaper", None)


def _image(shade: int) -> Image.Image:
    return to_panel_image(Image.new("RGB", (800, 480), (shade, shade, shade)), "bw")


def _driver(model: str = "epd7in5_V2", colors: str = "bw") -> WaveshareDriver:
    driver = WaveshareDriver(
        DisplayConfig(driver="waveshare", model=model, colors=colors), RefreshConfig()
    )
    driver.setup()
    return driver


def test_bounds_by_panel_kind() -> None:
    """Seconds for black/white panels, minutes for three-colour ones."""
    assert default_bound("bw") == 30.0
    assert default_bound("bwr") == default_bound("bwy") == 180.0


def test_a_quick_job_gives_its_value(epaper: ModuleType) -> None:
    """A draw that finishes in time hands its result over once, and nothing is faulty."""
    guard = PanelGuard(_driver(), bound=5.0)
    result = guard.run("show", lambda: guard.driver.show(_image(255)))
    assert result.outcome == "drawn"
    assert not guard.busy and not guard.faulty
    assert guard.poll() is None


def test_busy_stuck_during_a_refresh_is_a_fault_naming_the_call(epaper: ModuleType) -> None:
    """BUSY sticks in the second display(): the guard says so right after the bound."""
    epaper.STICK_AT["display"] = 2
    driver = _driver()
    guard = PanelGuard(driver, bound=0.5)
    guard.run("show", lambda: driver.show(_image(255)))
    started = time.monotonic()
    guard.submit("show", lambda: driver.show(_image(0), force=True, full=True))
    assert guard.busy
    assert guard.poll() is None  # still within the bound: the caller is not blocked
    result = wait_until(guard.poll, timeout=3, what="the fault")
    elapsed = time.monotonic() - started
    assert isinstance(result.error, PanelFault)
    assert str(result.error) == "panel not responding: epd7in5_V2 display() > 0.5 s"
    assert 0.5 <= elapsed < 1.5, elapsed
    assert guard.faulty and not guard.busy
    assert ("busy", "display") in epaper.CALLS


def test_a_hang_in_init_is_named_and_a_reinit_clears_the_fault(epaper: ModuleType) -> None:
    """Stuck in init: the fault names init(); after the line comes back a set-up job clears it."""
    epaper.STICK_AT["init"] = 1
    driver = _driver(model="epd7in5b_V2", colors="bwr")
    guard = PanelGuard(driver, bound=0.3)
    with pytest.raises(PanelFault, match=r"epd7in5b_V2 init\(\) > 0.3 s"):
        guard.run("show", lambda: driver.show(to_panel_image(Image.new("RGB", (800, 480)), "bwr")))
    assert guard.faulty
    epaper.STUCK.clear()
    guard.run("init", driver.reinit)
    assert not guard.faulty
    assert driver.shown is None  # the next draw repaints everything


def test_a_vendor_error_is_a_result_not_a_fault(epaper: ModuleType) -> None:
    """An exception in the vendor call comes back as the job's error at once."""
    epaper.FAIL_ON.add("display")
    driver = _driver()
    guard = PanelGuard(driver, bound=5.0)
    with pytest.raises(Exception, match="SPI write failed"):
        guard.run("show", lambda: driver.show(_image(255)))
    assert not guard.faulty


def test_one_job_at_a_time(epaper: ModuleType) -> None:
    """A second submit while a job runs is a programming error, said at once."""
    epaper.STICK_AT["display"] = 1
    driver = _driver()
    guard = PanelGuard(driver, bound=5.0)
    guard.submit("show", lambda: driver.show(_image(255)))
    with pytest.raises(RuntimeError, match="still running"):
        guard.submit("clear", driver.clear)


def test_reset_pulse_on_a_mock_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reset pin goes low for the pulse and back high (active low), through gpiozero."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    factory = MockFactory()
    monkeypatch.setattr(Device, "pin_factory", factory)
    assert pulse_reset(17, seconds=0.05)
    states = [state for _time, state in factory.pin(17).states]
    assert states[-3:] == [True, False, True], states
    assert pulse_reset(17, active_high=True, seconds=0.01)
    assert [state for _t, state in factory.pin(17).states][-2:] == [True, False]


def test_panel_fault_settings_are_checked() -> None:
    """panel_timeout, panel_retries and reset_pin are read and range-checked."""
    from epaper_satellite.config import ConfigError, parse_config

    base = {"mqtt": {"host": "127.0.0.1"}, "device": {"name": "reception"}}
    display = parse_config(base).display
    assert (display.panel_timeout, display.panel_retries, display.reset_pin) == (0.0, 3, None)
    config = parse_config(
        {**base, "display": {"panel_timeout": 20, "panel_retries": 1, "reset_pin": 5}}
    )
    assert (config.display.panel_timeout, config.display.panel_retries) == (20.0, 1)
    assert config.display.reset_pin == 5
    with pytest.raises(ConfigError, match="reset_pin: must be an integer from 0 to 27"):
        parse_config({**base, "display": {"reset_pin": 40}})

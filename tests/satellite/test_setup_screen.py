"""The setup screen tells the truth about the broker link: adoption only once connected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from epaper_satellite.controller import MQTTDisplay
from epaper_satellite.mqtt_codes import CONNECTED, LOGIN, TLS, UNREACHABLE
from epaper_satellite.setup_screen import panel_text, render_setup_screen
from PIL import Image

from testbed.broker import Broker
from tests.conftest import BROKER_PASSWORD, BROKER_USER

from .conftest import DEVICE, ThreadedSatellite, make_config, wait_until

ADOPT = "Next: adopt it in Home Assistant, or add it in Odoo."
CHECK = "Next: run epaper-satellite check on this sign."


def _bits(image: Image.Image) -> bytes:
    return image.convert("1").tobytes()


def _panel(path: Path) -> bytes | None:
    try:
        with Image.open(path) as image:
            return _bits(image)
    except OSError:
        return None


def _words(link: str) -> str:
    rendered = render_setup_screen(DEVICE, "png", width=400, height=300, link=link)
    return " ".join(" ".join(text for text, _ in rendered.texts).split())


@pytest.mark.parametrize(
    ("link", "says"),
    [
        (CONNECTED, ADOPT),
        (LOGIN, "Login refused: wrong user name or password, or this user may not connect."),
        (UNREACHABLE, "The broker cannot be reached."),
        (TLS, "The secure connection (TLS) to the broker failed."),
    ],
)
def test_each_link_has_its_words(link: str, says: str) -> None:
    words = _words(link)
    assert says in words
    assert (ADOPT in words) is (link == CONNECTED)
    assert (CHECK in words) is (link != CONNECTED)


@pytest.mark.parametrize(
    ("password", "listening", "link"),
    [
        ("wrong-password", True, LOGIN),  # Mosquitto 2: rc 5
        (BROKER_PASSWORD, False, UNREACHABLE),
        (BROKER_PASSWORD, True, CONNECTED),
    ],
)
def test_the_door_shows_what_is_wrong_with_the_broker(
    mosquitto_auth: Broker,
    run_satellite: Any,
    tmp_path: Path,
    password: str,
    listening: bool,
    link: str,
) -> None:
    """A real broker refuses, is away, or takes the sign: the panel says which."""
    config = make_config(
        mosquitto_auth if listening else None,
        tmp_path,
        mqtt={"username": BROKER_USER, "password": password},
    )
    display = MQTTDisplay(config)
    satellite: ThreadedSatellite = run_satellite(display)
    width, height = display.driver.size
    expected = render_setup_screen(
        DEVICE,
        panel_text(display.driver.model, width, height, display.driver.colors),
        width=width,
        height=height,
        link=link,
    )
    assert config.display.path is not None
    wait_until(
        lambda: _panel(config.display.path) == _bits(expected.image), 20, f"the {link} screen"
    )
    assert display.session.link() == link
    assert satellite.error is None

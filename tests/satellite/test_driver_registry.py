"""One driver registry: the config, ``init`` and ``check`` share its drivers and models."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from epaper_satellite.config import ConfigError, parse_config
from epaper_satellite.drivers import PngDriver, WaveshareDriver, create_driver, registry

from .conftest import STANDIN, make_config


@pytest.fixture
def no_epaper(monkeypatch: pytest.MonkeyPatch) -> None:
    """The waveshare-epaper package is not installed (as on a development machine)."""
    monkeypatch.setitem(sys.modules, "epaper", None)  # import raises ImportError


@pytest.fixture
def standin_epaper() -> Iterator[None]:
    """An installed ``epaper`` package that knows three models (tests/satellite/standin)."""
    sys.path.insert(0, str(STANDIN))
    sys.modules.pop("epaper", None)
    try:
        yield
    finally:
        sys.path.remove(str(STANDIN))
        sys.modules.pop("epaper", None)


def _display(model: str) -> dict[str, object]:
    return {
        "mqtt": {"host": "b"},
        "device": {"name": "a"},
        "display": {"driver": "waveshare", "model": model},
    }


@pytest.mark.usefixtures("no_epaper")
def test_without_the_package_the_known_list_is_used() -> None:
    models, source = registry.waveshare_models()
    assert models == registry.WAVESHARE_MODELS and "not installed" in source
    assert len(models) == len(set(models)) > 60
    assert {"epd7in5_V2", "epd4in2_V2", "epd2in13_V4", "epd7in5b_V2"} <= set(models)
    assert registry.model_problem("waveshare", "epd7in5_V2") is None
    assert parse_config(_display("epd2in9_V2"), environ={}).display.model == "epd2in9_V2"


@pytest.mark.usefixtures("no_epaper")
@pytest.mark.parametrize(
    ("model", "suggested"),
    [("epd7in5_v2", "epd7in5_V2"), ("epd7in5V2", "epd7in5_V2"), ("7in5", None), ("", None)],
)
def test_an_unknown_model_is_a_config_error_with_close_names(
    model: str, suggested: str | None
) -> None:
    with pytest.raises(ConfigError, match=r"\[display\] model: ") as caught:
        parse_config(_display(model), environ={})
    text = str(caught.value)
    if suggested:
        assert f"did you mean {suggested}" in text
    assert "waveshare-epaper 1.4.0's list" in text


@pytest.mark.usefixtures("standin_epaper")
def test_the_installed_package_lists_the_models() -> None:
    models, source = registry.waveshare_models()
    assert models == ("epd2in13_V4", "epd7in5_V2", "epd7in5b_V2")
    assert source == "the installed waveshare-epaper package"
    # A model of the static list that this installed package does not have.
    problem = registry.model_problem("waveshare", "epd4in2_V2")
    assert problem is not None and "installed waveshare-epaper" in problem


def test_png_has_no_models_and_every_driver_builds(tmp_path: Path) -> None:
    assert registry.models("png") == () and registry.model_problem("png", "anything") is None
    assert registry.driver_problem("inky") == "'inky' is not a driver: one of png, waveshare"
    assert registry.driver_problem("png") is None
    built = {
        name: type(create_driver(make_config(None, tmp_path / name, display={"driver": name})))
        for name in registry.DRIVER_NAMES
    }
    assert built == {"png": PngDriver, "waveshare": WaveshareDriver}


def test_config_refuses_a_driver_not_in_the_registry() -> None:
    data = _display("epd7in5_V2")
    data["display"] = {"driver": "inky"}
    with pytest.raises(ConfigError, match=r"\[display\] driver: must be one of 'png', 'waveshare'"):
        parse_config(data, environ={})

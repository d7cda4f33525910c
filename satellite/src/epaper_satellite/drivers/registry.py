"""The panel drivers by name: what each one is, its panel models, and its class.

One registry for the whole satellite: the configuration's validation, ``init`` and
``check`` ask it which drivers and models exist, and ``drivers.create_driver`` builds the
driver from it (omni-epd's display factory, not an if/else). It imports nothing of the
package: asking about names needs no Pillow and no hardware.
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass

WAVESHARE_PACKAGE = "waveshare-epaper"
# The models of waveshare-epaper 1.4.0 (PyPI, 2026-02), as its epaper.modules() lists them:
# the fallback when the package is not installed (a machine without the panel).
WAVESHARE_MODELS = (
    "epd13in3b",
    "epd13in3k",
    "epd1in02",
    "epd1in54",
    "epd1in54_V2",
    "epd1in54b",
    "epd1in54b_V2",
    "epd1in54c",
    "epd1in64g",
    "epd2in13",
    "epd2in13_V2",
    "epd2in13_V3",
    "epd2in13_V4",
    "epd2in13b_V3",
    "epd2in13b_V4",
    "epd2in13bc",
    "epd2in13d",
    "epd2in13g",
    "epd2in15b",
    "epd2in15g",
    "epd2in36g",
    "epd2in66",
    "epd2in66b",
    "epd2in66g",
    "epd2in7",
    "epd2in7_V2",
    "epd2in7b",
    "epd2in7b_V2",
    "epd2in9",
    "epd2in9_V2",
    "epd2in9b_V3",
    "epd2in9b_V4",
    "epd2in9bc",
    "epd2in9d",
    "epd3in0g",
    "epd3in52",
    "epd3in7",
    "epd4in01f",
    "epd4in2",
    "epd4in26",
    "epd4in2_V2",
    "epd4in2b_V2",
    "epd4in2b_V2_old",
    "epd4in2bc",
    "epd4in37g",
    "epd5in65f",
    "epd5in79",
    "epd5in79b",
    "epd5in79g",
    "epd5in83",
    "epd5in83_V2",
    "epd5in83b_V2",
    "epd5in83bc",
    "epd7in3e",
    "epd7in3f",
    "epd7in3g",
    "epd7in5",
    "epd7in5_HD",
    "epd7in5_V2",
    "epd7in5_V2_old",
    "epd7in5b_HD",
    "epd7in5b_V2",
    "epd7in5b_V2_old",
    "epd7in5bc",
)


@dataclass(frozen=True)
class DriverInfo:
    """One driver: ``name`` in ``[display] driver``, a ``summary`` for people, its class as
    ``module:Class`` in this package, and whether it has panel models (``[display] model``)
    or takes ``width`` and ``height`` from the configuration."""

    name: str
    summary: str
    target: str
    has_models: bool


DRIVERS: dict[str, DriverInfo] = {
    info.name: info
    for info in (
        DriverInfo("png", "writes what the panel would show to a PNG file", "png:PngDriver", False),
        DriverInfo(
            "waveshare",
            f"a Waveshare e-paper panel, through the {WAVESHARE_PACKAGE} package",
            "waveshare:WaveshareDriver",
            True,
        ),
    )
}
DRIVER_NAMES = tuple(DRIVERS)
DEFAULT_MODEL = "epd7in5_V2"


def waveshare_models() -> tuple[tuple[str, ...], str]:
    """Return the Waveshare model names and where they come from.

    From the installed ``waveshare-epaper`` package's ``epaper.modules()`` (it lists its
    driver files and imports no hardware library), else :data:`WAVESHARE_MODELS`.
    """
    try:
        epaper = importlib.import_module("epaper")
        found = tuple(str(name) for name in epaper.modules())
    except Exception:  # not installed, or another package named epaper
        found = ()
    if found:
        return found, f"the installed {WAVESHARE_PACKAGE} package"
    return WAVESHARE_MODELS, f"{WAVESHARE_PACKAGE} 1.4.0's list ({WAVESHARE_PACKAGE} not installed)"


def models(driver: str) -> tuple[str, ...]:
    """Return the panel models of ``driver`` (empty for drivers without models)."""
    info = DRIVERS.get(driver)
    if info is None or not info.has_models:
        return ()
    return waveshare_models()[0]


def model_problem(driver: str, model: str) -> str | None:
    """Say why ``model`` is not a panel model of ``driver``, or None when it is (or the
    driver has no models). The answer names the closest known models."""
    info = DRIVERS.get(driver)
    if info is None or not info.has_models:
        return None
    known, source = waveshare_models()
    if model in known:
        return None
    close = difflib.get_close_matches(model, known, n=3, cutoff=0.6)
    if not close:
        close = [name for name in known if name.lower() == model.lower()]
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return f"{model!r} is not a {driver} model: {hint}the models are those of {source}"


def driver_problem(driver: str) -> str | None:
    """Say why ``driver`` is not a driver name, or None when it is."""
    if driver in DRIVERS:
        return None
    return f"{driver!r} is not a driver: one of {', '.join(DRIVER_NAMES)}"

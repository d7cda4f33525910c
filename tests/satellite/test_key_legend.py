"""The legend of the door keys: each key's action above it, only the ones that apply."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from epaper_satellite import cli
from epaper_satellite.keys import WAVESHARE_27_KEYS, parse_binding
from epaper_satellite.render import Rendered, render_room, room_view
from epaper_satellite.schedule import zone
from epaper_satellite.wire import parse_data
from PIL import Image

from tests.satellite.conftest import room_payload

BERLIN = zone("Europe/Berlin")
KEYS = tuple(parse_binding(pin, text) for pin, text in sorted(WAVESHARE_27_KEYS.items()))
BUSY = dt.datetime(2026, 11, 27, 10, 20, tzinfo=dt.UTC)  # the board meeting, 11:00-12:00
FREE = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
SIZES = [(800, 480), (480, 800), (400, 300), (296, 128), (250, 122)]


def _render(
    now: dt.datetime, size: tuple[int, int], keys: tuple = KEYS, **changes: object
) -> Rendered:  # type: ignore[type-arg]
    data = parse_data(json.dumps(room_payload(**changes)).encode(), None)
    assert BERLIN is not None
    return render_room(room_view(data, now, BERLIN, keys=keys), *size, "bw")


def _cells(rendered: Rendered) -> dict[int, str]:
    """The legend's labels by the key (cell) they stand over."""
    x0, _y0, x1, _y1 = rendered.regions["legend"]
    width = (x1 - x0) / len(KEYS)
    labels = {}
    for line in rendered.drawn:
        if line.role == "legend":
            middle = (line.box[0] + line.box[2]) / 2
            labels[int((middle - x0) // width)] = line.text
    return labels


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_each_label_stands_over_its_key(size: tuple[int, int]) -> None:
    """Busy: extend, end and check in over keys 2-4; free: book over key 1, the rest empty."""
    busy = _cells(_render(BUSY, size))
    assert sorted(busy) == [1, 2, 3]
    assert busy[2].startswith("End") and busy[1].startswith("Extend")
    free = _cells(_render(FREE, size))
    assert sorted(free) == [0] and free[0].startswith("Book")
    legend = _render(BUSY, size).regions["legend"]
    assert legend[3] == size[1], "the legend is the bottom strip, next to the keys"


def test_no_keys_no_legend_and_stale_names_them_all() -> None:
    """Without keys no legend; with data no longer current every action is named."""
    assert "legend" not in _render(BUSY, (800, 480), keys=()).regions
    stale = _render(BUSY, (800, 480), valid_until="2026-11-27T10:00:00Z")
    assert sorted(_cells(stale)) == [0, 1, 2, 3]


def test_render_command_draws_the_legend(tmp_path: Path) -> None:
    """``epaper-satellite render --keys`` draws it; an unknown action is an error."""
    payload = tmp_path / "data.json"
    payload.write_text(json.dumps(room_payload()), encoding="utf-8")
    out = tmp_path / "out.png"
    common = ["render", "--payload", str(payload), "--out", str(out), "--now", BUSY.isoformat()]
    assert cli.main([*common, "--keys", "book_now 15,extend 15,end_now,check_in"]) == 0
    with Image.open(out) as image:
        with_keys = image.convert("1").tobytes()
    assert cli.main(common) == 0
    with Image.open(out) as image:
        assert image.convert("1").tobytes() != with_keys
    assert cli.main([*common, "--keys", "dance"]) == 1

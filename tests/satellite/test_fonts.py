"""Fonts: per-glyph fallback, fitting with an ellipsis, wrapping."""

from __future__ import annotations

from pathlib import Path

import pytest
from epaper_satellite.fonts import FontSet, default_fonts
from PIL import Image, ImageDraw

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
needs_dejavu = pytest.mark.skipif(
    not (DEJAVU / "DejaVuSans.ttf").is_file(), reason="DejaVu not installed"
)


@needs_dejavu
def test_glyphs_fall_back_per_character() -> None:
    """Characters the primary face lacks are drawn by the first fallback that has them."""
    math_face = DEJAVU / "DejaVuMathTeXGyre.ttf"
    fonts = FontSet(regular=math_face, bold=math_face, fallbacks=[DEJAVU / "DejaVuSans.ttf"])
    runs = [(text, Path(str(face.path)).name) for text, face in fonts.runs("Hello Привет", 20)]
    assert runs == [("Hello ", "DejaVuMathTeXGyre.ttf"), ("Привет", "DejaVuSans.ttf")]


def test_missing_glyphs_are_left_out() -> None:
    """A character no face has is left out (issue 11: never a missing-glyph box)."""
    fonts = FontSet(fallbacks=[])
    assert not fonts.has_glyph(fonts.faces(20)[0], "会")
    assert fonts.runs("会", 20) == []
    assert fonts.shown("a会b", 20) == "ab"
    assert fonts.width("a会b", 20) == fonts.width("ab", 20)


def test_fit_cuts_with_an_ellipsis() -> None:
    """Text wider than the room ends with '…' and fits."""
    fonts = default_fonts()
    text = "A very long meeting title that does not fit"
    cut = fonts.fit(text, 16, 120)
    assert cut.endswith("…")
    assert fonts.width(cut, 16) <= 120
    assert fonts.fit("Short", 16, 120) == "Short"
    assert fonts.fit("Anything", 16, 2) == ""


def test_wrap_keeps_to_lines_and_width() -> None:
    """Wrapped lines fit the width; the last one carries the ellipsis when text remains."""
    fonts = default_fonts()
    text = "one two three four five six seven eight nine ten eleven twelve"
    lines = fonts.wrap(text, 16, 100, 2)
    assert len(lines) == 2
    assert all(fonts.width(line, 16) <= 100 for line in lines)
    assert lines[-1].endswith("…")
    assert fonts.wrap("short text", 16, 300, 3) == ["short text"]


def test_wrap_breaks_text_without_spaces() -> None:
    """Text without spaces (CJK) and over-long words break inside the word."""
    fonts = default_fonts()
    lines = fonts.wrap("会議室東京" * 4, 20, 100, 3)
    assert len(lines) >= 2
    assert all(fonts.width(line, 20) <= 100 for line in lines)
    assert "".join(lines).replace("…", "") in "会議室東京" * 4


def test_describe_names_the_fonts() -> None:
    """The log line says which font files are in use."""
    assert "fallbacks" in default_fonts().describe()


def test_line_breaks_and_controls_are_drawn_as_spaces() -> None:
    """A title with line breaks measures and draws (Pillow 13's raqm layout fails on them)."""
    fonts = default_fonts()
    text = "Board\nmeeting\r\n\tQ4\x00\x1b[31m\u2028end"
    assert fonts.width(text, 20) > fonts.width("Board", 20)
    draw = ImageDraw.Draw(Image.new("RGB", (400, 40), "white"))
    box = fonts.draw(draw, (0, 0), text, 20, fill=(0, 0, 0))
    assert box[2] > 0
    assert [run for run, _face in fonts.runs("a\nb", 20)] == ["a b"]


def test_wrap_breaks_a_long_compound_after_its_hyphen() -> None:
    """A hyphenated word too wide for the line breaks after its hyphen, not inside a part."""
    fonts = default_fonts()
    width = fonts.width("Datenschutz-Schul", 16)
    assert fonts.width("Datenschutz-Schulung", 16) > width
    assert fonts.wrap("Datenschutz-Schulung", 16, width, 3) == ["Datenschutz-", "Schulung"]

"""Fonts: a main face, CJK and symbol fallbacks chosen per character from each font's cmap.

Fallback chain (first installed file of each kind, Debian package in brackets):
main DejaVu Sans [fonts-dejavu-core] -> CJK incl. kana and Hangul [fonts-noto-cjk or
fonts-wqy-microhei] -> monochrome symbols and emoji [fonts-symbola]. A character no
font in use maps to a glyph is left out, never drawn as a missing-glyph box.
Right-to-left text is shaped and ordered by Pillow's raqm layout (libraqm + libfribidi,
:mod:`.shaping`).
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError
from PIL import ImageDraw, ImageFont

from .shaping import layout_engine, visual_order

_LOGGER = logging.getLogger(__name__)

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)
REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
# CJK (Han, kana, Hangul), tried after the main face; the first files are the best.
CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
)
# Monochrome symbols and emoji (colour emoji fonts cannot be drawn on e-paper).
SYMBOL_FONTS = (
    Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf"),
    Path("/usr/share/fonts/truetype/unifont/unifont.ttf"),
    Path("/usr/share/fonts/opentype/unifont/unifont.otf"),
)
FALLBACKS = CJK_FONTS + SYMBOL_FONTS
# Line breaks and other control characters are drawn as spaces: a text line has none, and
# Pillow's complex-text layout (raqm, Pillow 11+) fails on a newline.
_AS_SPACE = {code: " " for code in [*range(0x20), 0x7F, 0x85, 0x2028, 0x2029]}
_NEVER_A_GLYPH = "\U0010ffff"
_HYPHENS = ("-", "\u2010")  # hyphen-minus and hyphen: a word may break after one
Font = ImageFont.FreeTypeFont
Run = tuple[str, Font]
RUN_CACHE = 4096  # texts whose runs and widths a FontSet remembers


@functools.lru_cache(maxsize=32)
def charmap(path: str) -> frozenset[int]:
    """Return the code points the font file at ``path`` maps to a glyph (first face of a TTC).

    Read with fontTools from the font's ``cmap`` table; an unreadable file maps nothing.
    """
    try:
        with TTFont(path, fontNumber=0, lazy=True) as font:
            best = font.getBestCmap() or {}
    except (OSError, TTLibError, AssertionError) as err:
        _LOGGER.warning("Cannot read the character map of %s: %s", path, err)
        return frozenset()
    return frozenset(code for code, glyph in best.items() if glyph != ".notdef")


def _first_existing(name: str) -> Path | None:
    return next((d / name for d in FONT_DIRS if (d / name).is_file()), None)


def missing_main_fonts() -> list[str]:
    """Return the file names of the main faces (regular, bold) found in no FONT_DIRS folder.

    Without them every layout is drawn in Pillow's small built-in face (or bold as regular).
    """
    return [name for name in (REGULAR, BOLD) if _first_existing(name) is None]


def _signature(font: Font, char: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


def _neutral(char: str) -> bool:
    """Spaces and punctuation: kept in the run before them when its font has them."""
    return unicodedata.category(char)[0] in "ZP"


class FontSet:
    """A primary face (regular and bold) plus fallback faces, by pixel size.

    ``layout_engine``: Pillow's ``ImageFont.Layout``; None takes raqm when this Pillow
    can shape (see :func:`.shaping.layout_engine`), else basic.
    """

    def __init__(
        self,
        regular: Path | None = None,
        bold: Path | None = None,
        fallbacks: Sequence[Path] | None = None,
        layout: ImageFont.Layout | None = None,
    ) -> None:
        self.regular = regular if regular is not None else _first_existing(REGULAR)
        self.bold = bold if bold is not None else (_first_existing(BOLD) or self.regular)
        candidates = FALLBACKS if fallbacks is None else fallbacks
        self.fallbacks = tuple(path for path in candidates if path.is_file())
        self.layout = layout_engine() if layout is None else layout
        self._glyphs: dict[tuple[int, str], bool] = {}
        self._faces: dict[tuple[int, bool], tuple[Font, ...]] = {}
        self._runs: dict[tuple[str, int, bool], list[Run]] = {}
        self._widths: dict[tuple[str, int, bool], int] = {}

    @property
    def shaping(self) -> bool:
        """True when text is shaped and ordered by raqm (right-to-left scripts drawn right)."""
        return self.layout == ImageFont.Layout.RAQM

    def describe(self) -> str:
        """Say which fonts are in use, for the log."""
        primary = str(self.regular) if self.regular else "Pillow's default font"
        extra = ", ".join(str(path) for path in self.fallbacks) or "none"
        engine = "raqm" if self.shaping else "basic (no shaping)"
        return f"{primary} (fallbacks: {extra}; layout: {engine})"

    def faces(self, size: int, bold: bool = False) -> tuple[Font, ...]:
        """Return the primary face and the fallback faces at ``size`` pixels."""
        key = (size, bold)
        if key not in self._faces:
            self._faces[key] = self._load(size, bold)
        return self._faces[key]

    def _load(self, size: int, bold: bool) -> tuple[Font, ...]:
        path = self.bold if bold else self.regular
        faces: list[Font] = []
        if path is not None:
            faces.append(ImageFont.truetype(str(path), size, layout_engine=self.layout))
        else:
            default = ImageFont.load_default(size)
            assert isinstance(default, Font)
            faces.append(default)
        for fallback in self.fallbacks:
            try:
                faces.append(ImageFont.truetype(str(fallback), size, layout_engine=self.layout))
            except OSError as err:
                _LOGGER.warning("Cannot load font %s: %s", fallback, err)
        return tuple(faces)

    def has_glyph(self, face: Font, char: str) -> bool:
        """Tell whether ``face`` maps ``char`` to a real glyph (its cmap; never .notdef)."""
        if isinstance(face.path, str):
            return ord(char) in charmap(face.path)
        key = (id(face), char)  # Pillow's built-in font has no file: compare with .notdef
        known = self._glyphs.get(key)
        if known is None:
            known = char == " " or _signature(face, char) != _signature(face, _NEVER_A_GLYPH)
            self._glyphs[key] = known
        return known

    def runs(self, text: str, size: int, bold: bool = False) -> list[Run]:
        """Split ``text`` into runs in logical order, each with the first face that has them.

        Characters no face has are left out. Remembered per (text, size, bold) for the
        process (RUN_CACHE entries at most).
        """
        key = (text, size, bold)
        known = self._runs.get(key)
        if known is None:
            known = self._split(text, size, bold)
            if len(self._runs) >= RUN_CACHE:
                self._runs.clear()
                self._widths.clear()
            self._runs[key] = known
        return list(known)

    def _split(self, text: str, size: int, bold: bool) -> list[Run]:
        faces = self.faces(size, bold)
        runs: list[Run] = []
        for char in text.translate(_AS_SPACE):
            if runs and _neutral(char) and self.has_glyph(runs[-1][1], char):
                face: Font | None = runs[-1][1]
            else:
                face = next((f for f in faces if self.has_glyph(f, char)), None)
            if face is None:
                continue
            if runs and runs[-1][1] is face:
                runs[-1] = (runs[-1][0] + char, face)
            else:
                runs.append((char, face))
        return runs

    def shown(self, text: str, size: int, bold: bool = False) -> str:
        """Return ``text`` as drawn: without the characters no face has."""
        return "".join(run for run, _face in self.runs(text, size, bold))

    def width(self, text: str, size: int, bold: bool = False) -> int:
        """Return the advance width of ``text`` in pixels."""
        key = (text, size, bold)
        known = self._widths.get(key)
        if known is None:
            runs = self.runs(text, size, bold)
            known = self._widths[key] = round(sum(face.getlength(run) for run, face in runs))
        return known

    def line_height(self, size: int, bold: bool = False) -> int:
        """Return the height of one line (ascent + descent) of the primary face."""
        ascent, descent = self.faces(size, bold)[0].getmetrics()
        return int(ascent + descent)

    def ascent(self, size: int, bold: bool = False) -> int:
        """Return the ascent of the primary face."""
        return int(self.faces(size, bold)[0].getmetrics()[0])

    def draw(
        self,
        draw: ImageDraw.ImageDraw,
        xy: tuple[int, int],
        text: str,
        size: int,
        *,
        fill: tuple[int, int, int],
        bold: bool = False,
    ) -> tuple[int, int, int, int]:
        """Draw ``text`` with its top-left at ``xy``; return the box it covers.

        One run is laid out by raqm as a whole (bidi and shaping); runs of several fonts
        in a line with right-to-left text are put in visual order first.
        """
        x, top = xy
        baseline = top + self.ascent(size, bold)
        runs = self.runs(text, size, bold)
        for run, face in visual_order(runs) if self.shaping else runs:
            draw.text((x, baseline), run, font=face, fill=fill, anchor="ls")
            x += round(face.getlength(run))
        return (xy[0], top, x, top + self.line_height(size, bold))

    def fit(self, text: str, size: int, max_width: int, bold: bool = False) -> str:
        """Return ``text``, cut with an ellipsis when wider than ``max_width``."""
        if self.width(text, size, bold) <= max_width:
            return text
        low, high = 0, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if self.width(text[:middle].rstrip() + "…", size, bold) <= max_width:
                low = middle
            else:
                high = middle - 1
        return (text[:low].rstrip() + "…") if low else ""

    def wrap(
        self, text: str, size: int, max_width: int, max_lines: int, bold: bool = False
    ) -> list[str]:
        """Break ``text`` into at most ``max_lines`` lines; the last is cut with an ellipsis.

        Lines break at spaces; a word wider than ``max_width`` pixels breaks after its
        last hyphen that fits, else wherever it must (text without spaces, like CJK).
        """
        lines: list[str] = []
        words = text.split()
        current = ""
        index = 0
        while index < len(words):
            word = words[index]
            candidate = f"{current} {word}" if current else word
            if self.width(candidate, size, bold) <= max_width:
                current = candidate
                index += 1
                continue
            if not current:
                # One word wider than the line (or text without spaces, like CJK): split it,
                # after its last hyphen that fits ("Datenschutz-" / "Schulung") if it has one.
                cut = max(1, len(self.fit(word, size, max_width, bold).rstrip("…")))
                hyphen = max(word.rfind(mark, 0, cut) for mark in _HYPHENS)
                cut = hyphen + 1 if hyphen > 0 else cut
                lines.append(word[:cut])
                words[index] = word[cut:]
            else:
                lines.append(current)
                current = ""
            if len(lines) == max_lines:
                break
        if current and len(lines) < max_lines:
            lines.append(current)
        if index < len(words) and lines:
            rest = " ".join(words[index:])
            lines[-1] = self.fit(f"{lines[-1]} {rest}", size, max_width, bold)
        return lines[:max_lines]


@functools.lru_cache(maxsize=1)
def default_fonts() -> FontSet:
    """Return the process-wide font set."""
    fonts = FontSet()
    _LOGGER.debug("Fonts: %s", fonts.describe())
    return fonts

"""Complex text layout: whether Pillow can shape text, and the visual order of font runs.

Arabic and Hebrew are shaped and ordered by Pillow's raqm layout, which needs libraqm
(bundled in Pillow's wheels, Debian ``libraqm0``) and libfribidi (loaded at run time,
Debian ``libfribidi0``). Without them Pillow falls back to its basic layout, which draws
right-to-left text unjoined and left to right: the satellite then says so once at start
(log and status, :func:`shaping_problem`).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

from PIL import ImageFont, features

_RTL = frozenset({"R", "AL"})
_LTR = frozenset({"L", "EN", "AN"})
T = TypeVar("T")


@functools.lru_cache(maxsize=1)
def layout_engine() -> ImageFont.Layout:
    """Return raqm when this Pillow can shape (raqm with fribidi), else the basic layout."""
    if features.check_feature("raqm") and features.check_feature("fribidi"):
        return ImageFont.Layout.RAQM
    return ImageFont.Layout.BASIC


def shaping_problem(layout: ImageFont.Layout | None = None) -> str | None:
    """Return a short text for the log and the status when text cannot be shaped, else None."""
    if (layout_engine() if layout is None else layout) == ImageFont.Layout.RAQM:
        return None
    return (
        "text shaping unavailable (Pillow without raqm/fribidi; install libraqm0 and "
        "libfribidi0): Arabic and Hebrew are drawn unjoined and left to right"
    )


def direction(text: str) -> str | None:
    """Return "rtl" or "ltr" from the first strong character of ``text``, None without one."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in _RTL:
            return "rtl"
        if kind == "L":
            return "ltr"
    return None


def _kind(text: str) -> str:
    kinds = {unicodedata.bidirectional(char) for char in text}
    if kinds & _RTL:
        return "R"
    return "L" if kinds & _LTR else "N"


def visual_order(runs: Sequence[tuple[str, T]]) -> list[tuple[str, T]]:
    """Order runs of different fonts left to right as the Unicode bidi algorithm would.

    Each run is laid out by raqm on its own (its inner order and shaping); this places
    the runs: in a right-to-left line (first strong character R or AL) right-to-left runs
    go from right to left, with left-to-right runs (Latin words, numbers) kept in their
    order; neutral runs (symbols, emoji) take the direction of their neighbours when both
    agree, else the line's. A line without right-to-left text keeps its order.
    """
    text = "".join(run for run, _ in runs)
    base = direction(text)
    if len(runs) < 2 or base is None or not any(_kind(run) == "R" for run, _ in runs):
        return list(runs)
    kinds = [_kind(run) for run, _ in runs]
    fallback = "R" if base == "rtl" else "L"
    for index, kind in enumerate(kinds):
        if kind == "N":
            before = next((k for k in reversed(kinds[:index]) if k != "N"), fallback)
            after = next((k for k in kinds[index + 1 :] if k != "N"), fallback)
            kinds[index] = before if before == after else fallback
    if base == "rtl":
        levels = [1 if kind == "R" else 2 for kind in kinds]
    else:
        levels = [1 if kind == "R" else 0 for kind in kinds]
    order = list(range(len(runs)))
    for level in range(max(levels), 0, -1):
        index = 0
        while index < len(order):
            if levels[order[index]] >= level:
                end = index
                while end < len(order) and levels[order[end]] >= level:
                    end += 1
                order[index:end] = reversed(order[index:end])
                index = end
            else:
                index += 1
    return [runs[position] for position in order]

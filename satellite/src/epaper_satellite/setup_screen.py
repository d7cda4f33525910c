"""The setup screen: what a sign shows until its first room data (``/data``) arrives.

Its device name, its panel, and what to do next: adopt it in Home Assistant (the
hub discovers it from its retained status, which says ``"assigned": false``) or add a
display of that name in Odoo.
"""

from __future__ import annotations

from . import __version__
from .i18n import SignLocale, Words, resolve_locale
from .render import Rendered, render_notice

COLOR_NAMES = {"bw": "black/white", "bwr": "black/white/red", "bwy": "black/white/yellow"}


def panel_text(model: str | None, width: int, height: int, colors: str) -> str:
    """Describe a panel in a few words, e.g. ``epd7in5_V2 800x480, black/white/red``."""
    name = f"{model} " if model else ""
    return f"{name}{width}x{height}, {COLOR_NAMES.get(colors, colors)}"


def render_setup_screen(
    device: str,
    panel: str,
    *,
    width: int,
    height: int,
    colors: str = "bw",
    offline: bool = False,
    locale: SignLocale | None = None,
) -> Rendered:
    """Draw the setup screen of ``device`` (``panel`` from :func:`panel_text`), in the
    sign's ``locale`` (default en)."""
    words = Words(locale or resolve_locale(None))
    lines = [
        words.gettext("Display {device} waits for its room data.", device=device),
        words.gettext("Panel: {panel}.", panel=panel),
        words.gettext("Next: adopt it in Home Assistant, or add it in Odoo."),
    ]
    if offline:
        lines.append(words.gettext("No broker connection."))
    version = words.gettext("version {version}", version=__version__)
    rendered = render_notice(
        words.gettext("New door sign"),
        " ".join(lines),
        f"{device} · {version}",
        width=width,
        height=height,
        colors=colors,
    )
    rendered.messages = set(words.used)
    return rendered

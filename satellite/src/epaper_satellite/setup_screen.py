"""The setup screen: what a sign shows until its first room data (``/data``) arrives.

Its device name, its panel, and what to do next. Connected to the broker: adopt it in
Home Assistant (the hub discovers it from its retained status, which says
``"assigned": false``) or add a display of that name in Odoo. Not connected: Home
Assistant cannot see it, so the screen says what is wrong with the broker link (the
kind of failure, :mod:`.mqtt_codes`) and points to ``epaper-satellite check``.
"""

from __future__ import annotations

from . import __version__
from .i18n import N_, SignLocale, Words, resolve_locale
from .mqtt_codes import CONNECTED, CONNECTING, LOGIN, REFUSED, TLS, UNREACHABLE
from .render import Rendered, render_notice

COLOR_NAMES = {"bw": "black/white", "bwr": "black/white/red", "bwy": "black/white/yellow"}
# What the sign says about its broker link, by session.MQTTSession.link().
LINK_WORDS = {
    CONNECTING: N_("Connecting to the broker…"),
    LOGIN: N_("Login refused: wrong user name or password, or this user may not connect."),
    REFUSED: N_("The broker refused the connection."),
    UNREACHABLE: N_("The broker cannot be reached."),
    TLS: N_("The secure connection (TLS) to the broker failed."),
}


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
    link: str = CONNECTED,
    locale: SignLocale | None = None,
) -> Rendered:
    """Draw the setup screen of ``device`` (``panel`` from :func:`panel_text`), in the
    sign's ``locale`` (default en).

    ``link`` is the broker link: CONNECTED (the next step is adoption), CONNECTING, or
    the kind of the last failure (LOGIN, REFUSED, UNREACHABLE, TLS of :mod:`.mqtt_codes`;
    an unknown word counts as REFUSED).
    """
    words = Words(locale or resolve_locale(None))
    waits = words.gettext("Display {device} waits for its room data.", device=device)
    panel_line = words.gettext("Panel: {panel}.", panel=panel)
    if link == CONNECTED:
        adopt = words.gettext("Next: adopt it in Home Assistant, or add it in Odoo.")
        lines = [waits, panel_line, adopt]
    elif link == CONNECTING:
        lines = [words.gettext(LINK_WORDS[CONNECTING]), waits]
    else:  # what is wrong and what to do; nothing else, or a small panel cuts it
        lines = [
            words.gettext(LINK_WORDS.get(link, LINK_WORDS[REFUSED])),
            words.gettext("Next: run epaper-satellite check on this sign."),
        ]
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

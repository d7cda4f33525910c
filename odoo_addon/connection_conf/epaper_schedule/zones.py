"""The room's timezone and the sign's locale, as the schedule answer names them."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytz

_logger = logging.getLogger(__name__)
FALLBACK_ZONE = "UTC"
_SCRIPTS = {"latin": "Latn", "cyrillic": "Cyrl"}


def load_zone(name: Any) -> ZoneInfo | None:
    """Return the IANA zone called ``name``, None when nothing knows it (Odoo's False too).

    Looked up where ``zoneinfo`` looks (the system's data, then the ``tzdata`` package),
    then in the copy pytz bundles (Odoo's own dependency): Debian 13 moved the legacy
    names that Odoo's timezone list offers (``US/Eastern``, ``Europe/Kiev``) to the
    package tzdata-legacy, and a server without it must still place them right.
    """
    if not isinstance(name, str) or not name or name.startswith(("/", ".")) or ".." in name:
        return None
    return _load_zone(name)


@functools.lru_cache(maxsize=256)
def _load_zone(name: str) -> ZoneInfo | None:
    """:func:`load_zone` for a plausible name, remembered (ZoneInfo caches only its own)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        return _pytz_zone(name)


def _pytz_zone(name: str) -> ZoneInfo | None:
    """The zone ``name`` read from the data pytz bundles (the PyPI package's ``zoneinfo``
    folder), None when pytz does not know it or has no copy of its own (Debian's python3-tz
    reads the system's). The file is opened by path: ``pytz.open_resource`` goes through
    ``importlib.resources``, which fails under Odoo 19's module loader (TypeError)."""
    if name not in pytz.all_timezones_set:
        return None
    path = Path(pytz.__file__).with_name("zoneinfo").joinpath(*name.split("/"))
    try:
        with path.open("rb") as data:
            return ZoneInfo.from_file(data, key=name)
    except (OSError, ValueError):  # ValueError: not a TZif file
        return None


def valid_zone(name: Any) -> str | None:
    """Return ``name`` when it is a known IANA timezone (:func:`load_zone`), else None."""
    return name if load_zone(name) is not None else None


def resolve_zone(*candidates: Any, default_tz: str | None) -> str:
    """Return the first valid zone of ``candidates``, then ``default_tz``.

    ``candidates`` are the display's, the caller's and the company's zone, in that
    order (Odoo's False for a zone nobody set). "UTC" only when the caller sent no
    ``default_tz`` at all: nobody gets a zone made up for them. ``default_tz`` must
    have been checked with :func:`valid_zone` (the RPC refuses an unknown one).
    """
    for candidate in candidates:
        if (zone := valid_zone(candidate)) is not None:
            return zone
    return default_tz or FALLBACK_ZONE


def warn_unknown_zone(device: str, name: Any) -> None:
    """Log a display whose stored zone is not an IANA name (it falls through the chain)."""
    if name and valid_zone(name) is None:
        _logger.warning("Display %s has an unknown timezone %r; using the next one", device, name)


def to_bcp47(lang: Any) -> str | None:
    """Return an Odoo language code as a BCP 47 tag (``de_DE`` -> ``de-DE``).

    ``sr@latin`` -> ``sr-Latn``, ``sr_RS@latin`` -> ``sr-Latn-RS``; None for Odoo's False.
    """
    if not isinstance(lang, str) or not lang.strip():
        return None
    code, _, modifier = lang.strip().partition("@")
    parts = [part for part in code.replace("-", "_").split("_") if part]
    if not parts:
        return None
    tag = [parts[0].lower()]
    if modifier:
        tag.append(_SCRIPTS.get(modifier.lower(), modifier.title()))
    tag.extend(part.upper() if len(part) == 2 else part for part in parts[1:])
    return "-".join(tag)

"""What the hub knows of an Odoo server: its address, models, and the addon's offers.

No Home Assistant imports here (see odoo_client.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .odoo_errors import OdooUrlError

DISPLAY_MODEL = "room.rasp.connection"
ROOM_MODEL = "room.room"
SCHEDULE_METHOD = "epaper_schedule"
# The addon lists its schedule sources by id; the hub knows no source model.
SOURCES_METHOD = "epaper_schedule_sources"
SOURCE_AUTO = "auto"
KNOWN_MODELS = (DISPLAY_MODEL, ROOM_MODEL)


@dataclass(frozen=True, kw_only=True)
class ServerInfo:
    """What the hub learns once at setup: who we are and which models exist."""

    server: str
    database: str
    uid: int
    version: str
    user_tz: str | None
    models: frozenset[str]
    display_fields: frozenset[str]
    # "json2" (API key, 19.0+) or "jsonrpc" (odoorpc); the key's expiry when known.
    transport: str = "jsonrpc"
    key_expiry: dt.datetime | None = None
    # The addon's schedule source ids in its ``auto`` preference order (() when none is
    # installed, None when the addon does not list them: too old or missing).
    sources: tuple[str, ...] | None = None

    @property
    def unique_id(self) -> str:
        """Identify this server, database and user."""
        return f"{self.server}|{self.database}|{self.uid}"

    @property
    def has_addon(self) -> bool:
        """Whether the Odoo E-Paper addon (``room.rasp.connection``) is installed."""
        return DISPLAY_MODEL in self.models

    def source(self, option: str) -> str | None:
        """Return what ``epaper_schedule`` is asked to read for the ``source`` option:
        the option itself when the addon lists it (``auto``: when it lists any), else
        None (its module is not installed, or the addon lists no sources)."""
        if not self.sources:
            return None
        return option if option == SOURCE_AUTO or option in self.sources else None


@dataclass(frozen=True, slots=True)
class AdoptionChoices:
    """What the addon offers for a new sign: known rooms, installed languages, its zone."""

    rooms: tuple[str, ...]
    languages: tuple[tuple[str, str], ...]
    tz: str | None


@dataclass(frozen=True)
class ServerAddress:
    """Where the server listens, parsed from a URL."""

    protocol: str
    host: str
    port: int

    @property
    def url(self) -> str:
        """The normalised URL (scheme, lower-case host, explicit port)."""
        scheme = "https" if self.protocol == "jsonrpc+ssl" else "http"
        return f"{scheme}://{self.host}:{self.port}"


def parse_url(url: str) -> ServerAddress:
    """Parse ``http(s)://host[:port]``; Odoo under a sub-path is not supported."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as err:
        raise OdooUrlError(f"Invalid URL {url!r}: {err}") from err
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OdooUrlError(f"Invalid URL {url!r}: expected http(s)://host[:port]")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise OdooUrlError(f"Invalid URL {url!r}: Odoo must be served at the root")
    https = parts.scheme == "https"
    return ServerAddress(
        protocol="jsonrpc+ssl" if https else "jsonrpc",
        host=parts.hostname.lower(),
        port=port or (443 if https else 80),
    )


def key_expiry(rows: Any, now: dt.datetime) -> dt.datetime | None:
    """The expiry (aware UTC) of the RPC key in use, from the user's own key rows
    (``scope``, ``expiration_date``), or None when it has none or it cannot be told.

    Odoo shows neither a key nor its index, so the key in use is known only as one of
    the user's live keys valid for RPC (scope unset or ``rpc``): its expiry is known
    when they all share one.
    """
    expiries: set[dt.datetime | None] = set()
    for row in rows if isinstance(rows, list) else ():
        if not isinstance(row, dict) or row.get("scope") not in (False, None, "rpc"):
            continue
        text = row.get("expiration_date")
        if not text:
            expiries.add(None)
            continue
        try:
            expiry = dt.datetime.fromisoformat(str(text)).replace(tzinfo=dt.UTC)
        except ValueError:
            return None
        if expiry >= now:
            expiries.add(expiry)
    return next(iter(expiries)) if len(expiries) == 1 else None


def source_ids(rows: Any) -> tuple[str, ...]:
    """The source ids of an ``epaper_schedule_sources`` answer (``[{"id", ...}]``), in
    its order; anything else in it is left out."""
    ids = [row.get("id") for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
    return tuple(i for i in ids if isinstance(i, str) and i)

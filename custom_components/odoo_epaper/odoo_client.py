"""A blocking Odoo client; Home Assistant runs it in its executor.

No Home Assistant imports here: the client is plain Python, tested against a
real HTTP server. It asks the server's version first and then speaks JSON-2 with
an API key (19.0 and later) or JSON-RPC through odoorpc (older): odoo_transport.py.
Every call has a total deadline (odoo_http.py). Every failure leaves as one of the
typed errors of odoo_errors.py; what the server is (address, models, key expiry)
is in odoo_server_info.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from typing import Any

from .odoo_errors import (
    OdooAccessError,
    OdooAddonTooOldError,
    OdooAuthError,
    OdooConnectionError,
    OdooDatabaseError,
    OdooError,
    OdooMissingModelError,
    OdooTimeoutError,
    OdooUrlError,
)
from .odoo_models import model_access
from .odoo_redact import REDACTOR as _REDACTOR
from .odoo_server_info import (
    DISPLAY_MODEL,
    ROOM_MODEL,
    SCHEDULE_METHOD,
    SOURCES_METHOD,
    AdoptionChoices,
    ServerAddress,
    ServerInfo,
    key_expiry,
    parse_url,
    source_ids,
)
from .odoo_transport import (
    JSON2,
    JSON2_SINCE,
    Json2Transport,
    JsonRpcTransport,
    Transport,
    detect_version,
    list_databases,
)
from .schedule import Booking, Schedule, format_time
from .schedule_answer import (
    ScheduleUpdate,
    UnsupportedAnswerError,
    parse_schedule_answer,
    valid_timezone,
)
from .schedule_pages import PAGE_SIZE, read_pages

# The client's whole vocabulary, importable from here as before the split.
__all__ = [
    "DEFAULT_TIMEOUT",
    "DISPLAY_MODEL",
    "ROOM_MODEL",
    "AdoptionChoices",
    "OdooAccessError",
    "OdooAddonTooOldError",
    "OdooAuthError",
    "OdooClient",
    "OdooConnectionError",
    "OdooDatabaseError",
    "OdooError",
    "OdooMissingModelError",
    "OdooTimeoutError",
    "OdooUrlError",
    "ServerAddress",
    "ServerInfo",
    "key_expiry",
    "parse_url",
]
_LOGGER = logging.getLogger(__name__)
# Seconds a whole call (connect, send, read the full answer) may take.
DEFAULT_TIMEOUT = 10.0
APIKEY_MODEL = "res.users.apikeys"


class OdooClient:
    """Read displays and schedules from one Odoo database as one user."""

    def __init__(
        self,
        url: str,
        database: str,
        username: str,
        password: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Remember where and who; nothing is sent before :meth:`connect`."""
        self.address = parse_url(url)
        self.database = database
        self.username = username
        self._password = password
        if password:
            _REDACTOR.secrets.add(password)
        self._timeout = timeout
        self._link: Transport | None = None
        self._version = ""
        self._info: ServerInfo | None = None
        self._lock = threading.Lock()
        self._warned: set[str] = set()

    @property
    def info(self) -> ServerInfo:
        """What :meth:`connect` learned."""
        if self._info is None:
            raise OdooError("Not connected")
        return self._info

    def _transport(self) -> Transport:
        """The transport for the server's version (asked once): JSON-2 from 19.0."""
        if self._link is None:
            version, series = detect_version(self.address, self._timeout)
            if series >= JSON2_SINCE:
                self._link = Json2Transport(
                    self.address, self.database, self._password, timeout=self._timeout
                )
            else:
                self._link = JsonRpcTransport(
                    self.address,
                    self.database,
                    self.username,
                    self._password,
                    version=version,
                    timeout=self._timeout,
                )
            self._version = version
        return self._link

    def _call(self, model: str, method: str, ids: list[int] | None = None, **kwargs: Any) -> Any:
        """Run ``model.method`` with named arguments (``ids`` for record methods)."""
        return self._transport().call(model, method, ids, kwargs)

    def list_databases(self) -> list[str] | None:
        """Return the server's databases, or None when it does not list them."""
        return list_databases(self.address, self._timeout)

    def connect(self) -> ServerInfo:
        """Log in and read the metadata once: models present, user timezone, display fields,
        and on JSON-2 the key's expiry when it can be told (:func:`key_expiry`)."""
        with self._lock:
            transport = self._transport()
            uid, context = transport.login()
            if transport.name == JSON2:
                self._check_key_owner(uid)
            user_tz = valid_timezone(context.get("tz"))
            readable = self._model_access()
            models = frozenset(readable)
            display_model = DISPLAY_MODEL if DISPLAY_MODEL in models else ROOM_MODEL
            display_fields: frozenset[str] = frozenset()
            if display_model in models:
                if not readable[display_model]:
                    raise OdooAccessError(f"User {self.username} may not read {display_model}")
                display_fields = frozenset(
                    self._call(display_model, "fields_get", attributes=["type", "relation"])
                )
            expiry = self._key_expiry() if transport.name == JSON2 else None
            sources = self._source_ids() if DISPLAY_MODEL in models else None
            self._info = ServerInfo(
                server=self.address.url,
                database=self.database,
                uid=uid,
                version=self._version,
                user_tz=user_tz,
                models=models,
                display_fields=display_fields,
                transport=transport.name,
                key_expiry=expiry,
                sources=sources,
            )
            return self._info

    def _source_ids(self) -> tuple[str, ...] | None:
        """The addon's source ids in ``auto``'s order; None: too old to list them."""
        try:
            rows = self._call(DISPLAY_MODEL, SOURCES_METHOD)
        except OdooAddonTooOldError as err:
            _LOGGER.warning("The Odoo E-Paper addon does not list its schedule sources: %s", err)
            return None
        return source_ids(rows)

    def _model_access(self) -> dict[str, bool]:
        """Which known models exist and whether the user may read each (odoo_models.py)."""
        return model_access(self._call)

    def _key_expiry(self) -> dt.datetime | None:
        """The expiry of the API key in use when it can be told (:func:`key_expiry`);
        None also when Odoo does not let the user read their keys (logged)."""
        try:
            keys = self._call(
                APIKEY_MODEL, "search_read", domain=[], fields=["scope", "expiration_date"]
            )
        except OdooAccessError as err:
            _LOGGER.info("Cannot tell when the Odoo API key expires: %s", err)
            return None
        return key_expiry(keys, dt.datetime.now(dt.UTC))

    def _check_key_owner(self, uid: int) -> None:
        """Refuse an API key of another user than the entry's (OdooAuthError)."""
        rows = self._call("res.users", "read", [uid], fields=["login"])
        login = str(rows[0].get("login") or "") if isinstance(rows, list) and rows else ""
        if login.strip().lower() != self.username.strip().lower():
            raise OdooAuthError(f"The API key belongs to {login!r}, not to {self.username!r}")

    def fetch_schedule(
        self,
        source_option: str,
        start: dt.datetime,
        end: dt.datetime,
        default_tz: str | None = None,
    ) -> Schedule:
        """Read every display and its bookings in ``[start, end)`` (in pages, see
        :meth:`fetch_schedule_update`): ``room.rasp.connection.epaper_schedule``.

        ``default_tz`` is Home Assistant's zone, used by the addon when neither the
        display nor the Odoo user or company names one. Raises OdooMissingModelError
        when the source's module is not installed, OdooAddonTooOldError when the addon
        is missing or answers another API, and the other OdooErrors of :meth:`_call`.
        """
        return self.fetch_schedule_update(source_option, start, end, default_tz).schedule

    def fetch_schedule_update(
        self,
        source_option: str,
        start: dt.datetime,
        end: dt.datetime,
        default_tz: str | None = None,
        *,
        cursor: str | None = None,
        devices: Sequence[str] | None = None,
    ) -> ScheduleUpdate:
        """Like :meth:`fetch_schedule`, with incremental sync and targeted reads.

        ``cursor`` (from an earlier update) asks only for what changed since;
        ``devices`` limits the read to those device names. The answer comes in pages
        of PAGE_SIZE displays (schedule_pages.py), each one RPC with its own deadline:
        a fleet of any size is read, and a page Odoo answers too slowly fails with
        OdooTimeoutError. Same errors.
        """
        info = self.info
        if not info.has_addon or info.sources is None:
            raise OdooAddonTooOldError(
                f"The Odoo E-Paper addon ({DISPLAY_MODEL}) is not installed"
                if not info.has_addon
                else "The Odoo E-Paper addon does not list its schedule sources: update it"
            )
        source = info.source(source_option)
        if source is None:
            raise OdooMissingModelError(
                f"No schedule source {source_option!r} in the Odoo E-Paper addon "
                f"(installed: {', '.join(info.sources) or 'none'}); install its bridge module"
            )
        extra: dict[str, Any] = {} if cursor is None else {"cursor": cursor}
        question: dict[str, Any] = {
            "start": format_time(start),
            "end": format_time(end),
            "devices": None if devices is None else list(devices),
            "default_tz": valid_timezone(default_tz),
            "sources": [source],
        }

        def call_page(page: str | None) -> Any:
            paging: dict[str, Any] = {"page_size": PAGE_SIZE}
            if page is not None:
                paging["page"] = page
            with self._lock:  # per page: a booking waits for one page, not the whole read
                return self._call(DISPLAY_MODEL, SCHEDULE_METHOD, **question, **extra, **paging)

        try:
            return read_pages(call_page, self._warn_once)
        except UnsupportedAnswerError as err:
            raise OdooAddonTooOldError(str(err)) from err

    def can_write_displays(self) -> bool:
        """Return whether the addon is installed and the user may write its displays."""
        if not self.info.has_addon:
            return False
        with self._lock:
            return bool(self._call(DISPLAY_MODEL, "has_access", [], operation="write"))

    def report_status(self, reports: Sequence[dict[str, Any]]) -> None:
        """Mirror display statuses into the addon in one RPC (``mqtt_status_report``)."""
        with self._lock:
            self._call(DISPLAY_MODEL, "mqtt_status_report", reports=list(reports))

    # Bookings through the addon (epaper_booking rules, the caller's rights) ---------

    def book(self, device: str, start: dt.datetime, end: dt.datetime, name: str | None) -> Any:
        """Book ``device``'s room over ``[start, end)``: the addon's answer (``ok``, ...)."""
        with self._lock:
            return self._call(
                DISPLAY_MODEL,
                "epaper_book",
                device=device,
                start=format_time(start),
                end=format_time(end),
                name=name,
            )

    def cancel(self, device: str, ref: str) -> Any:
        """Cancel booking ``ref`` ("model,id") of ``device``'s room: the addon's answer."""
        with self._lock:
            return self._call(DISPLAY_MODEL, "epaper_cancel", device=device, event_ref=ref)

    def door_action(self, device: str, action: str, minutes: int | None, max_minutes: int) -> Any:
        """Perform a door action in Odoo (``epaper_door_action``): the addon's answer.

        ``max_minutes`` is the longest booking a door may make or extend to, in total.
        """
        with self._lock:
            return self._call(
                DISPLAY_MODEL,
                "epaper_door_action",
                device=device,
                action=action,
                minutes=minutes,
                max_minutes=max_minutes,
            )

    def display_bookings(
        self, device: str, start: dt.datetime, end: dt.datetime, default_tz: str | None
    ) -> tuple[Booking, ...]:
        """Return one display's bookings in ``[start, end)``: ONE ``epaper_schedule`` RPC
        for that display (the calendar's ranges beyond the published horizon)."""
        with self._lock:
            answer = self._call(
                DISPLAY_MODEL,
                SCHEDULE_METHOD,
                start=format_time(start),
                end=format_time(end),
                devices=[device],
                default_tz=valid_timezone(default_tz),
            )
            try:
                schedule = parse_schedule_answer(answer, self._warn_once)
            except UnsupportedAnswerError as err:
                raise OdooAddonTooOldError(str(err)) from err
        return schedule.bookings.get(device, ())

    def adoption_choices(self) -> AdoptionChoices:
        """Return the rooms, languages and zone the addon offers for a new sign (one RPC)."""
        with self._lock:
            answer = self._call(DISPLAY_MODEL, "epaper_adoption_choices")
        rooms = answer.get("rooms") if isinstance(answer, dict) else None
        languages = answer.get("languages") if isinstance(answer, dict) else None
        return AdoptionChoices(
            rooms=tuple(str(room) for room in rooms or () if isinstance(room, str)),
            languages=tuple(
                (str(pair[0]), str(pair[1]))
                for pair in languages or ()
                if isinstance(pair, list | tuple) and len(pair) == 2
            ),
            tz=valid_timezone(answer.get("tz")) if isinstance(answer, dict) else None,
        )

    def adopt_display(self, device: str, room: str, tz: str | None, lang: str | None) -> int:
        """Create the display of a discovered sign in the addon; return its record id.

        Raises OdooAccessError without the rights, OdooError with Odoo's message for a value
        Odoo refuses (e.g. a device name already taken).
        """
        values = {"device": device, "room": room, "tz": tz, "lang": lang}
        with self._lock:
            answer = self._call(DISPLAY_MODEL, "epaper_adopt_display", values=values)
        return int(answer["id"])

    def _warn_once(self, key: str, message: str) -> None:
        """Log a display or event the answer had to leave out, once per key."""
        if key not in self._warned:
            self._warned.add(key)
            _LOGGER.warning("%s", message)

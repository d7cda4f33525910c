"""The addon's methods on ``room.rasp.connection`` as the Odoo test server answers them:
``epaper_schedule`` (the addon's plain package, with the store as the ORM, full or by
cursor) and ``mqtt_status_report`` (the addon's status_record rule).
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import time
from typing import Any

from testbed.addon_code import load_plain_package, schedule_sources
from testbed.odoo_changes import ScheduleChangeLog
from testbed.odoo_records import Record, RecordStore
from testbed.odoo_rpc import OdooRpcFault

DISPLAY_MODEL = "room.rasp.connection"


class AddonMethods(RecordStore):
    """``epaper_schedule`` and ``mqtt_status_report`` over the record store."""

    company: dict[str, Any]
    changes: ScheduleChangeLog
    schedule_api: int | None
    status_reports: list[list[dict[str, Any]]]
    records_read: int
    display_memo: dict[tuple[Any, ...], Any]  # see _display

    def _epaper_schedule(
        self,
        model: str,
        uid: int,
        start: Any,
        end: Any,
        devices: Any = None,
        default_tz: Any = None,
        sources: Any = None,
        cursor: Any = None,
        page_size: Any = None,
        page: Any = None,
    ) -> dict[str, Any]:
        """The addon's ``epaper_schedule``: its plain package, with this server as the ORM.

        With ``cursor`` it answers incrementally from :attr:`changes`, as the addon's
        change log does; :attr:`records_read` counts the displays answered and the
        bookings read (the room labels of the other active displays, read for the
        answer's ``collisions`` as the addon does, are not counted).
        """
        rules: Any = load_plain_package("epaper_schedule")
        if model != DISPLAY_MODEL:
            raise OdooRpcFault(
                "builtins.AttributeError",
                f"The method 'epaper_schedule' does not exist on the model '{model}'",
            )
        try:
            window = rules.Window.parse(start, end)
        except (TypeError, ValueError) as err:
            raise OdooRpcFault("odoo.exceptions.UserError", f"start and end: {err}") from err
        if default_tz is not None and rules.valid_zone(default_tz) is None:
            raise OdooRpcFault(
                "odoo.exceptions.UserError", f"default_tz {default_tz!r} is not an IANA timezone."
            )
        try:
            chosen = rules.choose_sources(self._installed_sources(), sources)
        except ValueError as err:
            raise OdooRpcFault("odoo.exceptions.UserError", str(err)) from err
        if devices is not None and not isinstance(devices, list):
            raise OdooRpcFault("odoo.exceptions.UserError", "devices must be a list or null.")

        def answer_for(
            names: list[str] | None, after: str | None, limit: int | None
        ) -> dict[str, Any]:
            return self._schedule_answer(uid, window, names, default_tz, chosen, after, limit)

        cursor_rules: Any = importlib.import_module("epaper_schedule.cursor")
        pages: Any = importlib.import_module("epaper_schedule.pages")
        try:
            answer: dict[str, Any] = cursor_rules.answer_with_cursor(
                cursor,
                cursor_rules.query_key(start, end, devices, default_tz, sources),
                time.time(),
                recent_ids=lambda: self.changes.recent_ids(cursor_rules.RECENT_IDS),
                read_log=self.changes.read,
                answer_for=answer_for,
                devices=devices,
                page_size=page_size,
                page=page,
            )
        except pages.PageError as err:
            raise OdooRpcFault("odoo.exceptions.UserError", str(err)) from err
        if self.schedule_api is not None:
            answer["api"] = self.schedule_api
        return answer

    def _installed_sources(self) -> list[Any]:
        """The bridge modules' sources whose model is installed here."""
        return [source for model, source in schedule_sources().items() if model in self.fields]

    def _epaper_schedule_sources(self, model: str, _uid: int) -> list[dict[str, str]]:
        """The addon's ``epaper_schedule_sources``: the installed sources' ids."""
        if model != DISPLAY_MODEL:
            raise OdooRpcFault(
                "builtins.AttributeError",
                f"The method 'epaper_schedule_sources' does not exist on the model '{model}'",
            )
        rules: Any = load_plain_package("epaper_schedule")
        return list(rules.source_list(self._installed_sources()))

    def _schedule_answer(
        self,
        uid: int,
        window: Any,
        devices: list[str] | None,
        default_tz: Any,
        chosen: list[Any],
        after: str | None = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        """The plain answer for ``devices`` (None: every active display of the caller's
        companies, when :meth:`enable_companies` emulates them), by name: the names above
        ``after`` (None: from the first), at most ``limit`` (None: all); every display
        counts for collisions."""
        rules: Any = load_plain_package("epaper_schedule")
        spec = self._known_spec(
            DISPLAY_MODEL, {**rules.DISPLAY_SPECIFICATION, **rules.ROOM_SPECIFICATION}
        )
        user = self.records["res.users"][uid]
        everyone = [
            self._display(
                self._render_spec(DISPLAY_MODEL, record, spec), user.get("tz"), default_tz
            )
            for record in self._find(DISPLAY_MODEL, [], 0, None, "name")
            if "company_id" not in spec or record.get("company_id") in user.get("company_ids", [])
        ]
        # As the addon: every active display counts for collisions, the asked ones answer.
        asked = None if devices is None else set(devices)
        displays = rules.page_of(
            [d for d in everyone if asked is None or d.device in asked], after, limit
        )
        self.records_read += len(displays)

        def read_as_superuser(
            source_model: str, source_domain: list[Any], specification: dict[str, Any]
        ) -> list[Record]:
            known_spec = self._known_spec(source_model, specification)
            found = self._find(source_model, source_domain, 0, None, "id")
            self.records_read += len(found)
            return [self._render_spec(source_model, record, known_spec) for record in found]

        return dict(rules.answer_schedule(displays, window, chosen, read_as_superuser, everyone))

    def _display(self, rendered: Record, user_tz: Any, default_tz: Any) -> Any:
        """The addon's ``display_from_record`` of a rendered display record, computed once
        per distinct record and zone chain (every page of a paged read needs every display
        for the collisions; the plain rules are pure, so an unchanged record gives the
        same display)."""
        rules: Any = load_plain_package("epaper_schedule")
        company_tz, company_lang = self.company["tz"], self.company["lang"]
        key = (repr(rendered), user_tz, company_tz, company_lang, default_tz)
        memo = self.display_memo
        found = memo.get(key)
        if found is None:
            if len(memo) > 4 * len(self.records.get(DISPLAY_MODEL, {})) + 100:
                memo.clear()  # bounded: records edited many times leave old keys
            found = memo[key] = rules.display_from_record(
                rendered,
                user_tz=user_tz,
                company_tz=company_tz,
                company_lang=company_lang,
                default_tz=default_tz,
            )
        return found

    def _placed_displays(self) -> list[Any]:
        """Every active display as the plain rules know them (to place a changed record)."""
        rules: Any = load_plain_package("epaper_schedule")
        spec = self._known_spec(
            DISPLAY_MODEL, {**rules.DISPLAY_SPECIFICATION, **rules.ROOM_SPECIFICATION}
        )
        return [
            rules.display_from_record(
                self._render_spec(DISPLAY_MODEL, record, spec),
                user_tz=None,
                company_tz=self.company["tz"],
                company_lang=self.company["lang"],
                default_tz=None,
            )
            for record in self._find(DISPLAY_MODEL, [], 0, None, "name")
        ]

    def _mqtt_status_report(self, model: str, _uid: int, reports: list[dict[str, Any]]) -> bool:
        if model != "room.rasp.connection":
            raise OdooRpcFault(
                "builtins.AttributeError",
                f"The method 'mqtt_status_report' does not exist on the model '{model}'",
            )
        self.status_reports.append(copy.deepcopy(reports))
        by_name = {rec["name"]: rec for rec in self.records[model].values()}
        for report in reports:
            record = by_name.get(report.get("device"))
            if record is not None:
                _store_report(record, report)
                snapshot = report.get("snapshot")
                wire = load_plain_package("mqtt_bridge").wire
                if snapshot and wire.snapshot_problem(snapshot) is None:  # the addon's check
                    record["snapshot"] = snapshot
        return True


_ODOO_TIME = "%Y-%m-%d %H:%M:%S"


def _store_report(record: dict[str, Any], report: dict[str, Any]) -> None:
    """Apply one ``mqtt_status_report`` entry with the addon's own rule (status_record)."""
    status_record = importlib.import_module(
        f"{load_plain_package('mqtt_bridge').__name__}.status_record"
    )
    state = report.get("state") or "unknown"
    text = report.get("last_seen")
    carried = status_record.naive_utc(_parse_time(text)) if isinstance(text, str) else None
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    stored = {
        key: record.get(key) or None
        for key in ("mqtt_connection_state", "last_error", "panel_model")
    }
    for key in ("last_seen", "last_status_at"):
        value = record.get(key)
        stored[key] = _parse_time(value).replace(tzinfo=None) if value else None
    vals = status_record.status_changes(
        stored,
        state=state,
        error=report.get("error") or None,
        status_at=carried or now,
        last_seen=carried or (now if state != "offline" else None),
    )
    for key, value in vals.items():
        record[key] = value.strftime(_ODOO_TIME) if isinstance(value, dt.datetime) else value


def _parse_time(text: str) -> dt.datetime:
    """An Odoo or ISO 8601 time text as an aware UTC datetime (naive means UTC)."""
    parsed = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)

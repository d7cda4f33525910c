"""What a user (not the superuser) reads of others' private calendar events in Odoo 18:
the addon's own rule (``epaper_schedule.hidden_from_reader``), applied to the store.
"""

from __future__ import annotations

from typing import Any

from testbed.addon_code import load_plain_package
from testbed.odoo_records import Record, RecordStore

CALENDAR_MODEL = "calendar.event"


class PrivacyView(RecordStore):
    """The record store as one user sees it."""

    def _as_seen_by(self, model: str, uid: int, record: Record) -> Record:
        """The record as a user (not the superuser) reads it: Odoo 18 blanks the private
        fields of others' private calendar events (name "Busy", location False)."""
        if model != CALENDAR_MODEL:
            return record
        rules: Any = load_plain_package("epaper_schedule")
        organizer = self.records["res.users"].get(record.get("user_id") or 0, {})
        reader = self.records["res.users"].get(uid, {})
        if not rules.hidden_from_reader(
            privacy=record.get("privacy"),
            organizer_id=record.get("user_id"),
            organizer_default=organizer.get("calendar_default_privacy"),
            attendee_partner_ids=record.get("partner_ids") or [],
            reader_id=uid,
            reader_partner_id=reader.get("partner_id"),
        ):
            return record
        return {
            name: value if name in rules.PUBLIC_FIELDS else False for name, value in record.items()
        } | {"name": rules.HIDDEN_NAME}

"""API keys of the Odoo test server, as Odoo 18 and 19 keep them (``res.users.apikeys``).

A key is 40 hex digits; Odoo stores its first 8 (the index) and a hash, never the key, so
neither the server's answers nor its records give a key back. A key works for RPC while
it has no expiry or its expiry (naive UTC) is not past, and until it is revoked. A user
reads only their own keys (Odoo's record rule "Users can read and delete their own keys").
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

APIKEY_MODEL = "res.users.apikeys"
APIKEY_FIELDS: dict[str, dict[str, Any]] = {
    "name": {"type": "char"},
    "user_id": {"type": "many2one", "relation": "res.users"},
    "scope": {"type": "char"},
    "create_date": {"type": "datetime"},
    "expiration_date": {"type": "datetime"},
}


def odoo_datetime(moment: dt.datetime) -> str:
    """Odoo's naive UTC text of an aware ``moment``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


class ApiKeys:
    """The keys of one test server; its ``res.users.apikeys`` records mirror them."""

    def __init__(self, records: dict[int, dict[str, Any]]) -> None:
        """Keep the key records in ``records`` (the server's store for the model)."""
        self.records = records
        self._secrets: dict[str, int] = {}  # key -> record id

    def generate(
        self,
        uid: int,
        *,
        name: str = "Home Assistant",
        expires: dt.datetime | None = None,
        scope: str | None = None,
    ) -> str:
        """Make a key for user ``uid`` (``expires`` aware, None: persistent); return it."""
        key = secrets.token_hex(20)
        record_id = max(self.records, default=0) + 1
        self.records[record_id] = {
            "id": record_id,
            "name": name,
            "user_id": uid,
            "scope": scope or False,
            "create_date": odoo_datetime(dt.datetime.now(dt.UTC)),
            "expiration_date": odoo_datetime(expires) if expires else False,
        }
        self._secrets[key] = record_id
        return key

    def revoke(self, key: str) -> None:
        """Delete a key (the user's "Delete API key", or an administrator's)."""
        record_id = self._secrets.pop(key)
        self.records.pop(record_id, None)

    def expire(self, key: str, when: dt.datetime) -> None:
        """Move a key's expiry (aware), e.g. into the past to let it lapse."""
        self.records[self._secrets[key]]["expiration_date"] = odoo_datetime(when)

    def user_of(self, key: str, scope: str = "rpc") -> int | None:
        """The user whose live key ``key`` is (Odoo's ``_check_credentials``), else None."""
        record = self.records.get(self._secrets.get(key, 0))
        if record is None or record["scope"] not in (False, scope):
            return None
        expiry = record["expiration_date"]
        if expiry and expiry < odoo_datetime(dt.datetime.now(dt.UTC)):
            return None
        return int(record["user_id"])

"""Which retained ``/data`` messages are due (plain Python, no ``odoo`` import).

The rule of the hub's publisher (custom_components/odoo_epaper/publisher.py): a display's
``/data`` is published when it is new, its content hash changed, it moved to another
topic (the old topic is cleared), or less than half its life is left; a display that is
archived or deleted has its retained ``/data`` cleared; nothing else is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from .payload import PAYLOAD_LIFETIME, content_hash, encode


@dataclass(frozen=True)
class Published:
    """What the broker holds for one display, as the publisher last left it."""

    topic: str
    content_hash: str | None
    valid_until: dt.datetime | None  # aware UTC


@dataclass(frozen=True)
class Due:
    """One retained message to send: ``payload`` ``b""`` clears ``topic``; for a payload,
    ``content_hash`` and ``valid_until`` (the payload's text) are what to remember."""

    display: Hashable
    topic: str
    payload: bytes
    content_hash: str | None = None
    valid_until: str | None = None


def data_topic(prefix: str, device: str) -> str:
    """Return the retained room-data topic of a display."""
    return f"{prefix}{device}/data"


def due_messages(
    current: Mapping[Hashable, tuple[str, dict[str, Any]] | None],
    last: Mapping[Hashable, Published],
    now: dt.datetime,
    lifetime: dt.timedelta = PAYLOAD_LIFETIME,
) -> list[Due]:
    """Return the messages due for the displays in ``current``.

    ``current`` maps a display (its database id) to ``(topic, payload)`` or to None when
    it is archived or deleted; ``last`` is what was published for it before (absent:
    nothing). ``now`` is aware; the clears come before the payloads.
    """
    clears: list[Due] = []
    payloads: list[Due] = []
    for display, entry in current.items():
        before = last.get(display)
        if entry is None:
            if before is not None:
                clears.append(Due(display, before.topic, b""))
            continue
        topic, payload = entry
        digest = content_hash(payload)
        if before is not None and before.topic != topic:
            clears.append(Due(display, before.topic, b""))
        elif (
            before is not None
            and before.content_hash == digest
            and before.valid_until is not None
            and before.valid_until - now >= lifetime / 2
        ):
            continue
        payloads.append(Due(display, topic, encode(payload), digest, payload["valid_until"]))
    return clears + payloads

"""The demo's extra door sign that Odoo does not know: discovered by Home Assistant, adopted.

``scripts/demo`` starts it and prints how to adopt it; ``scripts/demo --check`` adopts it
through the discovered card's flow (Home Assistant's HTTP API, as the frontend does) and
waits until the sign draws its new room.
"""

from __future__ import annotations

import time
from typing import Any

from demo.data import TIMEZONE, Panel
from demo.ha_api import HomeAssistantApi

NEW_SIGN = Panel("lobby-2", 800, 480, "bwr")
NEW_ROOM = "Lobby 2"
HANDLER = "odoo_epaper"


def how_to_adopt(ha_url: str) -> str:
    """The words the demo prints for adopting the new sign by hand."""
    return (
        f"New door sign {NEW_SIGN.device!r} is not in Odoo: open {ha_url}/config/integrations/"
        f"dashboard, Discovered > New door sign {NEW_SIGN.device}, choose a room "
        f"(e.g. {NEW_ROOM!r}) and submit; the sign draws the room within seconds."
    )


def wait_for_card(api: HomeAssistantApi, timeout: float) -> dict[str, Any]:
    """Wait until Home Assistant shows the discovered card of the new sign; return its flow."""
    deadline = time.monotonic() + timeout
    while True:
        for flow in api.flows_in_progress(HANDLER):
            if flow.get("context", {}).get("unique_id") == NEW_SIGN.device:
                return flow
        if time.monotonic() > deadline:
            raise TimeoutError(f"Home Assistant never discovered {NEW_SIGN.device}")
        time.sleep(0.5)


def adopt(api: HomeAssistantApi, timeout: float) -> dict[str, Any]:
    """Answer the card as a person would: room, time zone, language; return the result."""
    flow = wait_for_card(api, timeout)
    result = api.answer_flow(
        flow["flow_id"], {"room": NEW_ROOM, "time_zone": TIMEZONE, "language": "en_US"}
    )
    if result.get("type") != "abort" or result.get("reason") != "adopted":
        raise RuntimeError(f"adopting {NEW_SIGN.device} failed: {result}")
    return result

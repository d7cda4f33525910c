"""The Odoo addon's notice that the schedules of some displays just changed."""

from __future__ import annotations

from .wire_values import Payload, WireError, decode_json_object, is_device_name


def parse_changed(payload: Payload) -> list[str]:
    """Return the device names of a ``_odoo/changed`` notice, or raise WireError."""
    value = decode_json_object(payload)
    if "devices" not in value:
        raise WireError("missing", "the notice has no devices")
    devices = value["devices"]
    if not isinstance(devices, list):
        raise WireError("type", "devices must be a list")
    for device in devices:
        if not is_device_name(device):
            raise WireError("device", f"{device!r} is not a device name")
    return list(dict.fromkeys(devices))

"""The seed's MQTT connect return codes and their meanings, from paho 2.x reason codes."""

from __future__ import annotations

from paho.mqtt.reasoncodes import ReasonCode

RC_MEANINGS = {
    0: "Connection successful",
    1: "Connection refused - incorrect protocol version",
    2: "Connection refused - invalid client identifier",
    3: "Connection refused - server unavailable",
    4: "Connection refused - bad username or password",
    5: "Connection refused - not authorised",
}
# MQTT 5 reason codes (which paho 2.x also uses for MQTT 3.1.1 CONNACKs) to the seed's codes.
_FROM_REASON = {
    0: 0,
    1: 1,
    2: 2,
    3: 3,
    4: 4,
    5: 5,
    132: 1,  # Unsupported protocol version
    133: 2,  # Client identifier not valid
    136: 3,  # Server unavailable
    137: 3,  # Server busy
    134: 4,  # Bad user name or password
    140: 4,  # Bad authentication method
    135: 5,  # Not authorized
    138: 5,  # Banned
}


def seed_rc(reason: ReasonCode | int) -> int:
    """Return the seed's return code (0-5) for a paho reason code; others keep their value."""
    value = reason.value if isinstance(reason, ReasonCode) else int(reason)
    return _FROM_REASON.get(value, value)


def rc_meaning(reason: ReasonCode | int) -> str:
    """Return the seed's words for a connect result."""
    code = seed_rc(reason)
    if code in RC_MEANINGS:
        return RC_MEANINGS[code]
    return f"Connection refused - {reason}" if isinstance(reason, ReasonCode) else f"error {code}"

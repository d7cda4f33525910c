"""What a connect attempt's outcome means, in the words of the seed's return codes 0-5."""

from __future__ import annotations

import socket
import ssl

RC_MEANINGS: dict[int, str] = {
    0: "Connection successful",
    1: "Connection refused - incorrect protocol version",
    2: "Connection refused - invalid client identifier",
    3: "Connection refused - server unavailable",
    4: "Connection refused - bad username or password",
    5: "Connection refused - not authorised",
}

# MQTT 5 reason codes (what paho 2.x reports, also for MQTT 3.1.1) -> MQTT 3.1.1 return codes.
_REASON_TO_RC: dict[int, int] = {
    0: 0,
    0x84: 1,  # Unsupported protocol version
    0x85: 2,  # Client identifier not valid
    0x88: 3,  # Server unavailable
    0x89: 3,  # Server busy
    0x86: 4,  # Bad user name or password
    0x87: 5,  # Not authorized
    0x8C: 5,  # Bad authentication method
}


def return_code(reason_code: object) -> int | None:
    """Return the 0-5 return code for a paho ReasonCode (or int), None when it has none."""
    value = getattr(reason_code, "value", reason_code)
    if not isinstance(value, int):
        return None
    if value in _REASON_TO_RC:
        return _REASON_TO_RC[value]
    if value in RC_MEANINGS:
        return value
    return None


def describe_return_code(reason_code: object) -> str:
    """Return the seed's meaning of a connect result, or paho's own words for other codes."""
    rc = return_code(reason_code)
    if rc is not None:
        return RC_MEANINGS[rc]
    return f"Connection refused - {reason_code}"


def describe_connect_error(host: str, port: int, exc: BaseException) -> str:
    """Explain why no MQTT session could start (network, DNS, TLS)."""
    where = f"{host}:{port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate of {where} not trusted: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake with {where} failed: {exc.reason or exc}"
    if isinstance(exc, socket.gaierror):
        detail = f"host name {host!r} not found ({exc.strerror})"
    elif isinstance(exc, TimeoutError):
        detail = f"no answer from {where} (timed out)"
    elif isinstance(exc, ConnectionRefusedError):
        detail = f"{where} refused the connection (is the broker running?)"
    elif isinstance(exc, OSError):
        detail = f"{where}: {exc.strerror or exc}"
    else:
        return f"Cannot connect to {where}: {exc}"
    return f"Broker unreachable: {detail}"

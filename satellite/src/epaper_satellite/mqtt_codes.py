"""MQTT connect results in words, as brokers really use them, with what to check.

paho 2.x reports every CONNACK as an MQTT 5 reason code, also on MQTT 3.1.1, where it
turns the return codes 1-5 into 0x84, 0x85, 0x88, 0x86 and 0x87. Mosquitto 2 answers
0x87 / rc 5 ("not authorised") for a wrong password, an unknown user and a missing
login alike, never rc 4: the words for rc 5 name all three. The status payload keeps
the seed's return codes 0-5 (:func:`seed_rc`): server busy counts as 3, a bad
authentication method as 4, banned as 5; other reason codes keep their value.
"""

from __future__ import annotations

from dataclasses import dataclass

from paho.mqtt.reasoncodes import ReasonCode

# What kind of trouble a refused connection is, for the setup screen and ``check``.
LOGIN = "login"  # the broker does not take this user and password
REFUSED = "refused"  # the broker answered and refused for another reason
UNREACHABLE = "unreachable"  # no broker answered (address, port, network, no CONNACK)
TLS = "tls"  # the TLS handshake or the broker's certificate failed
ACL = "acl"  # logged in, but the broker refuses the device's own topics to this user
# The broker link when nothing is wrong with it (session.MQTTSession.link()).
CONNECTED = "connected"
CONNECTING = "connecting"  # no outcome yet, or reconnecting after a loss

RC_MEANINGS = {
    0: "Connection successful",
    1: "Connection refused - incorrect protocol version",
    2: "Connection refused - invalid client identifier",
    3: "Connection refused - server unavailable",
    4: "Connection refused - bad username or password",
    5: "Connection refused - not authorised",
}
_LOG = "read the broker's log for this client (journalctl -u mosquitto on Debian)"
_CREDENTIALS = (
    "check [mqtt] username and the password (password_file, or EPAPER_MQTT_PASSWORD) "
    "against the broker's users (mosquitto_passwd; deploy/mosquitto/epaper-mosquitto-users "
    "makes one per display)"
)


@dataclass(frozen=True)
class ConnectRefusal:
    """A refused CONNACK: the seed's ``rc``, the MQTT 5 ``reason`` code, words and a fix.

    ``kind`` is :data:`LOGIN` or :data:`REFUSED`.
    """

    rc: int
    reason: int
    meaning: str
    fix: str
    kind: str = REFUSED


def _refusal(rc: int, reason: int, meaning: str, fix: str, kind: str = REFUSED) -> ConnectRefusal:
    return ConnectRefusal(rc, reason, f"Connection refused - {meaning}", fix, kind)


# Every CONNACK reason code of MQTT 5 (section 3.2.2.2), by value.
REFUSALS: dict[int, ConnectRefusal] = {
    r.reason: r
    for r in (
        _refusal(128, 0x80, "unspecified error", f"the broker did not say why: {_LOG}"),
        _refusal(129, 0x81, "malformed packet", f"client and broker disagree on MQTT: {_LOG}"),
        _refusal(130, 0x82, "protocol error", f"client and broker disagree on MQTT: {_LOG}"),
        _refusal(
            131,
            0x83,
            "implementation specific error",
            f"a plugin or authentication backend of the broker refused it: {_LOG}",
        ),
        _refusal(
            1,
            0x84,
            "incorrect protocol version",
            "use Mosquitto 2 or another broker that speaks MQTT 5 or 3.1.1",
        ),
        _refusal(
            2,
            0x85,
            "invalid client identifier",
            "remove [mqtt] client_id (the default is epaper-DEVICE), or use one of letters, "
            "digits and '-' that no other client uses",
        ),
        _refusal(4, 0x86, "bad username or password", _CREDENTIALS, LOGIN),
        _refusal(
            5,
            0x87,
            "not authorised: wrong username or password, or this user may not connect",
            f"{_CREDENTIALS}; Mosquitto 2 answers this for a wrong password too. If they are "
            "right, check that the broker lets this user connect (allow_anonymous, its "
            "authentication plugin or dynamic-security roles)",
            LOGIN,
        ),
        _refusal(3, 0x88, "server unavailable", "the broker is starting or stopping: retry soon"),
        _refusal(3, 0x89, "server busy", "the broker is overloaded: try again in a minute"),
        _refusal(
            5,
            0x8A,
            "banned",
            "the broker banned this user, client id or address: ask its administrator",
            LOGIN,
        ),
        _refusal(
            4,
            0x8C,
            "bad authentication method",
            "the broker wants MQTT 5 enhanced authentication, which the satellite does not "
            "do: give it a user name and password login",
            LOGIN,
        ),
        _refusal(
            144,
            0x90,
            "topic name invalid",
            "the broker refused the last will's topic: check [mqtt] topic_prefix",
        ),
        _refusal(
            149,
            0x95,
            "packet too large",
            "the broker's message_size_limit (or max_packet_size) is smaller than the "
            "connect packet: raise it",
        ),
        _refusal(
            151,
            0x97,
            "quota exceeded",
            "this user or client has used up a limit of the broker (connections, "
            "max_connections): close other connections or raise the limit",
        ),
        _refusal(153, 0x99, "payload format invalid", f"the broker refused the last will: {_LOG}"),
        _refusal(
            154,
            0x9A,
            "retain not supported",
            "the satellite's status and last will are retained: set retain_available true "
            "on the broker",
        ),
        _refusal(
            155,
            0x9B,
            "QoS not supported",
            "the satellite's last will uses QoS 1: allow QoS 1 on the broker (max_qos)",
        ),
        _refusal(
            156,
            0x9C,
            "use another server",
            f"the broker sends clients to another server: set [mqtt] host to it ({_LOG})",
        ),
        _refusal(
            157,
            0x9D,
            "server moved",
            f"the broker has moved: set [mqtt] host to its new address ({_LOG})",
        ),
        _refusal(
            159,
            0x9F,
            "connection rate exceeded",
            "too many connection attempts: wait a minute; a second satellite with the same "
            "device name or client id makes this happen again and again",
        ),
    )
}
# MQTT 3.1.1 return codes 1-5 as paho 2.x turns them into reason codes.
_FROM_V311 = {1: 0x84, 2: 0x85, 3: 0x88, 4: 0x86, 5: 0x87}


def _value(reason: ReasonCode | int) -> int:
    return reason.value if isinstance(reason, ReasonCode) else int(reason)


def connect_refusal(reason: ReasonCode | int) -> ConnectRefusal | None:
    """Return what a CONNACK result means and how to fix it; None when it is a success.

    ``reason`` is a paho reason code, an MQTT 5 reason code value, or an MQTT 3.1.1
    return code 1-5. A value no specification names still gets words and a fix.
    """
    value = _value(reason)
    if value == 0:
        return None
    known = REFUSALS.get(_FROM_V311.get(value, value))
    if known is not None:
        return known
    return ConnectRefusal(value, value, f"Connection refused - code {value}", _LOG)


def seed_rc(reason: ReasonCode | int) -> int:
    """Return the seed's return code (0-5) for a connect result; others keep their value."""
    refusal = connect_refusal(reason)
    return 0 if refusal is None else refusal.rc


def rc_meaning(reason: ReasonCode | int) -> str:
    """Return a connect result in words (``Connection successful`` for 0)."""
    refusal = connect_refusal(reason)
    return RC_MEANINGS[0] if refusal is None else refusal.meaning


def code_text(reason: ReasonCode | int) -> str:
    """Name a connect result's code for people: ``rc 5`` (seed codes) or ``reason 0x95``."""
    refusal = connect_refusal(reason)
    if refusal is None:
        return "rc 0"
    if refusal.reason in _FROM_V311.values():
        return f"rc {refusal.rc}"
    return f"reason 0x{refusal.reason:02X}"

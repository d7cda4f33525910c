"""Connect results in words: every CONNACK code, and Mosquitto 2's rc 5 for a wrong password."""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt
import pytest
from epaper_satellite import mqtt_codes
from epaper_satellite.broker_probe import probe_broker
from epaper_satellite.config import MqttConfig
from epaper_satellite.mqtt_codes import (
    LOGIN,
    REFUSED,
    UNREACHABLE,
    code_text,
    connect_refusal,
    rc_meaning,
    seed_rc,
)
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from testbed.broker import Broker, free_port
from tests.conftest import BROKER_PASSWORD, BROKER_USER

WRONG_LOGIN = "wrong username or password, or this user may not connect"
# Every CONNACK reason code MQTT 5 defines (OASIS MQTT 5.0, 3.2.2.2), success aside.
CONNACK_CODES = (
    0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95,
    0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F,
)  # fmt: skip


@pytest.mark.parametrize("value", CONNACK_CODES)
def test_every_connack_reason_code_has_words_a_fix_and_a_kind(value: int) -> None:
    # paho's table lacks CONNACK 0x99 (payload format invalid): then the plain value.
    reason: ReasonCode | int = (
        value if value == 0x99 else ReasonCode(PacketTypes.CONNACK, identifier=value)
    )
    refusal = connect_refusal(reason)
    assert refusal is not None and refusal.reason == value
    assert refusal.meaning.startswith("Connection refused - ")
    assert f"code {value}" not in refusal.meaning  # named, not the unknown-code fallback
    assert refusal.fix and len(refusal.fix) > 20
    assert refusal.kind in {LOGIN, REFUSED}
    assert rc_meaning(reason) == refusal.meaning
    assert seed_rc(reason) == refusal.rc
    assert "own broker user" not in refusal.fix


@pytest.mark.parametrize(
    ("rc", "reason", "kind", "words"),
    [
        (1, 0x84, REFUSED, "incorrect protocol version"),
        (2, 0x85, REFUSED, "invalid client identifier"),
        (3, 0x88, REFUSED, "server unavailable"),
        (4, 0x86, LOGIN, "bad username or password"),
        (5, 0x87, LOGIN, WRONG_LOGIN),
    ],
)
def test_mqtt_311_return_codes_mean_what_paho_turns_them_into(
    rc: int, reason: int, kind: str, words: str
) -> None:
    """MQTT 3.1.1's return codes 1-5 and their MQTT 5 twins give the same answer."""
    as_311, as_5 = connect_refusal(rc), connect_refusal(reason)
    assert as_311 == as_5 and as_5 is not None
    assert (as_5.rc, as_5.kind) == (rc, kind)
    assert words in as_5.meaning
    assert code_text(rc) == code_text(reason) == f"rc {rc}"


def test_success_and_codes_nobody_defined() -> None:
    assert connect_refusal(0) is None and rc_meaning(0) == "Connection successful"
    assert (seed_rc(0), code_text(0)) == (0, "rc 0")
    odd = connect_refusal(0xA7)
    assert odd is not None and "code 167" in odd.meaning and odd.fix
    assert (seed_rc(0xA7), code_text(0x95)) == (0xA7, "reason 0x95")
    # The seed's status codes for MQTT 5 refusals that have a 3.1.1 cousin.
    assert [seed_rc(v) for v in (0x89, 0x8C, 0x8A)] == [3, 4, 5]


def test_rc_5_names_a_wrong_password_and_what_to_check() -> None:
    refusal = connect_refusal(5)
    assert refusal is not None and WRONG_LOGIN in refusal.meaning
    assert "check [mqtt] username and the password" in refusal.fix
    assert "Mosquitto 2 answers this for a wrong password too" in refusal.fix


def test_each_code_has_its_own_words() -> None:
    refusals = mqtt_codes.REFUSALS.values()
    assert set(mqtt_codes.REFUSALS) == set(CONNACK_CODES)
    assert len({r.meaning for r in refusals}) == len(CONNACK_CODES)
    assert {r.kind for r in refusals} == {LOGIN, REFUSED}


@pytest.mark.parametrize(
    ("username", "password"),
    [(BROKER_USER, "wrong-password"), ("nobody", BROKER_PASSWORD), (None, None)],
)
def test_real_mosquitto_answers_rc_5_for_a_wrong_login(
    mosquitto_auth: Broker, username: str | None, password: str | None
) -> None:
    """Mosquitto 2 with a password file: wrong password, unknown user, no login: all rc 5."""
    settings = MqttConfig(
        host="127.0.0.1", port=mosquitto_auth.port, tls=False, username=username, password=password
    )
    result = probe_broker(settings, "lobby", timeout=10)
    assert (result.rc, result.code, result.kind) == (5, "rc 5", LOGIN)
    assert WRONG_LOGIN in result.meaning
    assert result.fix is not None and "check [mqtt] username and the password" in result.fix
    assert not result.ok


def test_real_mosquitto_accepts_the_right_login(mosquitto_auth: Broker) -> None:
    settings = MqttConfig(
        host="127.0.0.1",
        port=mosquitto_auth.port,
        tls=False,
        username=BROKER_USER,
        password=BROKER_PASSWORD,
    )
    result = probe_broker(settings, "lobby", timeout=10)
    assert result.ok and (result.rc, result.kind, result.code) == (0, None, "rc 0")


def test_nothing_listening_is_unreachable() -> None:
    settings = MqttConfig(host="127.0.0.1", port=free_port(), tls=False)
    result = probe_broker(settings, "lobby", timeout=5)
    assert (result.rc, result.kind, result.code) == (None, UNREACHABLE, None)


def test_real_mosquitto_on_mqtt_311_gives_the_same_words(mosquitto_auth: Broker) -> None:
    """An MQTT 3.1.1 client with a wrong password: CONNACK rc 5, which paho reports as
    reason 0x87; either way the same refusal."""
    answered = threading.Event()
    reasons: list[ReasonCode] = []
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id="v311-probe",
        protocol=mqtt.MQTTv311,
    )
    client.username_pw_set(BROKER_USER, "wrong-password")
    client.on_connect = lambda _c, _u, _f, reason, _p: (reasons.append(reason), answered.set())
    client.connect("127.0.0.1", mosquitto_auth.port)
    client.loop_start()
    try:
        assert answered.wait(10), "no CONNACK"
    finally:
        client.loop_stop()
        client.disconnect()
    refusal = connect_refusal(reasons[0])
    assert refusal is not None and refusal == connect_refusal(5)
    assert (refusal.rc, refusal.kind, code_text(reasons[0])) == (5, LOGIN, "rc 5")

"""The consumers of the wire contract, driven in-process with their real handling code.

Each consumer takes raw cases (:meth:`Consumer.feed`) and says whether a case was
accepted or refused; anything else it raises, or an ``Unexpected error`` /
``cannot draw`` its handler logs, is a crash. :meth:`Consumer.kept` tells whether the
last good content is still what the consumer holds ("0 lost good content").

- satellite ``/data``, ``/cmd``, ``/test``, ``/ack``: ``MQTTDisplay.on_message`` of a real
  satellite (configuration, sign, renderer, store) whose panel is an in-memory driver;
- hub ``/status``, ``/snapshot``, ``/ack``, ``_odoo/changed``: the integration's parsers;
- hub, Odoo's answer: the reader of ``epaper_schedule``, one junk display beside a good one;
- addon ``/status``, ``/ack``: the addon session's dispatcher (``BridgeClient._dispatch``).
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from testbed.addon_code import load_plain_package
from testbed.fuzz_inputs import Junk, png_bytes, valid_payloads

PREFIX = "odoo_epaper/"
DEVICE = "reception"
ACKS = [{"id": "t-1", "ok": True, "error": None}, {"id": "t-2", "ok": False, "error": "busy"}]


class Crash(Exception):
    """A consumer failed on a case in a way it must not (the message says how)."""


@dataclass
class Tally:
    """What one consumer did with its cases."""

    consumer: str
    cases: int = 0
    accepted: int = 0
    refused: int = 0
    crashes: int = 0
    lost: int = 0
    examples: list[str] = field(default_factory=list)

    def note(self, problem: str, raw: bytes) -> None:
        """Keep the first few problem cases for the report."""
        if len(self.examples) < 5:
            self.examples.append(f"{problem}: {raw[:120]!r}")


class _Watch(logging.Handler):
    """Collects log lines that mean a handler needed its catch-all."""

    MARKS = ("Unexpected error", "cannot draw it", "could not be handled")

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.hits: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if any(mark in message for mark in self.MARKS):
            self.hits.append(message)


class Consumer:
    """One consumer: ``case`` makes an input, ``feed`` takes it, ``kept`` checks the content."""

    name = "consumer"

    def case(self, junk: Junk) -> bytes:
        """Return the next input for this consumer."""
        raise NotImplementedError

    def feed(self, raw: bytes) -> bool:
        """Hand ``raw`` to the consumer; True when accepted. Raises Crash."""
        raise NotImplementedError

    def kept(self) -> bool:
        """Whether the last good content is still held."""
        return True

    def close(self) -> None:
        """Release what the consumer holds."""


# Satellite --------------------------------------------------------------------


class _Message:
    """What paho hands ``on_message``: a topic and a payload."""

    def __init__(self, topic: str, payload: bytes) -> None:
        self.topic = topic
        self.payload = payload
        self.retain = False


def _satellite(directory: Path) -> Any:
    """A satellite controller with an in-memory panel, not connected to any broker."""
    from epaper_satellite.config import parse_config
    from epaper_satellite.controller import MQTTDisplay
    from epaper_satellite.drivers.base import Driver

    class MemoryPanel(Driver):
        """A panel that keeps what it was sent (the e-paper hardware's stand-in)."""

        name = "memory"

        def _open(self) -> None:
            return

        def _display(self, image: Image.Image, *, full: bool) -> None:
            return

    config = parse_config(
        {
            "mqtt": {"host": "127.0.0.1", "tls": False},
            "device": {"name": DEVICE, "timezone": "Europe/Berlin", "state_dir": str(directory)},
            "display": {"driver": "png", "width": 250, "height": 122, "offline_after": 86400},
        },
        environ={},
    )
    display = MQTTDisplay(config, driver=MemoryPanel(config.display, config.refresh))
    display.setup_display()
    return display


class SatelliteTopic(Consumer):
    """One of the satellite's subscribed topics, through ``MQTTDisplay.on_message``."""

    def __init__(self, leaf: str, valid: list[Any], parse: Callable[[bytes], Any]) -> None:
        """``leaf`` is data, cmd, test or ack; ``valid`` its good examples."""
        self.name = f"satellite /{leaf}"
        self.leaf = leaf
        self.valid = valid
        self.parse = parse
        self._dir = tempfile.TemporaryDirectory(prefix="epaper-fuzz-")
        self.display = _satellite(Path(self._dir.name))
        self.watch = _Watch()
        logging.getLogger("epaper_satellite").addHandler(self.watch)
        self._good_payload = next(p for p in valid_payloads("data") if p.get("device") == DEVICE)
        self._feed_data(copy.deepcopy(self._good_payload))

    def _feed_data(self, payload: dict[str, Any]) -> None:
        import json

        raw = json.dumps(payload).encode()
        self.display.on_message(None, None, _Message(f"{PREFIX}{DEVICE}/data", raw))
        self.good = self.display.sign.data
        assert self.good is not None, "the good payload was not taken"

    def case(self, junk: Junk) -> bytes:
        """Junk around this topic's valid vectors."""
        return junk.payload(self.valid)

    def feed(self, raw: bytes) -> bool:
        """Dispatch like paho would; the catch-all must never be needed."""
        from epaper_satellite.wire import PayloadError

        before = len(self.watch.hits)
        try:
            self.parse(raw)
            accepted = True
        except PayloadError:
            accepted = False
        except Exception as err:
            raise Crash(f"the parser raised {type(err).__name__}: {err}") from err
        self.display.on_message(None, None, _Message(f"{PREFIX}{DEVICE}/{self.leaf}", raw))
        if len(self.watch.hits) > before:
            raise Crash(self.watch.hits[-1][:200])
        if self.leaf == "data" and not raw:  # the retained /data cleared: unassigned
            if self.display.sign.data is not None:
                raise Crash("an empty /data left a room on the sign")
            self._feed_data(copy.deepcopy(self._good_payload))  # assigned again
            return True
        if self.leaf == "data" and accepted:
            self.good = self.display.sign.data
        if self.display.sign.cleared:  # a valid "clear": show the room again
            self.display.sign.command("refresh")
        return accepted

    def kept(self) -> bool:
        """The room payload shown is still the last good one."""
        return self.display.sign.data is self.good

    def close(self) -> None:
        """Forget the log handler and the state folder."""
        logging.getLogger("epaper_satellite").removeHandler(self.watch)
        self._dir.cleanup()


def _satellite_topic(leaf: str) -> Consumer:
    from epaper_satellite import wire

    valid = {
        "data": [p for p in valid_payloads("data") if p.get("device") in (DEVICE, None)],
        "cmd": valid_payloads("cmd"),
        "test": valid_payloads("test"),
        "ack": ACKS,
    }[leaf]
    parse = {
        "data": lambda raw: wire.parse_data(raw, DEVICE),
        "cmd": wire.parse_cmd,
        "test": wire.parse_test,
        "ack": wire.parse_ack,
    }[leaf]
    return SatelliteTopic(leaf, valid, parse)


# Hub ----------------------------------------------------------------------------


class HubParser(Consumer):
    """A parser of the integration: a refusal is a WireError, nothing else."""

    def __init__(self, name: str, parse: Callable[[bytes], Any], valid: list[Any]) -> None:
        """``valid``: good examples; the first one is re-read to check nothing drifted."""
        self.name = name
        self.parse = parse
        self.valid = valid
        self.snapshot_seed = png_bytes() if name.endswith("/snapshot") else b""
        self.first = self._read(self._good())

    def _good(self) -> bytes:
        import json

        return self.snapshot_seed or json.dumps(self.valid[0]).encode()

    def _read(self, raw: bytes) -> Any:
        from custom_components.odoo_epaper.wire_values import WireError

        try:
            return self.parse(raw)
        except WireError:
            return WireError

    def case(self, junk: Junk) -> bytes:
        """Junk around the valid examples (PNG damage for snapshots)."""
        if self.snapshot_seed:
            return junk.png(self.snapshot_seed)
        return junk.payload(self.valid)

    def feed(self, raw: bytes) -> bool:
        """Parse; WireError is a refusal."""
        from custom_components.odoo_epaper.wire_values import WireError

        try:
            self.parse(raw)
        except WireError:
            return False
        except Exception as err:
            raise Crash(f"{type(err).__name__}: {err}"[:200]) from err
        return True

    def kept(self) -> bool:
        """The good example still reads the same."""
        return self._read(self._good()) == self.first


SNAPSHOT_BOUND = (800, 480)  # the panel the snapshot consumers stand for


def decodes_within(png: bytes, bound: tuple[int, int]) -> bool:
    """Whether ``png`` is a whole PNG of at most ``bound`` pixels (either way round),
    checked apart from the consumers: the size, then every pixel decoded."""
    import io

    try:
        with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
            small, large = sorted(image.size)
            if small > min(bound) or large > max(bound):
                return False
            image.load()
    except Exception:  # any failure means: not a good snapshot
        return False
    return True


class SnapshotParser(HubParser):
    """A snapshot check: accepting anything but a whole PNG within the bound is a crash
    (a bomb or a broken file would be stored and served)."""

    def __init__(self, name: str, parse: Callable[[bytes], Any]) -> None:
        """``parse`` returns normally for a taken PNG and raises WireError otherwise."""
        super().__init__(name, parse, [])

    def feed(self, raw: bytes) -> bool:
        """Parse; an accepted case must decode within SNAPSHOT_BOUND."""
        accepted = super().feed(raw)
        if accepted and raw and not decodes_within(raw, SNAPSHOT_BOUND):
            raise Crash("accepted a PNG that does not decode within the panel's size")
        return accepted


def _hub_parser(leaf: str) -> Consumer:
    from custom_components.odoo_epaper import change_notice, display_status

    if leaf == "status":
        return HubParser("hub /status", display_status.parse_status, valid_payloads("status"))
    if leaf == "snapshot":
        return SnapshotParser(
            "hub /snapshot",
            lambda raw: display_status.parse_snapshot(raw, SNAPSHOT_BOUND),
        )
    if leaf == "ack":
        return HubParser("hub /ack", display_status.parse_ack, ACKS)
    return HubParser("hub _odoo/changed", change_notice.parse_changed, valid_payloads("changed"))


class ScheduleAnswer(Consumer):
    """The hub's reader of the addon's ``epaper_schedule`` answer: a junk display (or junk
    around it) beside a good one, whose bookings must always be read."""

    name = "hub, Odoo schedule answer"

    def __init__(self, parse: Callable[..., Any], unsupported: type[Exception]) -> None:
        """``parse(answer, warn)`` is the integration's reader; ``unsupported`` its refusal."""
        self.parse = parse
        self.unsupported = unsupported
        self.good = {
            "device": DEVICE,
            "room": "Reception",
            "topic_prefix": None,
            "tz": "Europe/Berlin",
            "locale": "de-DE",
            "qr": None,
            "events": [
                {
                    "title": "Board meeting",
                    "start": "2026-11-27T10:00:00Z",
                    "end": "2026-11-27T11:00:00Z",
                    "organizer": "A. Smith",
                    "private": False,
                    "all_day": False,
                }
            ],
        }
        self.expected = self._read({"api": 1, "displays": [self.good]}).bookings[DEVICE]
        self.last: Any = None
        self.intact = True

    def _read(self, answer: Any) -> Any:
        return self.parse(answer, lambda _key, _message: None)

    def case(self, junk: Junk) -> bytes:
        """An answer whose second display is junk, or the whole answer mutated (rarely)."""
        import json

        other = junk.mutate(dict(self.good, device="lab"))
        answer: Any = {"api": 1, "displays": [self.good, other]}
        if junk.rng.random() < 0.1:
            answer = junk.mutate(answer)
        displays = answer.get("displays") if isinstance(answer, dict) else None
        self.intact = (
            (
                answer.get("api") == 1
                and isinstance(displays, list)
                and bool(displays)
                and displays[0] == self.good
            )
            if isinstance(answer, dict)
            else False
        )
        return json.dumps(answer, ensure_ascii=True).encode()

    def feed(self, raw: bytes) -> bool:
        """Read the answer; only an answer that is not API 1 may be refused as a whole."""
        import json

        try:
            self.last = self._read(json.loads(raw))
        except self.unsupported:
            self.last = None
            return False
        except Exception as err:
            raise Crash(f"{type(err).__name__}: {err}"[:200]) from err
        return len(self.last.displays) > 1

    def kept(self) -> bool:
        """When the good display came intact, its bookings were read as they are."""
        if not self.intact:
            return True
        return self.last is not None and self.last.bookings.get(DEVICE) == self.expected


def _schedule_answer() -> Consumer:
    from custom_components.odoo_epaper import schedule_answer

    return ScheduleAnswer(
        schedule_answer.parse_schedule_answer, schedule_answer.UnsupportedAnswerError
    )


# Addon ----------------------------------------------------------------------------


class AddonTopic(Consumer):
    """The addon session's dispatcher for ``+/status`` or ``+/ack`` (no network)."""

    def __init__(self, leaf: str, valid: list[Any]) -> None:
        """``leaf`` is status or ack."""
        bridge = load_plain_package("mqtt_bridge")
        self.wire = load_plain_package("mqtt_bridge").wire
        self.name = f"addon /{leaf}"
        self.leaf = leaf
        self.valid = valid
        self.events: list[Any] = []
        settings = bridge.BrokerSettings(host="127.0.0.1", port=1883, use_tls=False)
        self.client = bridge.BridgeClient(settings, self.events.append)
        self.client._dispatch(f"{PREFIX}{DEVICE}/status", b'{"state":"online"}', True)
        self.good = self.client.statuses()[DEVICE]

    def case(self, junk: Junk) -> bytes:
        """Junk around the valid examples."""
        return junk.payload(self.valid)

    def feed(self, raw: bytes) -> bool:
        """Dispatch as paho's thread would."""
        parse = self.wire.parse_status if self.leaf == "status" else self.wire.parse_ack
        try:
            parse(raw)
            accepted = True
        except self.wire.WireError:
            accepted = False
        except Exception as err:
            raise Crash(f"the parser raised {type(err).__name__}: {err}"[:200]) from err
        try:
            self.client._dispatch(f"{PREFIX}{DEVICE}/{self.leaf}", raw, False)
        except Exception as err:
            raise Crash(f"{type(err).__name__}: {err}"[:200]) from err
        if self.leaf == "status" and accepted:
            self.good = self.client.statuses()[DEVICE]
        self.events.clear()
        return accepted

    def kept(self) -> bool:
        """The last good status is still the one the session holds."""
        return self.client.statuses().get(DEVICE) is self.good


def _addon_snapshot() -> Consumer:
    """The addon's check of a snapshot in ``mqtt_status_report`` (base64, cap 2048)."""
    import base64

    from custom_components.odoo_epaper.wire_values import WireError

    wire = load_plain_package("mqtt_bridge").wire

    def check(raw: bytes) -> None:
        problem = wire.snapshot_problem(base64.b64encode(raw).decode("ascii"), SNAPSHOT_BOUND)
        if problem:
            raise WireError("png", problem)

    return SnapshotParser("addon mqtt_status_report /snapshot", check)


def _satellite_files() -> Consumer:
    from testbed.fuzz_files import SatelliteFiles  # imports this module

    return SatelliteFiles()


FACTORIES: dict[str, Callable[[], Consumer]] = {
    "satellite /data": lambda: _satellite_topic("data"),
    "satellite /cmd": lambda: _satellite_topic("cmd"),
    "satellite /test": lambda: _satellite_topic("test"),
    "satellite /ack": lambda: _satellite_topic("ack"),
    "hub /status": lambda: _hub_parser("status"),
    "hub /snapshot": lambda: _hub_parser("snapshot"),
    "hub /ack": lambda: _hub_parser("ack"),
    "hub _odoo/changed": lambda: _hub_parser("changed"),
    "hub, Odoo schedule answer": _schedule_answer,
    "addon /status": lambda: AddonTopic("status", valid_payloads("status")),
    "addon /ack": lambda: AddonTopic("ack", ACKS),
    "addon mqtt_status_report /snapshot": _addon_snapshot,
    "satellite files": _satellite_files,
}


def all_consumers() -> list[Consumer]:
    """Every consumer, in the order of the report (each built when asked for)."""
    return [factory() for factory in FACTORIES.values()]


def run(consumer: Consumer, cases: int, seed: int) -> Tally:
    """Feed ``cases`` seeded cases to ``consumer``; check the good content after each."""
    junk = Junk(seed)
    tally = Tally(consumer.name)
    for _ in range(cases):
        raw = consumer.case(junk)
        tally.cases += 1
        try:
            if consumer.feed(raw):
                tally.accepted += 1
            else:
                tally.refused += 1
        except Crash as err:
            tally.crashes += 1
            tally.note(f"crash ({err})", raw)
            continue
        if not consumer.kept():
            tally.lost += 1
            tally.note("lost the good content", raw)
    return tally


def utc_stamp() -> str:
    """Now, ISO 8601 UTC to the second."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

"""MQTTDisplay: wires the MQTT session to the sign, dispatches messages, runs the main loop."""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import paho.mqtt.client as mqtt

from . import __version__
from .config import Config
from .door_actions import DoorActions
from .drivers import Driver, create_driver
from .i18n import Words
from .keys import KeyBinding, create_keys
from .panel import PanelFailed
from .session import KICK_WINDOW, KICKS, SESSION_TAKEN_OVER, MQTTSession
from .sign import PANEL_RETRY, Overlay, Sign, iso_utc
from .watchdog import SystemdNotifier
from .wire import (
    ActionRequest,
    PayloadError,
    action_payload,
    parse_ack,
    parse_cmd,
    parse_test,
)

__all__ = [
    "KICKS",
    "KICK_WINDOW",
    "SESSION_TAKEN_OVER",
    "MQTTDisplay",
    "Overlay",
    "iso_utc",
    "utc_now",
]

_LOGGER = logging.getLogger(__name__)
_T = TypeVar("_T")


def utc_now() -> dt.datetime:
    """Return the current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def _parsed(leaf: str, parse: Callable[[bytes], _T], raw: bytes) -> _T | None:
    """Return ``parse(raw)``; None, with the reason logged, when the contract refuses it."""
    try:
        return parse(raw)
    except PayloadError as err:
        _LOGGER.warning("Rejected /%s (%s): %s", leaf, err.reason, err.detail)
        return None


class MQTTDisplay:
    """One display: its MQTT session (``session``) feeds its sign (``sign``); ``run`` serves.

    Status documents (DESIGN.md section 3) join what the sign shows with the session's
    connect code and client-id conflict.
    """

    def __init__(
        self,
        config: Config,
        *,
        driver: Driver | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Build the session and the sign; nothing touches the network or the panel yet."""
        self.config = config
        self.device = config.device.name
        self.driver = driver or create_driver(config, monotonic)
        self.clock = clock
        self.monotonic = monotonic
        self._stop = threading.Event()
        self.notifier = SystemdNotifier(monotonic)
        self.session = MQTTSession(
            config,
            on_online=self._online,
            on_message=self.on_message,
            stop=self._stop,
            monotonic=monotonic,
        )
        self.sign = Sign(
            config,
            self.driver,
            clock=clock,
            monotonic=monotonic,
            offline_since=lambda: self.session.disconnected_since,
            on_status=self._publish_status,
            on_drawn=self.session.publish_snapshot,
            link=self.session.link,
        )
        self.presses: queue.SimpleQueue[ActionRequest] = queue.SimpleQueue()
        self.keys = create_keys(config.keys, self._key_pressed)
        self.actions = DoorActions(
            publish=lambda request: self.session.publish_action(action_payload(request)),
            show=self.sign.show_overlay,
            clear=self.sign.clear_overlay,
            answer_timeout=config.keys.answer_timeout,
            monotonic=monotonic,
            words=lambda: Words(self.sign.locale()),
        )

    def setup_display(self) -> None:
        """Open the panel and draw the last good payload (or a waiting screen)."""
        self.sign.setup()

    def connect_mqtt(self) -> mqtt.Client:
        """Create the MQTT client (TLS, credentials, LWT) and make the first connection attempt."""
        return self.session.connect()

    def tick(self) -> None:
        """Act on key presses, then run what is due on the door's requests and the sign
        (boundaries, overlay end, retries, offline mark)."""
        while True:
            try:
                request = self.presses.get_nowait()
            except queue.Empty:
                break
            self.actions.confirm(request)
        self.actions.tick()
        self.sign.tick()

    def status_payload(self, state: str = "online") -> dict[str, Any]:
        """Return the status document of DESIGN.md section 3."""
        width, height = self.driver.size
        sign, session = self.sign, self.session
        return {
            "state": state,
            "version": __version__,
            "panel": self.driver.model,
            "width": width,
            "height": height,
            "colors": self.driver.colors,
            "content_hash": sign.content_hash,
            "last_render": iso_utc(sign.last_render) if sign.last_render else None,
            "error": sign.problem or session.conflict or sign.shaping_problem,
            "rc": session.rc,
            "assigned": sign.data is not None,
            "locale": sign.locale().tag,
            "shaping": sign.shaping_problem is None,
        }

    def _key_pressed(self, binding: KeyBinding) -> None:
        """A key driver's thread: send the request at once, confirm from the main loop."""
        self.presses.put(self.actions.send(binding))

    def _publish_status(self) -> None:
        self.session.publish_status(self.status_payload())

    def _online(self) -> None:
        self._publish_status()
        self.session.publish_snapshot(self.sign.snapshot)
        self.actions.flush()
        if self.sign.offline_shown:
            self.sign.refresh()

    # Dispatch --------------------------------------------------------------

    def on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        """Dispatch a message; nothing a message holds can stop the process."""
        topics = self.session.topics
        try:
            if message.topic == topics["data"]:
                self.sign.take_data(message.payload)
            elif message.topic == topics["test"]:
                self._handle_test(message.payload)
            elif message.topic == topics["cmd"]:
                self._handle_cmd(message.payload)
            elif message.topic == topics["ack"]:
                self._handle_ack(message.payload)
        except Exception:
            _LOGGER.exception("Unexpected error while handling %s", message.topic)

    def _handle_test(self, raw: bytes) -> None:
        try:
            request = parse_test(raw)
        except PayloadError as err:
            _LOGGER.warning("Rejected /test (%s): %s", err.reason, err.detail)
            if err.ack_id is not None:
                self.session.publish_ack(err.ack_id, ok=False, error=err.detail)
            return
        self.session.publish_ack(request.id, ok=True, error=None)
        _LOGGER.info("Test message %s", request.id)
        self.sign.show_test(request.text)

    def _handle_ack(self, raw: bytes) -> None:
        if (ack := _parsed("ack", parse_ack, raw)) is not None:
            self.actions.answer(ack)

    def _handle_cmd(self, raw: bytes) -> None:
        if (cmd := _parsed("cmd", parse_cmd, raw)) is not None:
            _LOGGER.info("Command %s", cmd)
            self.sign.command(cmd)

    # Main loop -------------------------------------------------------------

    def stop(self) -> None:
        """Ask the main loop to end (safe from signal handlers and other threads)."""
        self._stop.set()

    def run(self) -> None:
        """Draw, connect, then serve until stopped; publish the offline status on the way out.

        Tells systemd READY=1 once serving and pings its watchdog on every healthy turn of
        the main loop. Raises PanelFailed when the panel stayed faulty through every
        re-initialisation (the caller exits non-zero, so systemd restarts the service).
        """
        self.setup_display()
        self.connect_mqtt()
        if self.keys is not None:
            self.keys.start()
        self.notifier.ready(f"serving display {self.device}")
        try:
            while not self._stop.is_set():
                self._guarded_tick()
                self.session.step()
                self.notifier.healthy()
        finally:
            self.notifier.stopping()
            if self.keys is not None:
                self.keys.close()
            self.session.close(self.status_payload("offline"))
            self.sign.close()
            _LOGGER.info("Stopped")

    def _guarded_tick(self) -> None:
        try:
            self.tick()
        except PanelFailed:
            raise
        except Exception:
            _LOGGER.exception("Drawing failed; the next try is in %.0f s", PANEL_RETRY)
            self.sign.retry_later()

"""MQTTDisplay: the satellite's controller (MQTT session, timers, what the panel shows)."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import secrets
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from . import __version__
from .config import Config
from .drivers import Driver, DriverError, create_driver
from .mqtt_codes import rc_meaning, seed_rc
from .render import Rendered, render_blank, render_notice, render_room, room_view
from .schedule import next_boundary, system_zone, zone
from .store import PayloadStore
from .wire import PayloadError, RoomData, parse_cmd, parse_data, parse_test

_LOGGER = logging.getLogger(__name__)
MAX_WAIT = 0.5
PANEL_RETRY = 60.0
EXIT_PUBLISH_TIMEOUT = 2.0
CLOCK_STEP_BACK = dt.timedelta(seconds=60)
SESSION_TAKEN_OVER = 142  # MQTT 5 DISCONNECT reason: another client connected with our id
NOT_AUTHORIZED = 135  # MQTT 5 PUBACK reason: the ACL refused the publish
# Brokers that close a taken-over session without a reason (Mosquitto 2.0.11): this many
# closes of an established session within the window, each time accepted again at once,
# are taken as another client using the same client id.
KICKS = 3
KICK_WINDOW = 60.0


def _reason_value(reason: Any) -> int | None:
    """Return the numeric value of a paho reason code, or None for other values."""
    value = getattr(reason, "value", reason)
    return value if isinstance(value, int) else None


def utc_now() -> dt.datetime:
    """Return the current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def iso_utc(moment: dt.datetime) -> str:
    """Format an instant as ISO 8601 UTC with a Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Overlay:
    """A service screen (test message, identify) shown until ``until``."""

    title: str
    text: str
    until: dt.datetime


class MQTTDisplay:
    """Subscribes to a display's topics, draws the room on the panel, reports its status."""

    def __init__(
        self,
        config: Config,
        *,
        driver: Driver | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Keep the configuration; nothing touches the network or the panel yet."""
        self.config = config
        self.device = config.device.name
        self.driver = driver or create_driver(config, monotonic)
        self.clock = clock
        self.monotonic = monotonic
        self.store = PayloadStore(config.device.state_dir)
        base = config.base_topic
        self.topics = {
            leaf: f"{base}{leaf}" for leaf in ("data", "test", "cmd", "status", "ack", "snapshot")
        }
        self.client: mqtt.Client | None = None
        self.client_id = config.mqtt.client_id or f"epaper-{self.device}"
        self.connected = False
        self.rc: int | None = None
        self.data: RoomData | None = None
        self.received_at: dt.datetime | None = None
        self.error: str | None = None
        self.conflict: str | None = None  # a client-id conflict: reported until the restart
        self.content_hash: str | None = None
        self.last_render: dt.datetime | None = None
        self.snapshot: bytes | None = None
        self.overlay: Overlay | None = None
        self.cleared = False
        self.redraw_at: dt.datetime | None = None
        self.last_tick: dt.datetime | None = None
        self.retry_at: float | None = None
        self.disconnected_since: float | None = monotonic()
        self.offline_shown = False
        self._socket_open = False
        self._backoff = 1.0
        self._next_attempt = 0.0
        self._stop = threading.Event()
        self._kicks: deque[float] = deque()
        self._publishing: dict[int, str] = {}
        self._refusal_logged = False

    # Panel -----------------------------------------------------------------

    def setup_display(self) -> None:
        """Open the panel and draw the last good payload (or a waiting screen)."""
        self.driver.setup()
        width, height = self.driver.size
        _LOGGER.info(
            "Panel %s %dx%d (%s) ready", self.driver.model, width, height, self.driver.colors
        )
        stored = self.store.load()
        if stored is not None:
            try:
                self.data = parse_data(stored, self.device)
                self.received_at = self.clock()
                _LOGGER.info("Drawing the stored payload of %s", self.store.path)
            except PayloadError as err:
                _LOGGER.warning("Ignoring the stored payload %s: %s", self.store.path, err.detail)
        try:
            self.refresh_panel()
        except Exception:
            if self.data is None:
                raise
            _LOGGER.exception(
                "Cannot draw the stored payload %s; showing the waiting screen", self.store.path
            )
            self.data = self.received_at = None
            self.refresh_panel()

    def timezone(self) -> dt.tzinfo:
        """The zone of the room: the payload's tz, else the configured one, else the machine's."""
        for name in (self.data.tz if self.data else None, self.config.device.timezone):
            found = zone(name) if name else None
            if found is not None:
                return found
        return system_zone()

    def _show_offline(self) -> bool:
        since = self.disconnected_since
        return since is not None and self.monotonic() - since >= self.config.display.offline_after

    def _screen(self, now: dt.datetime) -> Rendered:
        width, height = self.driver.size
        colors = self.driver.colors
        if self.overlay is not None:
            footer = f"{self.device} · {now.astimezone(self.timezone()).strftime('%H:%M')}"
            return render_notice(
                self.overlay.title,
                self.overlay.text,
                footer,
                width=width,
                height=height,
                colors=colors,
            )
        if self.cleared:
            return render_blank(width, height, colors)
        if self.data is None:
            text = f"Display {self.device} waits for its room data."
            if self._show_offline():
                text += " The broker cannot be reached."
            return render_notice(
                "Odoo E-Paper",
                text,
                f"version {__version__}",
                width=width,
                height=height,
                colors=colors,
            )
        view = room_view(
            self.data,
            now,
            self.timezone(),
            online=not self._show_offline(),
            received=self.received_at,
        )
        return render_room(view, width, height, colors)

    def _next_redraw(self, now: dt.datetime) -> dt.datetime | None:
        extra: list[dt.datetime | None] = [self.overlay.until if self.overlay else None]
        events: tuple[Any, ...] = ()
        if self.data is not None and not self.cleared:
            events = self.data.events
            extra += [self.data.valid_until, self.data.message.until if self.data.message else None]
        if self.data is None and self.overlay is None:
            return None
        return next_boundary(events, now, self.timezone(), tuple(extra))

    def refresh_panel(self, *, force: bool = False, full: bool = False) -> bool:
        """Render what the panel should show now and draw it when it differs; True when drawn."""
        now = self.clock()
        if self.overlay is not None and now >= self.overlay.until:
            self.overlay = None
        self.offline_shown = self._show_offline()
        self.redraw_at = self._next_redraw(now)
        try:
            screen = self._screen(now)
            result = self.driver.show(screen.image, force=force, full=full)
        except (DriverError, OSError) as err:
            _LOGGER.error("Panel refresh failed: %s", err)
            self.error = f"panel: {err}"[:200]
            self.retry_at = self.monotonic() + PANEL_RETRY
            self._publish_status()
            return False
        if result.outcome == "deferred":
            self.retry_at = result.retry_at
            _LOGGER.debug("Refresh deferred by min_interval")
            return False
        self.retry_at = None
        self.content_hash = None if self.cleared or self.data is None else self.data.content_hash
        if result.outcome == "unchanged":
            return False
        self.last_render = now
        buffer = io.BytesIO()
        screen.image.save(buffer, format="PNG")
        self.snapshot = buffer.getvalue()
        _LOGGER.info(
            "Panel drawn (%s refresh), next change due %s",
            result.refresh,
            iso_utc(self.redraw_at) if self.redraw_at else "never",
        )
        self._publish_snapshot()
        self._publish_status()
        return True

    def display_room_data(self, data: RoomData) -> bool:
        """Take a new room payload and draw it; a payload that cannot be drawn is undone."""
        previous = (self.data, self.received_at, self.cleared)
        self.data = data
        self.received_at = self.clock()
        self.cleared = False
        try:
            return self.refresh_panel()
        except Exception:
            self.data, self.received_at, self.cleared = previous
            raise

    def tick(self) -> None:
        """Run what is due: boundaries, overlay end, deferred draws, offline mark, full refresh."""
        now = self.clock()
        due = self.redraw_at is not None and now >= self.redraw_at
        if self.last_tick is not None and now < self.last_tick - CLOCK_STEP_BACK:
            _LOGGER.warning(
                "The clock went back from %s to %s", iso_utc(self.last_tick), iso_utc(now)
            )
            due = True
        self.last_tick = now
        due |= self.retry_at is not None and self.monotonic() >= self.retry_at
        due |= self._show_offline() != self.offline_shown
        full_at = self.driver.full_due_at()
        if (
            full_at is not None
            and self.monotonic() >= full_at
            and self.monotonic() >= self.driver.next_allowed()
        ):
            _LOGGER.info("Periodic full refresh")
            self.refresh_panel(force=True, full=True)
        elif due:
            self.refresh_panel()

    # MQTT ------------------------------------------------------------------

    def connect_mqtt(self) -> mqtt.Client:
        """Create the MQTT client (TLS, credentials, LWT) and make the first connection attempt."""
        settings = self.config.mqtt
        self.client_id = settings.client_id or f"epaper-{self.device}"
        client = self._new_client(self.client_id)
        _LOGGER.info(
            "MQTT client %s for %s:%d (tls %s), topics %s#",
            self.client_id,
            settings.host,
            settings.port,
            ("on, certificate NOT verified" if settings.tls_insecure else "on")
            if settings.tls
            else "off",
            self.config.base_topic,
        )
        self._attempt_connect()
        return client

    def _new_client(self, client_id: str) -> mqtt.Client:
        settings = self.config.mqtt
        client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
        )
        if settings.username is not None:
            client.username_pw_set(settings.username, settings.password)
        if settings.tls:
            client.tls_set(
                ca_certs=str(settings.ca_certs) if settings.ca_certs else None,
                certfile=str(settings.certfile) if settings.certfile else None,
                keyfile=str(settings.keyfile) if settings.keyfile else None,
                cert_reqs=ssl.CERT_NONE if settings.tls_insecure else ssl.CERT_REQUIRED,
            )
            client.tls_insecure_set(settings.tls_insecure)
        client.will_set(self.topics["status"], json.dumps({"state": "offline"}), qos=1, retain=True)
        client.on_connect = self.on_connect
        client.on_disconnect = self.on_disconnect
        client.on_message = self.on_message
        client.on_publish = self.on_publish
        self.client = client
        return client

    def _attempt_connect(self) -> None:
        assert self.client is not None
        settings = self.config.mqtt
        if settings.tls and settings.tls_insecure:
            _LOGGER.warning(
                "TLS certificate verification is OFF for %s:%d (tls_insecure = true): "
                "anyone on the network path can pose as the broker; give ca_certs instead",
                settings.host,
                settings.port,
            )
        try:
            if self.client.host:
                self.client.reconnect()
            else:
                self.client.connect(
                    settings.host, settings.port, settings.keepalive, clean_start=True
                )
        except (OSError, ValueError) as err:
            _LOGGER.warning("Cannot reach broker %s:%d: %s", settings.host, settings.port, err)
            self._kicks.clear()
            self._schedule_reconnect()
            return
        self._socket_open = True

    def _client_id_taken(self, *, suspected: bool = False) -> None:
        """Another client connected with our client id: say so, and step aside to a new id."""
        taken = self.client_id
        self.client_id = f"{taken}-{secrets.token_hex(3)}"
        if suspected:
            why = (
                f"The broker closed this connection {KICKS} times in {KICK_WINDOW:.0f} s and "
                f"accepted it again at once each time: another client probably uses the same "
                f"client id {taken!r}, or the network keeps dropping."
            )
        else:
            why = (
                "The broker closed this connection because another client connected with the "
                f"same client id {taken!r} (session taken over)."
            )
        _LOGGER.error(
            "%s Is a second satellite configured with device name %r? Each display needs its "
            "own [device] name. Reconnecting as %r so that the two stop taking turns",
            why,
            self.device,
            self.client_id,
        )
        self.conflict = (
            f"client id {taken}: the broker keeps closing the session (same device name twice?)"
            if suspected
            else f"client id {taken} taken over by another client"
        )
        self._kicks.clear()
        self._new_client(self.client_id)
        self._backoff = 1.0
        self._schedule_reconnect()

    def _schedule_reconnect(self) -> None:
        self._socket_open = False
        self._next_attempt = self.monotonic() + self._backoff
        _LOGGER.info("Next connection attempt in %.0f s", self._backoff)
        self._backoff = min(self._backoff * 2, self.config.mqtt.reconnect_max)

    def on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: Any,
        reason_code: Any,
        properties: Any = None,
    ) -> None:
        """Subscribe to data, test and cmd, and publish the retained online status."""
        self.rc = seed_rc(reason_code)
        if self.rc != 0:
            self._kicks.clear()
            _LOGGER.error("MQTT connect failed (rc %d): %s", self.rc, rc_meaning(reason_code))
            return
        _LOGGER.info(
            "Connected to %s:%d (rc 0: %s)",
            self.config.mqtt.host,
            self.config.mqtt.port,
            rc_meaning(0),
        )
        self.connected = True
        self._backoff = 1.0
        self.disconnected_since = None
        self._refusal_logged = False
        self._publishing.clear()
        qos = self.config.mqtt.qos
        client.subscribe(
            [(self.topics["data"], qos), (self.topics["test"], 1), (self.topics["cmd"], 1)]
        )
        self._publish_status()
        self._publish_snapshot()
        if self.offline_shown:
            self.refresh_panel()

    def on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: Any,
        reason_code: Any,
        properties: Any = None,
    ) -> None:
        """Note the loss, and plan the reconnect with capped exponential backoff."""
        was_connected = self.connected
        self.connected = False
        if self.disconnected_since is None:
            self.disconnected_since = self.monotonic()
        if self._stop.is_set():
            return
        if client is self.client and _reason_value(reason_code) == SESSION_TAKEN_OVER:
            self._client_id_taken()
            return
        if was_connected and self._note_kick():
            self._client_id_taken(suspected=True)
            return
        if was_connected:
            _LOGGER.warning("Disconnected from the broker: %s", reason_code)
        self._schedule_reconnect()

    def _note_kick(self) -> bool:
        """Count a close of an established session; True when they look like an id conflict."""
        now = self.monotonic()
        self._kicks.append(now)
        while self._kicks and self._kicks[0] < now - KICK_WINDOW:
            self._kicks.popleft()
        return len(self._kicks) >= KICKS

    def on_publish(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason_code: Any,
        properties: Any = None,
    ) -> None:
        """Log once per connection when the broker's ACL refuses what we publish."""
        topic = self._publishing.pop(mid, None)
        if topic is None or _reason_value(reason_code) != NOT_AUTHORIZED:
            return
        if not self._refusal_logged:
            self._refusal_logged = True
            _LOGGER.error(
                "The broker refused our publish on %s (not authorised): user %r may not "
                "write the topics of device %r; check the broker's ACL and this [device] name",
                topic,
                self.config.mqtt.username,
                self.device,
            )

    def on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        """Dispatch a message; nothing a message holds can stop the process."""
        try:
            if message.topic == self.topics["data"]:
                self._handle_data(message.payload)
            elif message.topic == self.topics["test"]:
                self._handle_test(message.payload)
            elif message.topic == self.topics["cmd"]:
                self._handle_cmd(message.payload)
        except Exception:
            _LOGGER.exception("Unexpected error while handling %s", message.topic)

    def _handle_data(self, raw: bytes) -> None:
        try:
            data = parse_data(raw, self.device)
        except PayloadError as err:
            _LOGGER.warning(
                "Rejected /data (%s): %s; the panel keeps its content", err.reason, err.detail
            )
            self.error = f"data rejected: {err.detail}"[:200]
            self._publish_status()
            return
        new_content = (
            self.data is None or self.data.content_hash != data.content_hash or self.cleared
        )
        if new_content:
            _LOGGER.info("Room data for %r: %d events", data.room, len(data.events))
        else:
            _LOGGER.debug("Same room data again")
        self.error = None
        try:
            drawn = self.display_room_data(data)
        except Exception as err:
            _LOGGER.exception(
                "Rejected /data (render): cannot draw it; the panel keeps its content"
            )
            self.error = f"data rejected: cannot draw it ({type(err).__name__})"
            self._publish_status()
            return
        if new_content:
            self.store.save(raw)
        if not drawn:
            self._publish_status()

    def _handle_test(self, raw: bytes) -> None:
        try:
            request = parse_test(raw)
        except PayloadError as err:
            _LOGGER.warning("Rejected /test (%s): %s", err.reason, err.detail)
            if err.ack_id is not None:
                self._publish_ack(err.ack_id, ok=False, error=err.detail)
            return
        self._publish_ack(request.id, ok=True, error=None)
        _LOGGER.info("Test message %s", request.id)
        until = self.clock() + dt.timedelta(seconds=self.config.display.test_seconds)
        text = request.text if request.text and request.text.strip() else "Test message received."
        self.overlay = Overlay(title="Test", text=text, until=until)
        self.refresh_panel(force=True)

    def _handle_cmd(self, raw: bytes) -> None:
        try:
            cmd = parse_cmd(raw)
        except PayloadError as err:
            _LOGGER.warning("Rejected /cmd (%s): %s", err.reason, err.detail)
            return
        _LOGGER.info("Command %s", cmd)
        if cmd == "clear":
            self.cleared = True
            self.overlay = None
            self.refresh_panel(force=True, full=True)
        elif cmd == "identify":
            until = self.clock() + dt.timedelta(seconds=self.config.display.test_seconds)
            self.overlay = Overlay(
                title="Identify", text=f"This is display {self.device}.", until=until
            )
            self.refresh_panel(force=True)
        else:
            self.cleared = False
            self.refresh_panel(force=True, full=cmd == "full_refresh")

    def status_payload(self, state: str = "online") -> dict[str, Any]:
        """Return the status document of DESIGN.md section 3."""
        width, height = self.driver.size
        return {
            "state": state,
            "version": __version__,
            "panel": self.driver.model,
            "width": width,
            "height": height,
            "colors": self.driver.colors,
            "content_hash": self.content_hash,
            "last_render": iso_utc(self.last_render) if self.last_render else None,
            "error": self.error or self.conflict,
            "rc": self.rc,
        }

    def _publish_status(self, state: str = "online") -> mqtt.MQTTMessageInfo | None:
        if self.client is None or not self.connected:
            return None
        payload = json.dumps(self.status_payload(state), separators=(",", ":"))
        info = self.client.publish(self.topics["status"], payload, qos=1, retain=True)
        self._publishing[info.mid] = self.topics["status"]
        return info

    def _publish_snapshot(self) -> None:
        if self.client is not None and self.connected and self.snapshot is not None:
            self.client.publish(self.topics["snapshot"], self.snapshot, qos=0, retain=True)

    def _publish_ack(self, test_id: str, *, ok: bool, error: str | None) -> None:
        if self.client is not None and self.connected:
            payload = json.dumps({"id": test_id, "ok": ok, "error": error}, separators=(",", ":"))
            info = self.client.publish(self.topics["ack"], payload, qos=1)
            self._publishing[info.mid] = self.topics["ack"]

    # Main loop -------------------------------------------------------------

    def stop(self) -> None:
        """Ask the main loop to end (safe from signal handlers and other threads)."""
        self._stop.set()

    def run(self) -> None:
        """Draw, connect, then serve until stopped; publish the offline status on the way out."""
        self.setup_display()
        self.connect_mqtt()
        try:
            while not self._stop.is_set():
                self._guarded_tick()
                self._step()
        finally:
            self._shutdown()

    def _guarded_tick(self) -> None:
        try:
            self.tick()
        except Exception:
            _LOGGER.exception("Drawing failed; the next try is in %.0f s", PANEL_RETRY)
            self.redraw_at = None
            self.retry_at = self.monotonic() + PANEL_RETRY

    def _step(self) -> None:
        assert self.client is not None
        if self._socket_open:
            result = self.client.loop(timeout=MAX_WAIT)
            if (
                result != mqtt.MQTT_ERR_SUCCESS
                and self._socket_open
                and not self.client.is_connected()
            ):
                self.on_disconnect(self.client, None, None, mqtt.error_string(result))
            return
        wait = self._next_attempt - self.monotonic()
        if wait <= 0:
            self._attempt_connect()
        else:
            self._stop.wait(min(wait, MAX_WAIT))

    def _shutdown(self) -> None:
        client = self.client
        if client is not None and self.connected:
            info = self._publish_status("offline")
            deadline = self.monotonic() + EXIT_PUBLISH_TIMEOUT
            while info is not None and not info.is_published() and self.monotonic() < deadline:
                client.loop(timeout=0.1)
            client.disconnect()
            client.loop(timeout=0.1)
            _LOGGER.info("Offline status published, disconnected")
        try:
            self.driver.close()
        except DriverError as err:
            _LOGGER.warning("Panel close failed: %s", err)
        _LOGGER.info("Stopped")

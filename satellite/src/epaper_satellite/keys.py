"""Keys at the door: which key asks for which action, and the drivers that read them.

``gpio`` reads push buttons through gpiozero (imported when the driver starts, so the
package imports anywhere); by default the Waveshare 2.7" e-Paper HAT's four keys, BCM
5, 6, 13 and 19, each wired to ground (pull-up, pressed = low). ``http`` is a stand-in
for a sign without keys (the png driver, the demo): ``POST /keys/<pin>`` on 127.0.0.1.
Both only put the pressed :class:`KeyBinding` into a callback; the main loop acts.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from .wire import ACTIONS

_LOGGER = logging.getLogger(__name__)
BOUNCE_TIME = 0.05  # seconds: contact bounce of the HAT's tactile switches
LOOPBACK = "127.0.0.1"

KEY_DRIVERS = ("none", "gpio", "http")
KEY_ACTIONS = ACTIONS  # a key asks for one of the contract's door actions
# The Waveshare 2.7" e-Paper HAT's four keys (BCM pins), left to right.
WAVESHARE_27_KEYS = {5: "book_now 15", 6: "extend 15", 13: "end_now", 19: "check_in"}


@dataclass(frozen=True, kw_only=True)
class KeyBinding:
    """A key at the door: BCM ``pin`` asks for ``action`` (``minutes`` for book_now/extend)."""

    pin: int
    action: str
    minutes: int | None = None


@dataclass(frozen=True, kw_only=True)
class KeysConfig:
    """Keys at the door: ``driver`` none, gpio (gpiozero) or http (loopback stand-in)."""

    driver: str = "none"
    bindings: tuple[KeyBinding, ...] = ()
    answer_timeout: float = 10.0
    http_port: int = 8765


def parse_binding(pin: int, text: str) -> KeyBinding:
    """Return the binding of ``"book_now 15"``-style text; raise ValueError with the reason."""
    words = text.split() if isinstance(text, str) else []
    if not words or words[0] not in KEY_ACTIONS or len(words) > 2:
        raise ValueError(
            f"{text!r} is not '<action> [minutes]' with one of {', '.join(KEY_ACTIONS)}"
        )
    action = words[0]
    minutes = None
    if len(words) == 2:
        if not words[1].isdigit() or not 1 <= int(words[1]) <= 1440:
            raise ValueError(f"{text!r}: minutes must be 1 to 1440")
        minutes = int(words[1])
    if action == "book_now" and minutes is None:
        raise ValueError(f"{text!r}: book_now needs minutes, e.g. 'book_now 30'")
    if action in ("end_now", "check_in") and minutes is not None:
        raise ValueError(f"{text!r}: {action} takes no minutes")
    return KeyBinding(pin=pin, action=action, minutes=minutes)


Press = Callable[[KeyBinding], None]


class KeysUnavailable(Exception):
    """The configured key driver cannot read keys on this machine (the message says why)."""


class KeyDriver(Protocol):
    """Reads keys until :meth:`close`; each press calls the ``on_press`` it was given."""

    def start(self) -> None:
        """Start reading (open the pins, or listen)."""

    def close(self) -> None:
        """Stop reading and release the pins or the socket."""


class GpioKeys:
    """Push buttons on BCM pins through gpiozero ``Button`` (pull-up, debounced)."""

    def __init__(self, bindings: tuple[KeyBinding, ...], on_press: Press) -> None:
        """Keep the bindings; :meth:`start` opens the pins."""
        self.bindings = bindings
        self.on_press = on_press
        self.buttons: list[Any] = []

    def start(self) -> None:
        """Open one gpiozero ``Button`` per binding (gpiozero's pin factory decides how).

        Raises KeysUnavailable when gpiozero is missing or finds no GPIO on this machine.
        """
        try:
            from gpiozero import Button, GPIOZeroError  # noqa: PLC0415 (imported on use)
        except ImportError as err:
            raise KeysUnavailable(
                "[keys] driver gpio needs gpiozero: pip install 'epaper-satellite[waveshare]'"
            ) from err
        try:
            for binding in self.bindings:
                button = Button(binding.pin, pull_up=True, bounce_time=BOUNCE_TIME)
                button.when_pressed = functools.partial(self.on_press, binding)
                self.buttons.append(button)
        except GPIOZeroError as err:
            self.close()
            raise KeysUnavailable(
                f"[keys] driver gpio cannot open the pins: {err} (a machine without GPIO "
                'takes driver = "http" or "none")'
            ) from err
        _LOGGER.info("Door keys on BCM %s", ", ".join(str(b.pin) for b in self.bindings))

    def close(self) -> None:
        """Release the pins."""
        for button in self.buttons:
            button.close()
        self.buttons.clear()


class HttpKeys:
    """A keyless sign's keys: ``POST /keys/<pin>`` on 127.0.0.1 presses the key of ``pin``."""

    def __init__(self, bindings: tuple[KeyBinding, ...], on_press: Press, port: int) -> None:
        """Keep the bindings; :meth:`start` listens on ``port`` (0: any free port)."""
        self.by_pin = {binding.pin: binding for binding in bindings}
        self.on_press = on_press
        self.port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Listen on loopback in a thread."""
        keys = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: presses are logged by the main loop."""

            def do_POST(self) -> None:
                parts = self.path.strip("/").split("/")
                binding = None
                if len(parts) == 2 and parts[0] == "keys" and parts[1].isdigit():
                    binding = keys.by_pin.get(int(parts[1]))
                if binding is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                keys.on_press(binding)
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._httpd = ThreadingHTTPServer((LOOPBACK, self.port), Handler)
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="door-keys-http", daemon=True
        )
        self._thread.start()
        _LOGGER.info("Door keys stand-in on http://%s:%d/keys/<pin>", LOOPBACK, self.port)

    def close(self) -> None:
        """Stop listening."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None


def create_keys(config: KeysConfig, on_press: Press) -> KeyDriver | None:
    """Return the configured key driver (None for ``driver = "none"``)."""
    if config.driver == "gpio":
        return GpioKeys(config.bindings, on_press)
    if config.driver == "http":
        return HttpKeys(config.bindings, on_press, config.http_port)
    return None

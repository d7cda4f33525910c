"""The questions of ``epaper-satellite init``: each answer by flag, by asking, or by default.

Answers live in a dict keyed by :data:`FIELDS` (the ``init`` flags' names), so a failed
connection test keeps them all and the person retypes only what failed
(:func:`suspects` says which answers a failure points at). Every answer is checked as
it is typed, with the same rules the configuration's validation uses (device name,
topic prefix, the driver registry's panel models, time zone, locale, key map).
"""

from __future__ import annotations

import argparse
import getpass
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .config import (
    COLORS,
    DEVICE_NAME,
    ROTATIONS,
    ConfigError,
    locale_problem,
    timezone_problem,
    valid_topic_prefix,
)
from .drivers.registry import DEFAULT_MODEL, DRIVER_NAMES, model_problem, models
from .files import MAX_SECRET_BYTES, read_bounded
from .keys import KEY_DRIVERS, WAVESHARE_27_KEYS, parse_binding
from .mqtt_codes import ACL, LOGIN, REFUSED, TLS, UNREACHABLE

_NOT_NAME = re.compile(r"[^a-z0-9_-]+")
# The answers, in the order they are asked (the keys of the answers dict).
FIELDS = (
    "name",
    "host",
    "tls",
    "port",
    "ca_certs",
    "username",
    "password",
    "topic_prefix",
    "driver",
    "model",
    "width",
    "height",
    "colors",
    "rotate",
    "timezone",
    "locale",
    "keys",
    "key_map",
)
# Answers that decide whether (or with which default) later ones are asked.
DEPENDENTS = {
    "tls": ("port", "ca_certs"),
    "driver": ("model", "width", "height"),
    "keys": ("key_map",),
}
# Which answers a failed connection test points at, most likely first.
_SUSPECTS = {
    LOGIN: ("password", "username"),
    ACL: ("username", "name"),
    TLS: ("ca_certs", "tls", "port", "host"),
    UNREACHABLE: ("host", "port", "tls"),
    REFUSED: ("host", "port", "username"),
}
_KEYED_MODELS = re.compile(r"epd2in7")  # the Waveshare 2.7" HAT has four keys


def suggest_device_name(hostname: str) -> str:
    """Return a device name (``[a-z0-9][a-z0-9_-]{0,63}``) made from a host name.

    The first label of the host name, lower case, other characters as ``-``;
    ``door-sign`` when nothing usable is left.
    """
    label = hostname.split(".", 1)[0].lower()
    name = _NOT_NAME.sub("-", label).strip("-_")[:64].rstrip("-_")
    return name if DEVICE_NAME.fullmatch(name) else "door-sign"


def device_name_problem(name: str) -> str | None:
    """Say why ``name`` is not a device name of the wire contract, or None when it is."""
    if name.startswith("_"):
        return "names starting with '_' are reserved for the hub and Odoo"
    if not DEVICE_NAME.fullmatch(name):
        return "use 1-64 of a-z, 0-9, '-' and '_', starting with a letter or digit"
    return None


def parse_key_map(text: str) -> dict[int, str]:
    """Read ``"5=book_now 15, 6=extend 15"`` as {pin: action}; raise ValueError with why."""
    mapping: dict[int, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        pin_text, sep, action = item.partition("=")
        pin = int(pin_text) if pin_text.strip().isdigit() else -1
        if not sep or not 0 <= pin <= 27:
            raise ValueError(f"{item!r}: write pin=action, a BCM pin 0 to 27, e.g. 5=book_now 15")
        parse_binding(pin, action.strip())  # raises ValueError with the reason
        mapping[pin] = " ".join(action.split())
    if not mapping:
        raise ValueError("give at least one pin=action")
    return mapping


def key_map_text(mapping: dict[int, str]) -> str:
    """Write a key map the way :func:`parse_key_map` reads it."""
    return ", ".join(f"{pin}={action}" for pin, action in sorted(mapping.items()))


def machine_zone() -> str | None:
    """The machine's IANA zone name (from ``TZ`` or /etc/localtime), or None."""
    from .schedule import system_zone  # noqa: PLC0415

    key = getattr(system_zone(), "key", None)
    return key if isinstance(key, str) else None


def suspects(kind: str | None) -> tuple[str, ...]:
    """Return the answers a failed test of ``kind`` (:mod:`.mqtt_codes`) points at."""
    return _SUSPECTS.get(kind or REFUSED, _SUSPECTS[REFUSED])


class Asker:
    """Asks a question on the terminal, or takes the flag's answer or the default.

    ``ask`` and ``ask_secret`` read one answer (``input`` and ``getpass`` by default;
    tests pass scripted ones).
    """

    def __init__(
        self,
        interactive: bool,
        ask: Callable[[str], str] = input,
        ask_secret: Callable[[str], str] = getpass.getpass,
    ) -> None:
        """Keep how to ask; a non-interactive Asker asks nothing."""
        self.interactive = interactive
        self._ask = ask
        self._ask_secret = ask_secret

    def text(
        self,
        question: str,
        given: Any,
        default: Any = None,
        check: Callable[[str], str | None] = lambda _v: None,
        secret: bool = False,
        required: bool = False,
    ) -> str | None:
        """Return the flag's value, else the answer (empty: ``default``), re-asking when
        ``check`` finds a problem or a ``required`` answer is empty. An empty answer
        without a default is returned as is (not checked)."""
        if given is not None:
            return str(given)
        if not self.interactive:
            return None if default is None else str(default)
        while True:
            hint = f" [{default}]" if default not in (None, "") and not secret else ""
            answer = (self._ask_secret if secret else self._ask)(f"{question}{hint}: ").strip()
            value = answer or ("" if default is None else str(default))
            problem = check(value) if value else ("an answer is needed" if required else None)
            if problem is None:
                return value
            print(f"  {problem}")

    def yes(self, question: str, default: bool) -> bool:
        """Return a yes/no answer (the default when not interactive)."""
        if not self.interactive:
            return default
        while True:
            answer = self._ask(f"{question} [{'Y/n' if default else 'y/N'}]: ").strip().lower()
            if not answer:
                return default
            if answer in ("y", "yes", "n", "no"):
                return answer.startswith("y")
            print("  answer y or n")


def _choice(options: tuple[Any, ...]) -> Callable[[str], str | None]:
    names = {str(o) for o in options}
    return lambda value: None if value in names else f"one of {', '.join(map(str, options))}"


def _integer(low: int, high: int) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if value.isdigit() and low <= int(value) <= high:
            return None
        return f"a whole number from {low} to {high}"

    return check


def _prefix_problem(value: str) -> str | None:
    if valid_topic_prefix(value):
        return None
    return "end it with '/', with no '+', '#' or empty level (e.g. odoo_epaper/)"


def _model_check(driver: str) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if value == "?":
            return "models: " + " ".join(models(driver))
        return model_problem(driver, value)

    return check


def _key_map_problem(value: str) -> str | None:
    try:
        parse_key_map(value)
    except ValueError as err:
        return str(err)
    return None


def _optional(check: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """``check``, where ``-`` (none) is always accepted."""
    return lambda value: None if value == "-" else check(value)


class Questions:
    """Asks ``init``'s questions and keeps the answers (``values``, keyed by FIELDS).

    ``args`` are the parsed ``init`` flags (each answers its question without asking),
    ``hostname`` suggests the device name.
    """

    def __init__(self, args: argparse.Namespace, asker: Asker, hostname: str) -> None:
        """Nothing is asked yet."""
        self.args = args
        self.asker = asker
        self.hostname = hostname
        self.values: dict[str, Any] = {}

    def gather(self) -> dict[str, Any]:
        """Ask every question that applies, in order; return the answers.

        Raises ConfigError, before asking anything, for flags that contradict each other.
        """
        if self.args.tls is False and self.args.ca_certs is not None:
            raise ConfigError("--ca-certs is for TLS: give --tls, or leave out --ca-certs")
        for name in FIELDS:
            self.ask(name)
        return self.values

    def retype(self, name: str) -> None:
        """Ask ``name`` again (whatever its flag said), then what depends on it."""
        self.ask(name, again=True)
        for dependent in DEPENDENTS.get(name, ()):
            self.ask(dependent, again=True)

    def applies(self, name: str) -> bool:
        """Whether question ``name`` is asked with the answers so far."""
        values = self.values
        if name == "ca_certs":
            return bool(values.get("tls"))
        if name == "model":
            return bool(models(values.get("driver", "")))
        if name in ("width", "height"):
            return values.get("driver") == "png"
        if name == "key_map":
            return values.get("keys", "none") != "none"
        return True

    def ask(self, name: str, *, again: bool = False) -> None:
        """Ask question ``name`` if it applies (drop its answer if not); ``again`` ignores
        its flag and offers the current answer as the default."""
        if not self.applies(name):
            self.values.pop(name, None)
            return
        given = None if again else self._flag(name)
        current = self.values.get(name) if again else None
        self.values[name] = getattr(self, f"_ask_{name}")(given, current)

    def _flag(self, name: str) -> Any:
        if name == "password":
            if self.args.password is None and self.args.password_file is not None:
                secret = read_bounded(self.args.password_file, MAX_SECRET_BYTES)
                return secret.decode("utf-8").strip()
            return self.args.password
        return getattr(self.args, name, None)

    # One method per field: (flag value or None, current answer or None) -> answer.

    def _ask_name(self, given: Any, current: Any) -> str:
        default = current or suggest_device_name(self.hostname)
        name = self.asker.text("Device name", given, default, device_name_problem) or default
        if problem := device_name_problem(name):
            raise ConfigError(f"device name {name!r}: {problem}")
        return name

    def _ask_host(self, given: Any, current: Any) -> str:
        host = self.asker.text("Broker host (name or address)", given, current, required=True)
        if not host:
            raise ConfigError("the broker host is required (--host)")
        return host

    def _ask_tls(self, given: Any, current: Any) -> bool:
        if given is not None:
            return bool(given)
        if current is None and self.args.ca_certs is not None:
            return True  # a CA file is only read over TLS: asking would offer a contradiction
        return self.asker.yes("TLS (port 8883)?", True if current is None else current)

    def _ask_port(self, given: Any, current: Any) -> int:
        default = current or (8883 if self.values["tls"] else 1883)
        port = int(self.asker.text("Broker port", given, default, _integer(1, 65535)) or 0)
        if not 1 <= port <= 65535:
            raise ConfigError(f"port {port}: must be from 1 to 65535")
        return port

    def _ask_ca_certs(self, given: Any, current: Any) -> Path | None:
        def readable(value: str) -> str | None:
            return None if Path(value).is_file() else f"no file {value}"

        question = "CA file of the broker's certificate (empty: the system's CAs)"
        answer = self.asker.text(question, given, current or "", _optional(readable))
        return Path(answer).resolve() if answer and answer != "-" else None

    def _ask_username(self, given: Any, current: Any) -> str | None:
        default = current or self.values["name"]
        user = self.asker.text("Broker user ('-': none)", given, default)
        return None if user in (None, "", "-") else user

    def _ask_password(self, given: Any, current: Any) -> str | None:
        question = "Broker password" + (" (empty: keep it)" if current else " (empty: none)")
        password = self.asker.text(question, given, current or "", secret=True)
        return password or None

    def _ask_topic_prefix(self, given: Any, current: Any) -> str:
        prefix = self.asker.text("Topic prefix", given, current or "odoo_epaper/", _prefix_problem)
        if not prefix or _prefix_problem(prefix):
            raise ConfigError(f"topic prefix {prefix!r}: {_prefix_problem(prefix or '')}")
        return prefix

    def _ask_driver(self, given: Any, current: Any) -> str:
        question = f"Panel driver ({', '.join(DRIVER_NAMES)})"
        driver = self.asker.text(question, given, current or "waveshare", _choice(DRIVER_NAMES))
        return driver or "waveshare"

    def _ask_model(self, given: Any, current: Any) -> str:
        driver = self.values["driver"]
        check = _model_check(driver)
        question = "Waveshare model, as printed on the panel's box or wiki ('?' lists them)"
        model = self.asker.text(question, given, current or DEFAULT_MODEL, check) or DEFAULT_MODEL
        if problem := model_problem(driver, model):
            raise ConfigError(f"--model: {problem}")
        return model

    def _ask_width(self, given: Any, current: Any) -> int:
        return int(self.asker.text("Width in pixels", given, current or 800, _integer(32, 4096)))

    def _ask_height(self, given: Any, current: Any) -> int:
        answer = self.asker.text("Height in pixels", given, current or 480, _integer(32, 4096))
        return int(answer or 480)

    def _ask_colors(self, given: Any, current: Any) -> str:
        question = f"Panel colours ({', '.join(COLORS)})"
        return self.asker.text(question, given, current or "bw", _choice(COLORS)) or "bw"

    def _ask_rotate(self, given: Any, current: Any) -> int:
        question = "Rotation in degrees (0, 90, 180, 270)"
        return int(self.asker.text(question, given, current or 0, _choice(ROTATIONS)) or 0)

    def _ask_timezone(self, given: Any, current: Any) -> str | None:
        default = current or machine_zone() or ""
        question = "Time zone of the room, IANA (used until the hub sends one; '-': none)"
        answer = self.asker.text(question, given, default, _optional(timezone_problem))
        if answer and answer != "-" and (problem := timezone_problem(answer)):
            raise ConfigError(f"--timezone: {problem}")
        return answer if answer and answer != "-" else None

    def _ask_locale(self, given: Any, current: Any) -> str | None:
        question = "Language of the sign, BCP 47 like de-DE (empty: from Odoo, else en)"
        answer = self.asker.text(question, given, current or "", _optional(locale_problem))
        if answer and answer != "-" and (problem := locale_problem(answer)):
            raise ConfigError(f"--locale: {problem}")
        return answer if answer and answer != "-" else None

    def _ask_keys(self, given: Any, current: Any) -> str:
        keyed = bool(_KEYED_MODELS.match(self.values.get("model", "")))
        default = current or ("gpio" if keyed else "none")
        question = "Keys at the door: none, gpio (push buttons), http (a stand-in)"
        return self.asker.text(question, given, default, _choice(KEY_DRIVERS)) or "none"

    def _ask_key_map(self, given: Any, current: Any) -> dict[int, str]:
        default = key_map_text(current or WAVESHARE_27_KEYS)
        question = "Which key does what, pin=action (BCM pins; the 2.7-inch HAT's by default)"
        answer = self.asker.text(question, given, default, _key_map_problem) or default
        try:
            return parse_key_map(answer)
        except ValueError as err:
            raise ConfigError(f"--key-map: {err}") from err

"""Configuration: a TOML file, validated, with environment overrides and redaction."""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .config_section import Section
from .files import MAX_CONFIG_BYTES, MAX_PEM_BYTES, MAX_SECRET_BYTES, check_bounded, read_bounded
from .keys import KEY_DRIVERS, WAVESHARE_27_KEYS, KeysConfig, parse_binding

_LOGGER = logging.getLogger(__name__)

DEFAULT_CONFIG_PATH = Path("/etc/epaper-satellite/config.toml")
DEFAULT_STATE_DIR = Path("/var/lib/epaper-satellite")
PASSWORD_ENV = "EPAPER_MQTT_PASSWORD"  # noqa: S105
DEVICE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
COLORS = ("bw", "bwr", "bwy")
ROTATIONS = (0, 90, 180, 270)


class ConfigError(Exception):
    """A configuration file that cannot be used; each problem names its key.

    ``problems`` holds every problem found (one line each); the message joins them.
    """

    def __init__(self, *problems: str) -> None:
        """Keep the problems (at least one)."""
        super().__init__("\n".join(problems))
        self.problems: tuple[str, ...] = problems


@dataclass(frozen=True, kw_only=True)
class MqttConfig:
    """Broker connection settings."""

    host: str
    port: int = 8883
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = True
    tls_insecure: bool = False
    ca_certs: Path | None = None
    certfile: Path | None = None
    keyfile: Path | None = None
    topic_prefix: str = "odoo_epaper/"
    keepalive: int = 60
    client_id: str | None = None
    qos: int = 1
    reconnect_max: float = 60.0


@dataclass(frozen=True, kw_only=True)
class DeviceConfig:
    """Who this satellite is and where it keeps its state."""

    name: str
    timezone: str | None = None
    locale: str | None = None
    state_dir: Path = DEFAULT_STATE_DIR


@dataclass(frozen=True, kw_only=True)
class DisplayConfig:
    """The panel: driver, model, size, rotation and palette."""

    driver: str = "png"
    model: str = "epd7in5_V2"
    path: Path | None = None
    width: int = 800
    height: int = 480
    rotate: int = 0
    colors: str = "bw"
    test_seconds: float = 60.0
    offline_after: float = 120.0
    panel_timeout: float = 0.0  # seconds per panel job; 0: by colours (drivers/guard.py)
    panel_retries: int = 3  # re-initialisations after a panel fault before the process exits
    reset_pin: int | None = None  # BCM GPIO pulsed before that exit (panel RST or power switch)
    reset_active_high: bool = False


@dataclass(frozen=True, kw_only=True)
class RefreshConfig:
    """How often the panel may be refreshed."""

    min_interval: float = 0.0
    full_every: int = 10
    full_max_age: float = 24 * 3600.0


@dataclass(frozen=True, kw_only=True)
class Config:
    """The whole satellite configuration."""

    mqtt: MqttConfig
    device: DeviceConfig
    display: DisplayConfig = field(default_factory=DisplayConfig)
    refresh: RefreshConfig = field(default_factory=RefreshConfig)
    keys: KeysConfig = field(default_factory=KeysConfig)
    warnings: tuple[str, ...] = ()

    @property
    def base_topic(self) -> str:
        """The topic every device topic starts with, ``{prefix}{device}/``."""
        return f"{self.mqtt.topic_prefix}{self.device.name}/"

    def redacted(self) -> dict[str, Any]:
        """Return the configuration as a dict with secrets hidden, for logs."""
        data = asdict(self)
        data.pop("warnings", None)
        if data["mqtt"]["password"] is not None:
            data["mqtt"]["password"] = "***"  # noqa: S105
        return data


def timezone_problem(name: str) -> str | None:
    """Say why ``name`` is not an IANA time zone this machine knows, or None when it is."""
    from .schedule import zone  # noqa: PLC0415

    return None if zone(name) is not None else f"unknown IANA timezone {name!r}"


def locale_problem(tag: str) -> str | None:
    """Say why ``tag`` is not a BCP 47 locale CLDR knows, or None when it is."""
    from .i18n import parse_tag  # noqa: PLC0415

    return None if parse_tag(tag) is not None else f"not a BCP 47 locale known to CLDR: {tag!r}"


def valid_topic_prefix(prefix: str) -> bool:
    """Tell whether ``prefix`` is a usable topic prefix (ends with '/', no wildcards, no
    empty level, no level starting or ending with whitespace)."""
    return (
        prefix.endswith("/")
        and not prefix.startswith(("/", "$"))
        and "+" not in prefix
        and "#" not in prefix
        and all(level and level == level.strip() for level in prefix[:-1].split("/"))
    )


def _read_password_file(section: Section) -> str | None:
    path = section.path("password_file")
    if path is None:
        return None
    try:
        return read_bounded(path, MAX_SECRET_BYTES).decode("utf-8").strip()
    except OSError as err:
        section.problem("password_file", f"cannot read {path}: {err.strerror}")
    except UnicodeDecodeError:
        section.problem("password_file", f"{path} is not UTF-8 text")
    return None


def _mqtt(section: Section, environ: dict[str, str]) -> MqttConfig:
    host = section.string("host", required=True) or ""
    password = section.string("password", secret=True)
    from_file = _read_password_file(section)
    if password is not None and from_file is not None:
        section.problem("password_file", "give password or password_file, not both")
    password = environ.get(PASSWORD_ENV) or password or from_file
    prefix = section.string("topic_prefix")
    prefix = "odoo_epaper/" if prefix is None else prefix
    if not valid_topic_prefix(prefix):
        section.problem(
            "topic_prefix", f"must end with '/' and hold no '+', '#' or empty level, got {prefix!r}"
        )
    certfile, keyfile = section.path("certfile"), section.path("keyfile")
    if (certfile is None) != (keyfile is None):
        section.problem("keyfile", "certfile and keyfile go together")
    ca_certs = section.path("ca_certs")
    for key, pem in (("ca_certs", ca_certs), ("certfile", certfile), ("keyfile", keyfile)):
        try:
            check_bounded(pem, MAX_PEM_BYTES) if pem is not None else None
        except OSError as err:
            section.problem(key, str(err))
    tls = section.boolean("tls", True)
    tls_insecure = section.boolean("tls_insecure", False)
    if tls_insecure and not tls:
        section.problem("tls_insecure", "only means something with tls = true")
    return MqttConfig(
        host=host,
        port=section.integer("port", 8883, 1, 65535),
        username=section.string("username"),
        password=password,
        tls=tls,
        tls_insecure=tls_insecure,
        ca_certs=ca_certs,
        certfile=certfile,
        keyfile=keyfile,
        topic_prefix=prefix,
        keepalive=section.integer("keepalive", 60, 5, 3600),
        client_id=section.string("client_id"),
        qos=section.integer("qos", 1, 0, 2),
        reconnect_max=section.number("reconnect_max", 60.0, 1.0, 3600.0),
    )


def _device(section: Section, environ: dict[str, str]) -> DeviceConfig:
    name = section.string("name", required=True)
    if name is not None and not DEVICE_NAME.fullmatch(name):
        section.problem("name", f"must match [a-z0-9][a-z0-9_-]{{0,63}} (lower case), got {name!r}")
    timezone = section.string("timezone")
    if timezone is not None and (why := timezone_problem(timezone)):
        section.problem("timezone", why)
    locale = section.string("locale")
    if locale is not None and (why := locale_problem(locale)):
        section.problem("locale", why)
    default_dir = (
        Path(environ["STATE_DIRECTORY"].split(":")[0])
        if environ.get("STATE_DIRECTORY")
        else DEFAULT_STATE_DIR
    )
    state_dir = section.path("state_dir", default_dir)
    assert state_dir is not None
    return DeviceConfig(name=name or "", timezone=timezone, locale=locale, state_dir=state_dir)


def _display(section: Section, state_dir: Path) -> DisplayConfig:
    from .drivers.registry import DEFAULT_MODEL, DRIVER_NAMES, model_problem  # noqa: PLC0415

    driver = section.choice("driver", "png", DRIVER_NAMES)
    model = section.string("model", DEFAULT_MODEL)
    model = DEFAULT_MODEL if model is None else model
    if "model" in section.table and (why := model_problem(driver, model)):
        section.problem("model", why)
    return DisplayConfig(
        driver=driver,
        model=model,
        path=section.path("path", state_dir / "panel.png"),
        width=section.integer("width", 800, 32, 4096),
        height=section.integer("height", 480, 32, 4096),
        rotate=section.choice("rotate", 0, ROTATIONS),
        colors=section.choice("colors", "bw", COLORS),
        test_seconds=section.number("test_seconds", 60.0, 1.0, 3600.0),
        offline_after=section.number("offline_after", 120.0, 0.0, 86400.0),
        panel_timeout=section.number("panel_timeout", 0.0, 0.0, 3600.0),
        panel_retries=section.integer("panel_retries", 3, 0, 100),
        reset_pin=section.integer("reset_pin", -1, 0, 27) if "reset_pin" in section.table else None,
        reset_active_high=section.boolean("reset_active_high", False),
    )


def _refresh(section: Section, driver: str) -> RefreshConfig:
    default_interval = 180.0 if driver == "waveshare" else 0.0
    return RefreshConfig(
        min_interval=section.number("min_interval", default_interval, 0.0, 86400.0),
        full_every=section.integer("full_every", 10, 1, 10000),
        full_max_age=section.number("full_max_age", 24 * 3600.0, 60.0, 7 * 86400.0),
    )


def _keys(section: Section) -> KeysConfig:
    driver = section.choice("driver", "none", KEY_DRIVERS)
    table = section.table.get("map", WAVESHARE_27_KEYS)
    section.known.add("map")
    if not isinstance(table, dict) or not table:
        section.problem("map", "must be a table of pin = 'action [minutes]'")
        table = WAVESHARE_27_KEYS
    bindings = []
    for raw_pin, text in table.items():
        pin = int(raw_pin) if str(raw_pin).isdigit() else -1
        if not 0 <= pin <= 27:
            section.problem("map", f"{raw_pin!r} is not a BCM pin 0 to 27")
            continue
        try:
            bindings.append(parse_binding(pin, text))
        except ValueError as err:
            section.problem("map", str(err))
    return KeysConfig(
        driver=driver,
        bindings=tuple(sorted(bindings, key=lambda b: b.pin)),
        answer_timeout=section.number("answer_timeout", 10.0, 1.0, 600.0),
        http_port=section.integer("http_port", 8765, 0, 65535),
    )


def parse_config(
    data: dict[str, Any],
    source: str = "config",
    environ: dict[str, str] | None = None,
    base_dir: Path | None = None,
) -> Config:
    """Build a validated :class:`Config` from parsed TOML (relative paths from ``base_dir``).

    Raises ConfigError with every problem of ``data`` at once (``problems``).
    """
    env = dict(os.environ if environ is None else environ)
    warnings: list[str] = []
    problems: list[str] = []
    for name in sorted(set(data) - {"mqtt", "device", "display", "refresh", "keys"}):
        warnings.append(f"{source}: [{name}]: unknown section, ignored")
    sections = {
        name: Section(name, data.get(name, {}), source, base_dir or Path.cwd(), problems)
        for name in ("mqtt", "device", "display", "refresh", "keys")
    }
    mqtt = _mqtt(sections["mqtt"], env)
    device = _device(sections["device"], env)
    display = _display(sections["display"], device.state_dir)
    refresh = _refresh(sections["refresh"], display.driver)
    keys = _keys(sections["keys"])
    if problems:
        raise ConfigError(*problems)
    for section in sections.values():
        warnings += section.unknown()
    return Config(
        mqtt=mqtt,
        device=device,
        display=display,
        refresh=refresh,
        keys=keys,
        warnings=tuple(warnings),
    )


def load_config(path: Path, environ: dict[str, str] | None = None) -> Config:
    """Read, parse and validate the TOML file at ``path``."""
    try:
        text = read_bounded(path, MAX_CONFIG_BYTES).decode("utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror}") from err
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: not UTF-8 text") from err
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    return parse_config(data, str(path), environ, path.resolve().parent)

"""Command line: ``epaper-satellite [--config FILE]`` runs the daemon; ``init`` sets a sign
up, ``check`` says what to fix, ``render`` draws offline.

The daemon's exit statuses: 0 stopped by a signal, 1 could not start (EXIT_FAILED),
2 bad configuration (EXIT_BAD_CONFIG), 3 the panel stayed faulty (panel.EXIT_PANEL_FAILED),
4 no configuration file: run ``epaper-satellite init`` (EXIT_NOT_SET_UP).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from . import __version__, doctor, setup_wizard
from .config import COLORS, DEFAULT_CONFIG_PATH, ConfigError, load_config
from .drivers import DriverError
from .drivers.png import write_png_atomically
from .files import read_bounded
from .i18n import parse_tag
from .keys import KeyBinding, KeysUnavailable, parse_binding
from .render import render_room, room_view
from .schedule import system_zone, zone
from .wire import MAX_PAYLOAD, PayloadError, parse_data, parse_timestamp

_LOGGER = logging.getLogger("epaper_satellite")
# Exit statuses of the daemon (also in satellite/README.md and the systemd unit).
EXIT_FAILED = 1  # could not start: panel driver, network set-up
EXIT_BAD_CONFIG = 2  # the configuration file cannot be used: fix it (restarting won't)
EXIT_NOT_SET_UP = 4  # no configuration file at all: run `epaper-satellite init` first


def setup_logging(level: int) -> None:
    """Log to stderr once; without timestamps under journald, which adds its own."""
    if os.environ.get("JOURNAL_STREAM"):
        fmt = "%(levelname)s %(name)s: %(message)s"
    else:
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=level, format=fmt, stream=sys.stderr, force=True)
    logging.getLogger("PIL").setLevel(max(level, logging.INFO))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="epaper-satellite",
        description="Draw a meeting room's schedule from MQTT on an e-paper panel.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG_PATH,
        help=f"TOML configuration file (default {DEFAULT_CONFIG_PATH})",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    # --config is also taken after the command (``check --config FILE``), as people type it.
    config_after = argparse.ArgumentParser(add_help=False)
    config_after.add_argument(
        "--config", type=Path, default=argparse.SUPPRESS, help="TOML configuration file"
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", parents=[config_after], help="run the daemon (the default)")
    check = commands.add_parser(
        "check",
        parents=[config_after],
        help="check config, broker, TLS, panel, fonts, state and clock; say what to fix",
    )
    check.add_argument(
        "--config-only", action="store_true", help="only validate the configuration (offline)"
    )
    init = commands.add_parser(
        "init",
        parents=[config_after],
        help="set up this door sign: ask, test, write, enable",
        description="Set up this door sign: ask for the broker, the panel, the room's time "
        "zone and language (each flag answers its question), test the connection, write the "
        f"configuration (--config, default {DEFAULT_CONFIG_PATH}) and the password file "
        "beside it, then enable and start the service.",
    )
    setup_wizard.add_arguments(init)
    render = commands.add_parser(
        "render", parents=[config_after], help="render a /data payload to a PNG, no MQTT"
    )
    render.add_argument("--payload", type=Path, required=True, help="JSON file of a /data payload")
    render.add_argument("--out", type=Path, required=True, help="PNG file to write")
    render.add_argument("--width", type=int, default=800)
    render.add_argument("--height", type=int, default=480)
    render.add_argument("--colors", choices=COLORS, default="bw")
    render.add_argument("--now", help="ISO 8601 time with offset to render at (default: now)")
    render.add_argument("--tz", help="timezone when the payload has none (default: machine's)")
    render.add_argument("--offline", action="store_true", help="draw the offline mark")
    render.add_argument(
        "--keys",
        default="",
        help="the door keys left to right, e.g. 'book_now 15,extend 15,end_now,check_in' "
        "(a legend names their actions)",
    )
    render.add_argument(
        "--locale", help="BCP 47 locale when the payload has none (default: en), e.g. de-DE"
    )
    return parser


def _keys_argument(text: str) -> tuple[KeyBinding, ...] | None:
    """The keys of ``--keys`` ("book_now 15,end_now"), left to right; None (logged) when
    one is not an action."""
    try:
        return tuple(
            parse_binding(pin, part.strip())
            for pin, part in enumerate(text.split(",") if text else [])
        )
    except ValueError as err:
        _LOGGER.error("--keys: %s", err)
        return None


def _render_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with ``render``'s --tz, --width/--height or --locale, or None."""
    if args.tz and zone(args.tz) is None:
        return f"--tz: unknown timezone {args.tz!r}"
    if not (32 <= args.width <= 4096 and 32 <= args.height <= 4096):
        return "--width and --height must be from 32 to 4096"
    if args.locale and parse_tag(args.locale) is None:
        return f"--locale: not a BCP 47 locale known to CLDR: {args.locale!r}"
    return None


def render_command(args: argparse.Namespace) -> int:
    """Render a payload file to a PNG."""
    try:
        data = parse_data(read_bounded(args.payload, MAX_PAYLOAD), None)
        now = parse_timestamp(args.now, "--now") if args.now else dt.datetime.now(dt.UTC)
    except OSError as err:
        _LOGGER.error("%s: cannot read: %s", args.payload, err.strerror)
        return 1
    except PayloadError as err:
        _LOGGER.error("%s: rejected (%s): %s", args.payload, err.reason, err.detail)
        return 1
    tz = next((z for z in (zone(data.tz or ""), zone(args.tz or "")) if z is not None), None)
    problem = _render_problem(args)
    keys = _keys_argument(args.keys) if problem is None else None
    if keys is None:
        if problem:
            _LOGGER.error("%s", problem)
        return 1
    view = room_view(
        data, now, tz or system_zone(), online=not args.offline, locale=args.locale, keys=keys
    )
    rendered = render_room(view, args.width, args.height, args.colors)
    write_png_atomically(rendered.image, args.out)
    _LOGGER.info("Wrote %s (%dx%d, %s)", args.out, args.width, args.height, args.colors)
    return 0


def run_daemon(config_path: Path) -> int:
    """Load the configuration and run the controller until SIGTERM or SIGINT."""
    from .controller import MQTTDisplay  # noqa: PLC0415 - keeps 'render' free of paho
    from .panel import EXIT_PANEL_FAILED, PanelFailed  # noqa: PLC0415

    if not config_path.exists():
        print(
            f"epaper-satellite: no configuration at {config_path}: set this sign up with "
            f"`{setup_wizard.init_command(config_path)}` first "
            "(or name the file with --config PATH)",
            file=sys.stderr,
        )
        return EXIT_NOT_SET_UP
    try:
        config = load_config(config_path)
    except ConfigError as err:
        for problem in err.problems:
            _LOGGER.error("Bad configuration: %s", problem)
        return EXIT_BAD_CONFIG
    for warning in config.warnings:
        _LOGGER.warning("%s", warning)
    _LOGGER.info("epaper-satellite %s, configuration %s", __version__, config_path)
    _LOGGER.debug("Configuration: %s", config.redacted())
    display = MQTTDisplay(config)

    def stop(signum: int, frame: FrameType | None) -> None:
        _LOGGER.info("Signal %s: stopping", signal.Signals(signum).name)
        display.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        display.run()
    except PanelFailed as err:
        _LOGGER.error("Panel: %s", err)
        return EXIT_PANEL_FAILED
    except (DriverError, KeysUnavailable) as err:
        _LOGGER.error("%s: %s", "Keys" if isinstance(err, KeysUnavailable) else "Panel", err)
        return EXIT_FAILED
    except (OSError, ValueError) as err:
        _LOGGER.error("Cannot start: %s", err)
        return EXIT_FAILED
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``epaper-satellite`` console script."""
    args = _parser().parse_args(argv)
    setup_logging(logging.DEBUG if args.verbose else logging.INFO)
    if args.command == "render":
        return render_command(args)
    if args.command == "init":
        return setup_wizard.run_init(args)
    if args.command == "check":
        return doctor.run_doctor(args.config, config_only=args.config_only)
    return run_daemon(args.config)


if __name__ == "__main__":
    sys.exit(main())

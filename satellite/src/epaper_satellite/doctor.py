"""``epaper-satellite check``: a readable report of what this door sign needs, and what to fix.

Checks, in order: the configuration (every problem of the file), the broker (connection,
credentials and the device's own topics, each connect result in words), TLS files, the
panel driver (its import and the SPI device), fonts (the main faces, CJK, right-to-left
shaping, symbols), the state directory (room for a payload: a full disk fails; the
stored payload readable), the clock's synchronisation, and the clock against the stored
payload's ``generated_at``. All of them run, so one report names every problem. Exit
status: 0 when nothing must be fixed (warnings allowed; the report ends with "Ready"),
1 when something must, 2 when the configuration cannot be used at all (its problems,
fonts and clock are still reported).
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from .broker_probe import probe_broker
from .clock_trust import clock_lag, clock_problem
from .config import Config, ConfigError, load_config
from .doctor_findings import Finding, Level
from .doctor_storage import check_storage, writable
from .setup_wizard import describe_probe, init_command
from .store import PayloadStore
from .wire import PayloadError, parse_data

SPI_DEVICE = Path("/dev/spidev0.0")
TIMESYNC_MARKER = Path("/run/systemd/timesync/synchronized")
# Sample text per script: what a door sign in these languages shows.
CJK_SAMPLES = {"zh": "会议室", "ja": "会議室", "ko": "회의실"}
RTL_LANGUAGES = ("ar", "he", "fa", "ur")
SYMBOL_SAMPLE = "✓★☎"


def check_broker(config: Config, timeout: float = 10.0) -> list[Finding]:
    """Connect once as the device and publish on its own ``/ack``: login, ACL, TLS."""
    result = probe_broker(config.mqtt, config.device.name, timeout=timeout)
    where = f"{config.mqtt.host}:{config.mqtt.port}"
    user = config.mqtt.username or "(anonymous)"
    text = f"{where} as {user}: {describe_probe(result, with_fix=False)}"
    level = Level.OK if result.ok else Level.FAIL
    findings = [Finding("broker", level, text, result.fix)]
    if config.mqtt.username and config.mqtt.username != config.device.name:
        findings.append(
            Finding(
                "broker",
                Level.WARN,
                f"broker user {config.mqtt.username!r} differs from the device name "
                f"{config.device.name!r}",
                "the deploy ACL lets a user use only the topics under its own name",
            )
        )
    return findings


def check_tls(config: Config) -> list[Finding]:
    """TLS settings: on for 8883, certificate checked, CA and client files readable."""
    mqtt = config.mqtt
    if not mqtt.tls:
        level = Level.WARN if mqtt.port == 8883 else Level.OK
        return [Finding("tls", level, f"off (port {mqtt.port})", "use TLS on 8883 in production")]
    findings: list[Finding] = []
    if mqtt.tls_insecure:
        findings.append(
            Finding("tls", Level.WARN, "certificate NOT verified (tls_insecure)", "set ca_certs")
        )
    for key, path in (("ca_certs", mqtt.ca_certs), ("certfile", mqtt.certfile)):
        if path is None:
            continue
        try:
            ssl.create_default_context(cafile=str(path)) if key == "ca_certs" else path.read_bytes()
        except (OSError, ssl.SSLError) as err:
            findings.append(
                Finding("tls", Level.FAIL, f"{key} {path}: {err}", "give a readable PEM file")
            )
            continue
        findings.append(Finding("tls", Level.OK, f"{key} {path} readable"))
    if mqtt.ca_certs is None and not mqtt.tls_insecure:
        findings.append(Finding("tls", Level.OK, "on, broker certificate checked by system CAs"))
    return findings


def check_panel(config: Config, spi_device: Path = SPI_DEVICE) -> list[Finding]:
    """The panel driver: the ``epaper`` package and model import, and the SPI device."""
    display = config.display
    if display.driver == "png":
        target = display.path.parent if display.path else config.device.state_dir
        size = f"{display.width}x{display.height}"
        return [
            Finding("panel", Level.OK, f"png driver, {size} into {display.path}"),
            *writable("panel", target),
        ]
    findings: list[Finding] = []
    try:
        epaper = importlib.import_module("epaper")
        module = epaper.epaper(display.model)
        size = f"{getattr(module, 'EPD_WIDTH', '?')}x{getattr(module, 'EPD_HEIGHT', '?')}"
        findings.append(Finding("panel", Level.OK, f"waveshare {display.model} ({size}) imports"))
    except ImportError as err:
        findings.append(
            Finding(
                "panel",
                Level.FAIL,
                f"the waveshare driver cannot import its library: {err}",
                "pip install 'epaper-satellite[waveshare]' into the satellite's venv",
            )
        )
    except Exception as err:  # a vendor module may fail in any way at import
        findings.append(
            Finding(
                "panel",
                Level.FAIL,
                f"model {display.model!r}: {type(err).__name__}: {err}",
                "set [display] model to a module of the epaper package (epaper.modules())",
            )
        )
    if not spi_device.exists():
        findings.append(
            Finding(
                "panel",
                Level.FAIL,
                f"{spi_device} missing: SPI is off",
                "sudo raspi-config nonint do_spi 0, then reboot",
            )
        )
    elif not os.access(spi_device, os.R_OK | os.W_OK):
        findings.append(
            Finding(
                "panel",
                Level.FAIL,
                f"{spi_device} not readable and writable by this user",
                "run as the service user, which is in the groups spi and gpio",
            )
        )
    else:
        findings.append(Finding("panel", Level.OK, f"{spi_device} present and usable"))
    return findings


def _missing_main_fonts() -> list[str]:
    from .fonts import missing_main_fonts  # noqa: PLC0415 - Pillow only when this check runs

    return missing_main_fonts()


def _covers(text: str) -> bool:
    from .fonts import default_fonts  # noqa: PLC0415 - Pillow only when this check runs

    fonts = default_fonts()
    faces = fonts.faces(24)
    return all(any(fonts.has_glyph(f, c) for f in faces) for c in text if not c.isspace())


def _shaping() -> bool:
    from .shaping import shaping_problem  # noqa: PLC0415 - Pillow only when this check runs

    return shaping_problem() is None


def check_fonts(
    locale: str | None,
    covers: Callable[[str], bool] = _covers,
    shaping: Callable[[], bool] = _shaping,
    missing_main: Callable[[], list[str]] = _missing_main_fonts,
) -> list[Finding]:
    """Fonts and shaping for ``locale`` (BCP 47 or None): the main faces every layout
    needs (a FAIL when missing), then CJK, shaping and symbols (a FAIL only for the
    locale's own script)."""
    language = (locale or "").split("-")[0].lower()
    findings: list[Finding] = []
    missing = missing_main()
    if missing:
        findings.append(
            Finding(
                "fonts",
                Level.FAIL,
                f"main font {' and '.join(missing)} missing: the sign would be drawn in "
                "Pillow's small built-in face",
                "apt install fonts-dejavu-core",
            )
        )
    else:
        findings.append(Finding("fonts", Level.OK, "main fonts DejaVu Sans and Sans Bold"))
    for lang, sample in CJK_SAMPLES.items():
        if covers(sample):
            findings.append(Finding("fonts", Level.OK, f"{lang}: {sample} drawable"))
        else:
            level = Level.FAIL if language == lang else Level.WARN
            missing = f"{lang}: no font for {sample}"
            findings.append(
                Finding(
                    "fonts", level, missing, "apt install fonts-wqy-microhei (or fonts-noto-cjk)"
                )
            )
    if shaping():
        findings.append(Finding("fonts", Level.OK, "right-to-left text shaped (raqm, fribidi)"))
    else:
        level = Level.FAIL if language in RTL_LANGUAGES else Level.WARN
        findings.append(
            Finding(
                "fonts",
                level,
                "right-to-left text (Arabic, Hebrew) cannot be shaped: Pillow lacks raqm/fribidi",
                "apt install libraqm0 libfribidi0",
            )
        )
    if covers(SYMBOL_SAMPLE):
        findings.append(Finding("fonts", Level.OK, f"symbols {SYMBOL_SAMPLE} drawable"))
    else:
        findings.append(
            Finding(
                "fonts",
                Level.WARN,
                "no symbol font: symbols are left out",
                "apt install fonts-symbola",
            )
        )
    return findings


def check_hub_clock(
    state_dir: Path, now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
) -> list[Finding]:
    """The clock against the hub's: not behind the stored payload's ``generated_at`` by
    more than clock_trust.CLOCK_TOLERANCE (the sign stops saying Free or Busy then)."""
    raw = PayloadStore(state_dir).load()
    try:
        generated_at = parse_data(raw, None).generated_at if raw else None
    except PayloadError:
        generated_at = None
    if generated_at is None:
        return [Finding("clock", Level.OK, "no payload from the hub yet to compare with")]
    lag = clock_lag(now(), generated_at)
    if lag is not None:
        fix = "set the time: sudo timedatectl set-ntp true, and check the network reaches NTP"
        return [Finding("clock", Level.FAIL, clock_problem(lag, generated_at), fix)]
    return [Finding("clock", Level.OK, "not behind the hub's last payload")]


def check_clock(
    run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run,
    marker: Path = TIMESYNC_MARKER,
) -> list[Finding]:
    """Whether the system clock is synchronised (timedatectl, else timesyncd's marker file)."""
    fix = "enable time sync: sudo timedatectl set-ntp true (the sign decides Free/Busy by it)"
    try:
        result = run(
            ["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        result = None
    if result is not None and result.returncode == 0 and result.stdout.strip() in {"yes", "no"}:
        if result.stdout.strip() == "yes":
            return [Finding("clock", Level.OK, "synchronised (timedatectl)")]
        return [Finding("clock", Level.FAIL, "not synchronised (timedatectl)", fix)]
    if marker.exists():
        return [Finding("clock", Level.OK, f"synchronised ({marker})")]
    return [Finding("clock", Level.WARN, "synchronisation unknown (no timedatectl answer)", fix)]


def run_checks(
    config_path: Path,
    *,
    spi_device: Path = SPI_DEVICE,
    clock: Callable[[], list[Finding]] = check_clock,
    config_only: bool = False,
) -> tuple[Config | None, list[Finding]]:
    """Run every check; return the configuration (None when unusable) and the findings.

    An unusable configuration is reported with each of its problems, followed by the
    checks that need no configuration (fonts, clock).
    """
    try:
        config = load_config(config_path)
    except ConfigError as err:
        fix = (
            "fix the keys named, then rerun"
            if config_path.is_file()
            else f"write it with `{init_command(config_path)}`, or name another with --config PATH"
        )
        findings = [Finding("config", Level.FAIL, problem) for problem in err.problems]
        findings[-1] = replace(findings[-1], fix=fix)
        if not config_only:
            findings += check_fonts(None)
            findings += clock()
        return None, findings
    findings = [Finding("config", Level.OK, f"{config_path}: device {config.device.name!r}")]
    findings += [Finding("config", Level.WARN, warning) for warning in config.warnings]
    if config_only:
        return config, findings
    findings += check_broker(config)
    findings += check_tls(config)
    findings += check_panel(config, spi_device)
    findings += check_fonts(getattr(config.device, "locale", None))
    findings += check_storage(config.device.state_dir)
    findings += clock()
    findings += check_hub_clock(config.device.state_dir)
    return config, findings


def format_report(findings: Iterable[Finding]) -> str:
    """The findings as aligned lines, fixes indented below, and a closing verdict."""
    findings = list(findings)
    lines = []
    for finding in findings:
        lines.append(f"[{finding.level.value:>4}] {finding.area:<7} {finding.text}")
        if finding.fix and finding.level is not Level.OK:
            lines.append(f"{'':15}-> {finding.fix}")
    failed = sum(finding.level is Level.FAIL for finding in findings)
    warned = sum(finding.level is Level.WARN for finding in findings)
    if failed:
        lines.append(f"{failed} problem(s) to fix, {warned} warning(s).")
    else:
        lines.append(f"Ready: nothing to fix, {warned} warning(s).")
    return "\n".join(lines)


def run_doctor(config_path: Path, *, config_only: bool = False, show_config: bool = False) -> int:
    """Print the report; 0 nothing to fix, 1 something to fix, 2 configuration unusable."""
    config, findings = run_checks(config_path, config_only=config_only)
    if config is None:
        print(format_report(findings), file=sys.stderr)
        return 2
    print(format_report(findings))
    if show_config:
        print(config.redacted())
    return 1 if any(finding.level is Level.FAIL for finding in findings) else 0

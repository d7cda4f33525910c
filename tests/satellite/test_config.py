"""Configuration loading: defaults, validation with one clear line, overrides, redaction."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from epaper_satellite.config import ConfigError, load_config, parse_config

from tests.fixtures.vectors import load_vectors

MINIMAL = '[mqtt]\nhost = "broker.lan"\n[device]\nname = "reception"\n'


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_defaults(tmp_path: Path) -> None:
    """Only host and name are needed; the rest has the documented defaults."""
    config = load_config(_write(tmp_path, MINIMAL), environ={})
    assert config.mqtt.port == 8883
    assert config.mqtt.tls is True
    assert config.mqtt.topic_prefix == "odoo_epaper/"
    assert config.mqtt.keepalive == 60
    assert config.device.state_dir == Path("/var/lib/epaper-satellite")
    assert config.display.driver == "png"
    assert config.device.locale is None
    assert config.refresh.min_interval == 0
    assert config.base_topic == "odoo_epaper/reception/"
    assert config.warnings == ()


def test_state_directory_from_systemd(tmp_path: Path) -> None:
    """$STATE_DIRECTORY, as systemd sets it, is the default state dir."""
    config = load_config(_write(tmp_path, MINIMAL), environ={"STATE_DIRECTORY": "/run/x:/run/y"})
    assert config.device.state_dir == Path("/run/x")


def test_waveshare_defaults_to_180_seconds(tmp_path: Path) -> None:
    """The waveshare driver waits 180 s between refreshes unless told otherwise."""
    text = MINIMAL + '[display]\ndriver = "waveshare"\n'
    assert load_config(_write(tmp_path, text), environ={}).refresh.min_interval == 180


def test_password_sources(tmp_path: Path) -> None:
    """password_file is read; EPAPER_MQTT_PASSWORD wins over the file."""
    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    text = MINIMAL.replace('host = "broker.lan"', f'host = "b"\npassword_file = "{secret}"')
    path = _write(tmp_path, text)
    assert load_config(path, environ={}).mqtt.password == "from-file"
    env = {"EPAPER_MQTT_PASSWORD": "from-env"}
    assert load_config(path, environ=env).mqtt.password == "from-env"


def test_redaction_hides_the_password(tmp_path: Path) -> None:
    """The redacted form never carries the password; repr does not either."""
    text = MINIMAL.replace('host = "broker.lan"', 'host = "b"\npassword = "hunter2"')
    config = load_config(_write(tmp_path, text), environ={})
    assert config.mqtt.password == "hunter2"
    assert "hunter2" not in str(config.redacted())
    assert "hunter2" not in repr(config)


def test_unknown_keys_warn(tmp_path: Path) -> None:
    """Unknown keys and sections are warned about, not fatal."""
    text = MINIMAL + "colour = 1\n[extra]\na = 1\n"
    config = load_config(_write(tmp_path, text), environ={})
    assert any("[device] colour" in warning for warning in config.warnings)
    assert any("[extra]" in warning for warning in config.warnings)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[device]\nname = "x"\n', "[mqtt] host"),
        ('[mqtt]\nhost = "b"\n', "[device] name"),
        ('[mqtt]\nhost = "b"\n[device]\nname = "Reception"\n', "[device] name"),
        (MINIMAL + "[mqtt]\n", "not valid TOML"),
        (MINIMAL.replace('"broker.lan"', '"b"\nport = "x"'), "[mqtt] port"),
        (MINIMAL.replace('"broker.lan"', '"b"\nport = 70000'), "[mqtt] port"),
        (MINIMAL.replace('"broker.lan"', '"b"\ntls = "yes"'), "[mqtt] tls"),
        (MINIMAL.replace('"broker.lan"', '"b"\ntopic_prefix = "x"'), "[mqtt] topic_prefix"),
        (MINIMAL.replace('"broker.lan"', '"b"\npassword_file = "/nonexistent"'), "password_file"),
        (MINIMAL + 'timezone = "Mars/Base"\n', "[device] timezone"),
        (MINIMAL + 'locale = "xx-Klingon"\n', "[device] locale"),
        (MINIMAL + "locale = 7\n", "[device] locale"),
        (MINIMAL + '[display]\ndriver = "inky"\n', "[display] driver"),
        (MINIMAL + "[display]\nrotate = 45\n", "[display] rotate"),
        (MINIMAL + '[display]\ncolors = "rgb"\n', "[display] colors"),
        (MINIMAL + "[refresh]\nmin_interval = -1\n", "[refresh] min_interval"),
        ("mqtt = 3\n[device]\nname = 'x'\n", "[mqtt] must be a table"),
        ("[mqtt\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, needle: str) -> None:
    """A bad file gives one line that names the key."""
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text), environ={})
    message = str(info.value)
    assert needle in message
    assert "\n" not in message


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is a clear error too."""
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.toml")


def test_example_config_is_valid() -> None:
    """The shipped example parses without warnings."""
    example = Path(__file__).resolve().parents[2] / "satellite" / "example.toml"
    config = load_config(example, environ={})
    assert config.warnings == ()
    assert config.display.driver == "png"


def test_parse_config_from_dict() -> None:
    """parse_config works on an already parsed table."""
    config = parse_config(
        {"mqtt": {"host": "h", "tls": False, "port": 1883}, "device": {"name": "a"}}
    )
    assert (config.mqtt.port, config.mqtt.tls) == (1883, False)


def test_relative_paths_are_taken_from_the_config_folder(tmp_path: Path) -> None:
    """state_dir and path may be relative to the configuration file."""
    text = MINIMAL + 'state_dir = "state"\n[display]\npath = "out/panel.png"\n'
    config = load_config(_write(tmp_path, text), environ={})
    assert config.device.state_dir == tmp_path / "state"
    assert config.display.path == tmp_path / "out" / "panel.png"


NAMES = load_vectors("device_names")
PREFIXES = load_vectors("topic_prefixes")


@pytest.mark.parametrize(
    ("name", "valid"), [(n, True) for n in NAMES["valid"]] + [(n, False) for n in NAMES["invalid"]]
)
def test_device_name_vectors(name: str, valid: bool) -> None:
    """[device] name follows the contract's device-name vectors."""
    data = {"mqtt": {"host": "h"}, "device": {"name": name}}
    if valid:
        assert parse_config(data, environ={}).device.name == name
    else:
        with pytest.raises(ConfigError, match=r"\[device\] name"):
            parse_config(data, environ={})


@pytest.mark.parametrize(
    ("prefix", "valid"),
    [(p, True) for p in PREFIXES["valid"]] + [(p, False) for p in PREFIXES["invalid"]],
)
def test_topic_prefix_vectors(prefix: str, valid: bool) -> None:
    """[mqtt] topic_prefix follows the contract's prefix vectors."""
    data = {"mqtt": {"host": "h", "topic_prefix": prefix}, "device": {"name": "a"}}
    if valid:
        assert parse_config(data, environ={}).base_topic == f"{prefix}a/"
    else:
        with pytest.raises(ConfigError, match=r"\[mqtt\] topic_prefix"):
            parse_config(data, environ={})


def test_locale_is_kept_as_given(tmp_path: Path) -> None:
    """[device] locale takes a BCP 47 tag (Odoo's de_DE spelling too)."""
    for tag in ("de-DE", "en-US", "zh-Hant-TW", "de_DE"):
        config = load_config(_write(tmp_path, MINIMAL + f'locale = "{tag}"\n'), environ={})
        assert config.device.locale == tag
        assert config.warnings == ()


def test_example_config_lists_every_documented_key() -> None:
    """example.toml shows (set or commented out) every key of satellite/README.md's table.

    The README promises that the example "lists every key"; each `[section] key` row of
    its configuration table must appear in that section of the example as `key =`.
    """
    satellite = Path(__file__).resolve().parents[2] / "satellite"
    readme = (satellite / "README.md").read_text(encoding="utf-8")
    documented = {
        (section, key)
        for section, first, second in re.findall(
            r"^\| `\[(\w+)\] (\w+)`(?:, `(\w+)`)? \|", readme, flags=re.MULTILINE
        )
        for key in (first, second)
        if key
    }
    shown: set[tuple[str, str]] = set()
    section = ""
    for line in (satellite / "example.toml").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^\[(\w+)\]", line):
            section = match.group(1)
        elif match := re.match(r"^#?\s*(\w+)\s*=", line):
            shown.add((section, match.group(1)))
    assert len(documented) > 30
    assert documented - shown == set()


def test_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    """Two, three or more bad keys in different sections: all named in one error."""
    text = (
        '[mqtt]\nport = 0\ntopic_prefix = "x"\n[device]\nname = "Bad Name"\n'
        'timezone = "Mars/Olympus"\n[display]\ndriver = "waveshare"\nmodel = "epd7in5_v3"\n'
        "rotate = 45\n[keys]\nmap = { 99 = 'book_now 15' }\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, text), environ={})
    found = (re.search(r"\[\w+\] \w+:", line) for line in caught.value.problems)
    keys = [match.group(0) for match in found if match]
    assert sorted(keys) == sorted([
        "[mqtt] host:",
        "[mqtt] port:",
        "[mqtt] topic_prefix:",
        "[device] name:",
        "[device] timezone:",
        "[display] model:",
        "[display] rotate:",
        "[keys] map:",
    ])  # fmt: skip
    assert str(caught.value).splitlines() == list(caught.value.problems)


def test_missing_sections_are_two_problems(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, "[refresh]\n"), environ={})
    assert [p.split(": ", 1)[1] for p in caught.value.problems] == [
        "[mqtt] host: is required",
        "[device] name: is required",
    ]

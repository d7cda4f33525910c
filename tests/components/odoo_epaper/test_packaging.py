"""The package's metadata: manifest by hassfest's rules, translations, hacs.json."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import voluptuous as vol
from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant.components import mqtt
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration

from custom_components.odoo_epaper import config_flow
from custom_components.odoo_epaper.const import DOMAIN

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "custom_components" / DOMAIN
IOT_CLASSES = [
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
]
INTEGRATION_TYPES = [
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
    "virtual",
]


def load(path: Path) -> Any:
    """Parse a JSON file of the repository."""
    return json.loads(path.read_text(encoding="utf-8"))


def https_url(value: str) -> str:
    """Accept https URLs only."""
    if not re.fullmatch(r"https://[^\s/]+(/\S*)?", value):
        raise vol.Invalid(f"{value} is not an https URL")
    return value


def valid_version(value: str) -> str:
    """Accept the version strategies hassfest accepts for custom integrations."""
    if AwesomeVersion(value).strategy not in {
        AwesomeVersionStrategy.CALVER,
        AwesomeVersionStrategy.SEMVER,
        AwesomeVersionStrategy.SIMPLEVER,
        AwesomeVersionStrategy.BUILDVER,
        AwesomeVersionStrategy.PEP440,
    }:
        raise vol.Invalid(f"{value} is not a valid version")
    return value


MANIFEST_SCHEMA = vol.Schema(
    {
        vol.Required("domain"): DOMAIN,
        vol.Required("name"): str,
        vol.Required("codeowners"): [vol.Match(r"^@[\w.-]+(/[\w.-]+)?$")],
        vol.Required("config_flow"): True,
        vol.Required("dependencies"): [str],
        vol.Required("documentation"): https_url,
        vol.Required("integration_type"): vol.In(INTEGRATION_TYPES),
        vol.Required("iot_class"): vol.In(IOT_CLASSES),
        vol.Required("issue_tracker"): https_url,
        vol.Optional("loggers"): [str],
        vol.Optional("mqtt"): [str],
        vol.Required("requirements"): [vol.Match(r"^[A-Za-z0-9_.-]+==[0-9][0-9.]*$")],
        vol.Required("version"): valid_version,
    }
)


def test_manifest_by_hassfest_rules() -> None:
    """Schema, key order (domain, name, then alphabetical) and the issue's values."""
    manifest = load(PACKAGE / "manifest.json")
    MANIFEST_SCHEMA(manifest)
    keys = list(manifest)
    assert keys == ["domain", "name", *sorted(keys[2:])]
    assert manifest["name"] == "Odoo E-Paper"
    assert manifest["dependencies"] == [mqtt.DOMAIN]
    assert manifest["requirements"] == ["odoorpc==0.10.1"]
    assert manifest["integration_type"] == "hub"


async def test_home_assistant_loads_the_manifest(hass: HomeAssistant) -> None:
    """Home Assistant's loader reads it as a custom integration with a config flow."""
    integration = await async_get_integration(hass, DOMAIN)
    assert not integration.is_built_in
    assert integration.config_flow
    assert str(integration.version) == load(PACKAGE / "manifest.json")["version"]


def test_strings_equal_english_translation() -> None:
    """strings.json (development) and translations/en.json (runtime) are the same."""
    assert load(PACKAGE / "strings.json") == load(PACKAGE / "translations" / "en.json")


def _leaves(node: Any, path: str = "") -> dict[str, str]:
    if isinstance(node, dict):
        return {
            k: v for key, child in node.items() for k, v in _leaves(child, f"{path}/{key}").items()
        }
    return {path: node}


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_translations_match_english() -> None:
    """Every translation (de, fr, ...) has exactly en.json's keys, its placeholders, no gap."""
    english = _leaves(load(PACKAGE / "translations" / "en.json"))
    others = sorted(path for path in (PACKAGE / "translations").glob("*.json") if path.stem != "en")
    assert {path.stem for path in others} >= {"de", "fr"}
    for path in others:
        translated = _leaves(load(path))
        assert set(translated) == set(english), f"{path.name}: keys differ from en.json"
        for key, text in translated.items():
            assert isinstance(text, str) and text.strip(), f"{path.name}{key} is empty"
            assert _placeholders(text) == _placeholders(english[key]), f"{path.name}{key}"


def test_no_unresolved_references() -> None:
    """Custom integrations get no [%key:...%] resolution at runtime."""
    assert "[%key:" not in (PACKAGE / "translations" / "en.json").read_text(encoding="utf-8")


def test_every_flow_error_is_translated() -> None:
    """Each error and abort the flows can show has an English text."""
    strings = load(PACKAGE / "translations" / "en.json")
    config_errors = set(strings["config"]["error"])
    assert {error for _, _, error in config_flow._FORM_ERRORS} <= config_errors
    assert {"invalid_database", "unknown"} <= config_errors
    source = (PACKAGE / "config_flow.py").read_text(encoding="utf-8")
    aborts = set(re.findall(r'reason="(\w+)"', source)) | {"already_configured"}
    assert aborts <= set(strings["config"]["abort"])
    option_errors = set(re.findall(r'= "(invalid_topic_prefix|source_unavailable)"', source))
    assert option_errors == set(strings["options"]["error"])
    for step in ("user", "reauth_confirm", "reconfigure"):
        assert strings["config"]["step"][step]["data"]
    assert set(strings["selector"]["source"]["options"]) == {"auto", "room_booking", "calendar"}


def test_hacs_json() -> None:
    """HACS metadata: name, minimum Home Assistant, README rendering."""
    hacs = load(ROOT / "hacs.json")
    assert hacs == {"name": "Odoo E-Paper", "homeassistant": "2026.6.0", "render_readme": True}


def test_support_window_is_named_the_same_everywhere() -> None:
    """hacs.json's floor is the Home Assistant these tests run on or older, and the
    README, docs/home-assistant.md and docs/platforms.md name the same floor."""
    floor = AwesomeVersion(load(ROOT / "hacs.json")["homeassistant"])
    assert AwesomeVersion(HA_VERSION) >= floor
    short = f"{floor.section(0)}.{floor.section(1)}"
    for doc in ("README.md", "docs/home-assistant.md", "docs/platforms.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert f"Home Assistant {short}" in text or f"**{short} to" in text, doc
    floor_pin = (ROOT / "requirements_floor.txt").read_text(encoding="utf-8")
    assert f"# {short}," in floor_pin

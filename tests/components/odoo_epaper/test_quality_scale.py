"""quality_scale.yaml lists every rule, and the files behind the rules marked done agree."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image

from custom_components.odoo_epaper import services
from custom_components.odoo_epaper.config_flow import OdooEpaperConfigFlow
from custom_components.odoo_epaper.const import DOMAIN

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "custom_components" / DOMAIN
RULES = {
    "bronze": [
        "action-setup", "appropriate-polling", "brands", "common-modules", "config-flow",
        "config-flow-test-coverage", "dependency-transparency", "docs-actions",
        "docs-conditions", "docs-high-level-description", "docs-installation-instructions",
        "docs-removal-instructions", "docs-triggers", "entity-event-setup", "entity-unique-id",
        "has-entity-name", "runtime-data", "test-before-configure", "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
        "docs-installation-parameters", "entity-unavailable", "integration-owner",
        "log-when-unavailable", "parallel-updates", "reauthentication-flow", "test-coverage",
    ],
    "gold": [
        "devices", "diagnostics", "discovery", "discovery-update-info", "docs-data-update",
        "docs-examples", "docs-known-limitations", "docs-supported-devices",
        "docs-supported-functions", "docs-troubleshooting", "docs-use-cases",
        "dynamic-devices", "entity-category", "entity-device-class",
        "entity-disabled-by-default", "entity-translations", "exception-translations",
        "icon-translations", "reconfiguration-flow", "repair-issues", "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}  # fmt: skip
PLATFORMS = ["binary_sensor", "button", "calendar", "image", "sensor"]


def load_json(name: str) -> Any:
    """Return a JSON file of the package."""
    return json.loads((PACKAGE / name).read_text(encoding="utf-8"))


def test_every_rule_is_done_or_exempt_with_a_reason() -> None:
    """Every rule of the four tiers is listed, done or exempt with a comment."""
    rules = yaml.safe_load((PACKAGE / "quality_scale.yaml").read_text(encoding="utf-8"))["rules"]
    expected = {rule for tier in RULES.values() for rule in tier}
    assert len(expected) == 54  # the rule set of Home Assistant 2026.x
    assert set(rules) == expected
    for rule, status in rules.items():
        if status != "done":
            assert status["status"] == "exempt", rule
            assert len(status["comment"].strip()) > 20, rule


@pytest.mark.parametrize("platform", PLATFORMS)
def test_parallel_updates(platform: str) -> None:
    """Each platform sets PARALLEL_UPDATES."""
    module = importlib.import_module(f"custom_components.{DOMAIN}.{platform}")
    assert isinstance(module.PARALLEL_UPDATES, int)


def _descriptions() -> list[tuple[str, Any]]:
    """Return (platform, description) for every entity description of the package."""
    found = []
    for platform in PLATFORMS:
        module = importlib.import_module(f"custom_components.{DOMAIN}.{platform}")
        for value in vars(module).values():
            items = value if isinstance(value, tuple) else (value,)
            found.extend(
                (platform, item)
                for item in items
                if hasattr(item, "translation_key")
                and hasattr(item, "key")
                and type(item).__module__ != "builtins"
            )
    return found


def test_entity_translations_and_icons() -> None:
    """Every translation key has a name in en.json and an icon in icons.json."""
    strings = load_json("translations/en.json")
    icons = load_json("icons.json")
    descriptions = _descriptions()
    assert len(descriptions) == 20
    for platform, description in descriptions:
        key = description.translation_key
        if key is None:
            assert description.device_class is not None, description.key
            continue
        assert strings["entity"][platform][key]["name"], key
        assert icons["entity"][platform][key]["default"].startswith("mdi:"), key
        for option in getattr(description, "options", None) or []:
            assert strings["entity"][platform][key]["state"][option], option
            assert option in icons["entity"][platform][key]["state"], option


def test_exception_translations() -> None:
    """Every translation_key raised in the package has a message in en.json."""
    strings = load_json("translations/en.json")
    used = set()
    for path in PACKAGE.glob("*.py"):
        used |= set(re.findall(r'translation_key="([a-z_]+)"', path.read_text(encoding="utf-8")))
    entity_keys = {d.translation_key for _p, d in _descriptions()}
    issue_only = set(strings["issues"]) - set(strings["exceptions"])
    assert used - entity_keys - issue_only
    for key in used - entity_keys - issue_only:
        assert strings["exceptions"][key]["message"], key
    for key in used & issue_only:  # repair issues: a title and a description
        assert strings["issues"][key]["title"] and strings["issues"][key]["description"], key


def test_services_are_described() -> None:
    """services.yaml, en.json and icons.json describe the registered actions and fields."""
    described = yaml.safe_load((PACKAGE / "services.yaml").read_text(encoding="utf-8"))
    strings = load_json("translations/en.json")["services"]
    icons = load_json("icons.json")["services"]
    registered = {
        services.SERVICE_REFRESH,
        services.SERVICE_SHOW_MESSAGE,
        services.SERVICE_SEND_TEST_MESSAGE,
    }
    assert set(described) == set(strings) == set(icons) == registered
    for name, spec in described.items():
        assert strings[name]["name"] and strings[name]["description"]
        for field in spec.get("fields", {}):
            assert strings[name]["fields"][field]["name"], (name, field)


def test_discovery_rules_are_backed() -> None:
    """discovery and discovery-update-info are claimed with the manifest key and flow steps."""
    rules = yaml.safe_load((PACKAGE / "quality_scale.yaml").read_text())["rules"]
    assert rules["discovery"] == "done" and rules["discovery-update-info"] == "done"
    manifest = json.loads((PACKAGE / "manifest.json").read_text())
    assert manifest["mqtt"] == ["odoo_epaper/+/status"]
    for step in ("async_step_mqtt", "async_step_integration_discovery"):
        assert callable(getattr(OdooEpaperConfigFlow, step)), step


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("icon.png", (256, 256)),
        ("icon@2x.png", (512, 512)),
        ("logo.png", None),
        ("logo@2x.png", None),
        ("dark_logo.png", None),
        ("dark_logo@2x.png", None),
    ],
)
def test_brands(name: str, size: tuple[int, int] | None) -> None:
    """brands: done: the brand images custom integrations ship in brand/ (HA 2026.3+)."""
    with Image.open(PACKAGE / "brand" / name) as image:
        assert image.format == "PNG"
        assert image.mode == "RGBA"  # transparent background, as the brands rules ask
        if size is not None:
            assert image.size == size
        else:  # a landscape logo, 128 px high (256 for @2x)
            assert image.height == (256 if "@2x" in name else 128)
            assert image.width > image.height


def test_docs_triggers_name_every_device_trigger() -> None:
    """docs-triggers: done: each device trigger type is documented with its name."""
    doc = (ROOT / "docs" / "home-assistant.md").read_text(encoding="utf-8")
    names = load_json("translations/en.json")["device_automation"]["trigger_type"]
    section = doc.split("## Triggers and conditions", 1)[1].split("\n## ", 1)[0]
    for kind, name in names.items():
        assert f"`{kind}`" in section and name in section, kind

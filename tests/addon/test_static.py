"""Static checks of the Odoo addons: manifests, data files, XML, access rules, views, i18n."""

from __future__ import annotations

import ast
import csv
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

ADDONS_ROOT = Path(__file__).resolve().parents[2] / "odoo_addon"
MODULES = sorted(p.parent for p in ADDONS_ROOT.glob("*/__manifest__.py"))
MODULE_IDS = [m.name for m in MODULES]
MAIL_THREAD_FIELDS = {"message_ids", "message_follower_ids", "activity_ids"}


def parse_xml(path: Path) -> ET.ElementTree[ET.Element]:
    """Parse one of this repository's own XML files."""
    return ET.parse(path)  # noqa: S314 - our own files, not untrusted input


def manifest(module: Path) -> dict[str, Any]:
    """Return the manifest dict of ``module``."""
    value = ast.literal_eval((module / "__manifest__.py").read_text(encoding="utf-8"))
    assert isinstance(value, dict)
    return value


def model_classes(module: Path) -> list[tuple[str, bool, ast.ClassDef, Path]]:
    """Return ``(model name, defines a new model, class, file)`` of ``models/``."""
    found = []
    for path in sorted((module / "models").glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.ClassDef):
                continue
            attrs = {
                stmt.targets[0].id: stmt.value
                for stmt in node.body
                if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
            }
            abstract = any(
                isinstance(base, ast.Attribute) and base.attr == "AbstractModel"
                for base in node.bases
            )
            if "_name" in attrs:
                name = ast.literal_eval(attrs["_name"])
                parents = ast.literal_eval(attrs["_inherit"]) if "_inherit" in attrs else []
                parents = [parents] if isinstance(parents, str) else parents
                # A mixin (AbstractModel) has no table to guard; "_name" repeated in
                # "_inherit" extends that model with a mixin.
                found.append((name, not abstract and name not in parents, node, path))
            elif "_inherit" in attrs and isinstance(attrs["_inherit"], ast.Constant):
                found.append((attrs["_inherit"].value, False, node, path))
    return found


def class_fields(node: ast.ClassDef) -> set[str]:
    """Names assigned ``fields.X(...)`` in a model class."""
    names = set()
    for stmt in node.body:
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute)
            and isinstance(stmt.value.func.value, ast.Name)
            and stmt.value.func.value.id == "fields"
        ):
            names.add(stmt.targets[0].id)  # type: ignore[attr-defined]
    return names


def class_methods(node: ast.ClassDef) -> set[str]:
    """Method names of a class."""
    return {stmt.name for stmt in node.body if isinstance(stmt, ast.FunctionDef)}


def known_fields(model: str) -> set[str]:
    """Fields of ``model`` over every module of this repository, plus mail.thread's."""
    names = {"id", "display_name", *MAIL_THREAD_FIELDS}
    for module in MODULES:
        for name, _new, node, _path in model_classes(module):
            if name == model:
                names |= class_fields(node)
    return names


def known_methods(model: str) -> set[str]:
    """Methods of ``model`` over every module of this repository."""
    names: set[str] = set()
    for module in MODULES:
        for name, _new, node, _path in model_classes(module):
            if name == model:
                names |= class_methods(node)
    return names


def test_three_modules_are_present() -> None:
    """The addon and its two bridges."""
    assert MODULE_IDS == ["connection_conf", "connection_conf_calendar", "connection_conf_room"]


@pytest.mark.parametrize("module", MODULES, ids=MODULE_IDS)
def test_manifest_keys(module: Path) -> None:
    """Version x.y.z (no series: Odoo prefixes its own), LGPL-3, an author, data files exist.

    A version starting with a series (``18.0.``) makes every other series mark the
    module uninstallable; ``x.y.z`` becomes ``18.0.x.y.z`` on 18.0 and ``19.0.x.y.z`` on
    19.0 (``adapt_version`` of both).
    """
    data = manifest(module)
    assert re.fullmatch(r"\d+\.\d+\.\d+", data["version"])
    assert data["license"] == "LGPL-3"
    assert data["author"]
    assert data["name"] and data["summary"]
    for relative in data.get("data", []):
        assert (module / relative).is_file(), relative
    assert not set(data) - {
        "name",
        "summary",
        "version",
        "category",
        "website",
        "author",
        "maintainers",
        "license",
        "depends",
        "external_dependencies",
        "data",
        "demo",
        "installable",
        "application",
        "auto_install",
        "assets",
    }


def test_main_module_dependencies() -> None:
    """``connection_conf`` depends on base and mail and declares paho-mqtt."""
    data = manifest(ADDONS_ROOT / "connection_conf")
    assert data["depends"] == ["base", "mail"]
    assert data["external_dependencies"] == {"python": ["paho-mqtt"]}
    assert data["data"].index("security/ir.model.access.csv") < min(
        data["data"].index(f) for f in data["data"] if f.startswith("views/")
    )


@pytest.mark.parametrize(
    ("module", "app"), [("connection_conf_room", "room"), ("connection_conf_calendar", "calendar")]
)
def test_bridges_auto_install(module: str, app: str) -> None:
    """Each bridge installs itself when the addon and its app are both there."""
    data = manifest(ADDONS_ROOT / module)
    assert data["auto_install"] is True
    assert sorted(data["depends"]) == sorted(["connection_conf", app])


@pytest.mark.parametrize("module", MODULES, ids=MODULE_IDS)
def test_layout_files(module: Path) -> None:
    """README.rst, readme fragments, icon, i18n template and tests are there."""
    assert (module / "README.rst").is_file()
    assert (module / "readme" / "DESCRIPTION.md").is_file()
    assert (module / "static/description/icon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (module / "i18n" / f"{module.name}.pot").is_file()
    tests = module / "tests"
    assert (tests / "__init__.py").is_file()
    assert any("TransactionCase" in p.read_text() for p in tests.glob("test_*.py"))


XML_FILES = sorted(ADDONS_ROOT.rglob("*.xml"))


@pytest.mark.parametrize(
    "path", XML_FILES, ids=[str(p.relative_to(ADDONS_ROOT)) for p in XML_FILES]
)
def test_every_xml_file_parses(path: Path) -> None:
    """Every XML file is well-formed, an ``<odoo>`` document with unique ids."""
    root = parse_xml(path).getroot()
    assert root.tag == "odoo"
    ids = [el.get("id") for el in root if el.get("id")]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("module", MODULES, ids=MODULE_IDS)
def test_every_new_model_has_access_rules(module: Path) -> None:
    """Each model a module defines has a user and a manager line in ir.model.access.csv."""
    new_models = [name for name, new, _node, _path in model_classes(module) if new]
    csv_path = module / "security" / "ir.model.access.csv"
    if not new_models:
        return
    rows = list(csv.DictReader(csv_path.read_text(encoding="utf-8").splitlines()))
    for model in new_models:
        external_id = "model_" + model.replace(".", "_")
        lines = [row for row in rows if row["model_id:id"] == external_id]
        assert lines, f"{model} has no access rule"
        by_group = {row["group_id:id"]: row for row in lines}
        assert by_group["group_epaper_user"]["perm_read"] == "1"
        assert by_group["group_epaper_user"]["perm_write"] == "0"
        assert all(
            by_group["group_epaper_manager"][f"perm_{p}"] == "1"
            for p in ("read", "write", "create", "unlink")
        )
        reporter = by_group.get("group_epaper_reporter")
        if reporter is not None:  # status reporter: read and write, never create or delete
            assert [reporter[f"perm_{p}"] for p in ("read", "write", "create", "unlink")] == [
                "1",
                "1",
                "0",
                "0",
            ]


def test_access_groups_exist() -> None:
    """Groups named in the CSV are defined in the security XML, the manager implies the user."""
    security = parse_xml(ADDONS_ROOT / "connection_conf/security/connection_conf_security.xml")
    groups = {el.get("id"): el for el in security.getroot() if el.get("model") == "res.groups"}
    assert {"group_epaper_user", "group_epaper_reporter", "group_epaper_manager"} <= set(groups)
    for group in ("group_epaper_reporter", "group_epaper_manager"):
        implied = groups[group].find("field[@name='implied_ids']")
        assert implied is not None and "group_epaper_user" in implied.get("eval", "")


def test_password_is_for_managers_only() -> None:
    """The broker password and CA fields carry the manager group."""
    models = ADDONS_ROOT / "connection_conf/models"
    for file, names in (
        ("room_rasp_connection.py", ("mqtt_password", "mqtt_ca_cert")),
        ("room_rasp_broker.py", ("password", "ca_cert")),
    ):
        source = (models / file).read_text()
        for name in names:
            block = source.split(f"    {name} = fields.", 1)[1].split("\n    )", 1)[0]
            assert 'groups="connection_conf.group_epaper_manager"' in block, name


def view_records() -> list[tuple[Path, ET.Element]]:
    """All ``ir.ui.view`` records of the repository's addons."""
    return [
        (path, record)
        for path in XML_FILES
        for record in parse_xml(path).getroot().iter("record")
        if record.get("model") == "ir.ui.view"
    ]


@pytest.mark.parametrize(
    ("path", "record"), view_records(), ids=[r.get("id") for _p, r in view_records()]
)
def test_views_name_existing_fields_and_methods(path: Path, record: ET.Element) -> None:
    """Every field of a view exists on its model; every object button is a method."""
    model = record.find("field[@name='model']").text  # type: ignore[union-attr]
    arch = record.find("field[@name='arch']")
    assert model and arch is not None
    fields, methods = known_fields(model), known_methods(model)
    for element in arch.iter("field"):
        name = element.get("name")
        if element is arch or element.get("position"):
            continue
        assert name in fields, f"{path.name}: {model} has no field {name}"
    for button in arch.iter("button"):
        if button.get("type") == "object":
            assert button.get("name") in methods, button.get("name")
    for element in arch.iter():
        for attr in ("invisible", "decoration-success", "decoration-danger"):
            for word in re.findall(r"[a-z_]+", element.get(attr, "")):
                assert word in fields | {"not", "in", "and", "or"} or word in (
                    "online",
                    "offline",
                    "error",
                    "unknown",
                    "odoo",  # room.rasp.broker.publisher
                    "home_assistant",
                ), word


def test_list_has_state_badge_and_filters() -> None:
    """The list shows the state as a badge; the search view filters online/offline/error."""
    views = parse_xml(ADDONS_ROOT / "connection_conf/views/room_rasp_connection_views.xml")
    records = {r.get("id"): r for r in views.getroot().iter("record")}
    list_arch = records["room_rasp_connection_view_list"]
    state = list_arch.find(".//field[@name='mqtt_connection_state']")
    assert state is not None and state.get("widget") == "badge"
    search = records["room_rasp_connection_view_search"]
    filters = {f.get("name") for f in search.iter("filter")}
    assert {"filter_online", "filter_offline", "filter_error"} <= filters
    form = records["room_rasp_connection_view_form"]
    buttons = {b.get("name") for b in form.iter("button")}
    door_commands = {
        f"action_epaper_{cmd}" for cmd in ("refresh", "full_refresh", "identify", "clear")
    }
    assert (
        buttons == {"connect_mqtt", "test_mqtt_connection", "publish_test_message"} | door_commands
    )
    assert form.find(".//chatter") is not None


def test_menu_and_action() -> None:
    """A menu "E-Paper Displays" opens the displays."""
    menus = parse_xml(ADDONS_ROOT / "connection_conf/views/connection_conf_menus.xml").getroot()
    items = {m.get("id"): m for m in menus.iter("menuitem")}
    assert items["menu_epaper_root"].get("name") == "E-Paper Displays"
    assert items["menu_room_rasp_connection"].get("action") == "room_rasp_connection_action"


def test_cron_is_an_odoo_18_record() -> None:
    """Every minute, state code, the monitor method, no fields removed in 18.0 (the record
    loads on 18.0 and 19.0 alike)."""
    cron = parse_xml(ADDONS_ROOT / "connection_conf/data/ir_cron.xml").getroot().find("record")
    assert cron is not None and cron.get("model") == "ir.cron"
    fields = {f.get("name"): f for f in cron.iter("field")}
    assert fields["interval_number"].text == "1"
    assert fields["interval_type"].text == "minutes"
    assert fields["state"].text == "code"
    assert fields["model_id"].get("ref") == "model_room_rasp_connection"
    method = re.fullmatch(r"model\.(\w+)\(\)", fields["code"].text or "")
    assert method and method.group(1) in known_methods("room.rasp.connection")
    assert not {"numbercall", "doall", "nextcall"} & set(fields)


SEED_METHODS = {
    "connect_mqtt",
    "_mqtt_loop_start",
    "_on_connect",
    "_on_disconnect",
    "_reconnect_mqtt",
    "_cron_mqtt_connection_monitor",
    "publish_test_message",
    "test_mqtt_connection",
    "mqtt_status_report",
}


def test_seed_names_are_kept() -> None:
    """The model keeps the seed's method and field names."""
    assert known_methods("room.rasp.connection") >= SEED_METHODS
    assert known_fields("room.rasp.connection") >= {
        "name",
        "room_id",
        "room_name",
        "topic_prefix",
        "qos",
        "keepalive",
        "mqtt_connection_state",
        "last_seen",
        "last_error",
        "panel_model",
        "tz",
        "active",
    }


def test_mqtt_bridge_never_imports_odoo() -> None:
    """The plain MQTT package stays importable without Odoo (relative imports inside)."""
    for path in sorted((ADDONS_ROOT / "connection_conf/mqtt_bridge").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "odoo" for a in node.names), path.name
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert (node.module or "").split(".")[0] != "odoo", path.name
                assert (node.module or "").split(".")[0] != "mqtt_bridge", path.name


def pot_msgids(path: Path) -> set[str]:
    """The msgids of a .pot file, as Odoo's exporter writes it (long ones wrapped).

    Every entry of a template has an empty msgstr.
    """
    with path.open("rb") as file:
        catalog = read_po(file)
    assert all(not message.string for message in catalog if message.id), path.name
    return {str(message.id) for message in catalog if message.id}


TEMPLATES = sorted(ADDONS_ROOT.glob("*/i18n/**/*.pot"))


def test_templates_are_per_series() -> None:
    """Each module has ``i18n/<module>.pot`` (current series) and at most one template per
    older series in ``i18n/<series>/`` (see ``series.template_path``)."""
    for path in TEMPLATES:
        module = path.relative_to(ADDONS_ROOT).parts[0]
        assert path.name == f"{module}.pot", path
        folder = path.parent.relative_to(ADDONS_ROOT / module / "i18n")
        assert str(folder) == "." or re.fullmatch(r"\d+\.0", str(folder)), path


@pytest.mark.parametrize(
    "template", TEMPLATES, ids=[str(p.relative_to(ADDONS_ROOT)) for p in TEMPLATES]
)
def test_pot_has_every_code_string_and_field_label(template: Path) -> None:
    """Each ``self.env._("...")`` text and each explicit field label is in the template."""
    module = ADDONS_ROOT / template.relative_to(ADDONS_ROOT).parts[0]
    msgids = pot_msgids(template)
    for _name, _new, node, _path in model_classes(module):
        for call in ast.walk(node):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "_"
                and call.args
                and isinstance(call.args[0], ast.Constant)
            ):
                assert call.args[0].value in msgids, call.args[0].value
            if isinstance(call, ast.keyword) and call.arg in ("string", "help"):
                assert ast.literal_eval(call.value) in msgids, ast.literal_eval(call.value)


# Fields one series has and another lacks (18.0 / 19.0): data files name none of them;
# series.place_groups sets them.
SERIES_FIELDS = {
    "res.groups": {"category_id", "privilege_id", "users", "user_ids"},
    "res.users": {"groups_id", "group_ids"},
}


@pytest.mark.parametrize(
    "path", XML_FILES, ids=[str(p.relative_to(ADDONS_ROOT)) for p in XML_FILES]
)
def test_data_files_load_on_every_series(path: Path) -> None:
    """No record sets a field only some series have, no search view groups with
    ``expand`` or ``string`` (gone in 19.0's schema), no 19.0-only model."""
    root = parse_xml(path).getroot()
    for record in root.iter("record"):
        assert record.get("model") != "res.groups.privilege", record.get("id")
        names = {f.get("name") for f in record.findall("field")}
        assert not names & SERIES_FIELDS.get(record.get("model", ""), set()), record.get("id")
        if record.get("model") == "ir.ui.view":
            for search in record.iter("search"):
                for group in search.iter("group"):
                    assert not {"expand", "string"} & set(group.attrib), record.get("id")


def test_constraints_are_declared_through_the_series_seam() -> None:
    """Models declare database constraints with ``series.Constraint`` only: no
    ``_sql_constraints`` (ignored on 19.0) and no ``models.Constraint`` (absent on 18.0)."""
    for module in MODULES:
        for path in sorted(module.rglob("*.py")):
            if path.name == "series.py" or "tests" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            assert "_sql_constraints" not in source, path
            assert "models.Constraint" not in source, path

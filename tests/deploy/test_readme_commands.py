"""The README's and the deployment guide's commands, paths and links are real.

Every command they show either runs one of this repository's programs (which must exist,
be executable and accept the arguments shown) or a system tool from the list below; every
repository path they name exists; every relative link and its anchor resolves.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest
from epaper_satellite import cli
from epaper_satellite.config import locale_problem, timezone_problem
from epaper_satellite.drivers.registry import model_problem

from testbed.broker import mosquitto_users_script

from .markdown_text import ROOT, anchors, argv, code_spans, commands, links, shell_blocks

DOCS = [ROOT / "README.md", ROOT / "docs" / "deploy.md"]
# System tools the documents use; anything else must be a program of this repository.
SYSTEM_TOOLS = {
    "apt", "cat", "cd", "cp", "git", "install", "journalctl", "ln", "mkdir",
    "mosquitto_pub", "mosquitto_sub", "openssl", "pip3", "python3", "raspi-config", "scp",
    "systemctl", "useradd", "/opt/epaper-satellite/venv/bin/pip",
}  # fmt: skip
TOP_FOLDERS = (
    "bench|blueprints|custom_components|demo|deploy|docs|odoo_addon|satellite|scripts|testbed|tests"
)
REPO_PATH = re.compile(rf"^(?:\./|~/odoo-epaper/)?((?:{TOP_FOLDERS})/[\w./-]*)")
VENV_BIN = r"(?:/opt/epaper-satellite/venv/bin/|\.venv-satellite/bin/)"
SATELLITE = re.compile(rf"^{VENV_BIN}?epaper-satellite$")


def all_commands() -> list[tuple[str, str]]:
    """(document name, command) for every command of every document."""
    return [(doc.name, command) for doc in DOCS for command in commands(doc)]


def repository_program(word: str) -> Path | None:
    """The file of this repository that ``word`` runs, or None for any other program."""
    match = REPO_PATH.match(word)
    return ROOT / match.group(1) if match and "/" in word else None


def test_the_documents_show_the_deployment() -> None:
    """The guide holds each step's commands; the README points to it."""
    shown = {" ".join(argv(command)[:2]) for _, command in all_commands()}
    for step in (
        "deploy/mosquitto/epaper-mosquitto-users --out",
        "openssl req",
        "mosquitto_pub -h",
        "python3 -m",
        "epaper-satellite init",
        "epaper-satellite check",
    ):
        assert step in shown, step
    assert "docs/deploy.md" in links(ROOT / "README.md")


@pytest.mark.parametrize(("doc", "command"), all_commands())
def test_each_command_runs_a_known_program(doc: str, command: str) -> None:
    program = argv(command)[0]
    path = repository_program(program)
    if path is not None:
        assert path.is_file(), f"{doc}: {program} is not in the repository"
        assert os.access(path, os.X_OK), f"{doc}: {program} is not executable"
    else:
        assert program in SYSTEM_TOOLS or SATELLITE.match(program), f"{doc}: {command}"


@pytest.mark.parametrize(
    ("doc", "command"),
    [(d, c) for d, c in all_commands() if argv(c)[0].endswith("epaper-mosquitto-users")],
)
def test_broker_user_commands_parse_without_problems(doc: str, command: str) -> None:
    script = mosquitto_users_script()
    args = script.parse_args(argv(command)[1:])
    assert list(script.problems(args)) == [], f"{doc}: {command}"
    assert args.devices or args.remove, f"{doc}: {command} names no display"


@pytest.mark.parametrize(
    ("doc", "command"), [(d, c) for d, c in all_commands() if SATELLITE.match(argv(c)[0])]
)
def test_satellite_commands_parse_with_valid_answers(doc: str, command: str) -> None:
    args = cli._parser().parse_args(argv(command)[1:])
    if args.command == "init":
        assert model_problem(args.driver or "waveshare", args.model or "epd7in5_V2") is None
        assert args.timezone is None or timezone_problem(args.timezone) is None
        assert args.locale is None or locale_problem(args.locale) is None


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_repository_path_named_exists(doc: Path) -> None:
    words = [word for block in shell_blocks(doc) for word in block.split()]
    words += [word for span in code_spans(doc) for word in span.split()]
    named = set()
    for raw in words:
        word = re.sub(r"\[\w+\]$", "", raw.strip("'\"()`,;:"))
        match = REPO_PATH.match(word)
        if match and not re.search(r"[<>{}*]|\.\.\.", word):
            named.add(match.group(1).rstrip("."))
    assert named, f"{doc.name} names no repository path"
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == [], f"{doc.name} names paths the repository does not have"


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_link_and_anchor_resolves(doc: Path) -> None:
    broken = []
    for target in links(doc):
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = (doc.parent / path).resolve() if path else doc
        unknown_anchor = anchor and file.suffix == ".md" and anchor not in anchors(file)
        if not file.exists() or unknown_anchor:
            broken.append(target)
    assert broken == [], f"{doc.name}: links that lead nowhere"


def test_the_wheel_named_is_the_one_the_build_writes() -> None:
    """The guide copies and installs the file ``pip wheel ./satellite`` makes of this version."""
    project = tomllib.loads((ROOT / "satellite" / "pyproject.toml").read_text(encoding="utf-8"))
    name = project["project"]["name"].replace("-", "_")
    built = f"{name}-{project['project']['version']}-py3-none-any.whl"
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    named = set(re.findall(r"[\w.-]+\.whl", text))
    assert named == {built}

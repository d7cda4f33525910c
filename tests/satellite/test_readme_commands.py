"""satellite/README.md's epaper-satellite commands run as shown (or parse, where they
need a Pi, a broker or root)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from epaper_satellite import cli
from epaper_satellite.config import locale_problem, timezone_problem
from epaper_satellite.drivers.registry import model_problem
from PIL import Image

SATELLITE = Path(__file__).resolve().parents[2] / "satellite"
VENV_BIN = r"(?:/opt/epaper-satellite/venv/bin/|\.venv-satellite/bin/)"
PROGRAM = re.compile(rf"^(?:sudo (?:-u \w+ )?)?{VENV_BIN}?epaper-satellite\b")


def _commands() -> list[str]:
    """Every shell line of the README's ``sh`` blocks that runs epaper-satellite."""
    readme = (SATELLITE / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```sh\n(.*?)```", readme, flags=re.DOTALL):
        for raw in block.replace("\\\n", " ").splitlines():
            line = " ".join(raw.split())
            if PROGRAM.match(line):
                found.append(line)
    return found


def _argv(command: str) -> list[str]:
    return shlex.split(PROGRAM.sub("", command))


def test_the_readme_shows_init_check_and_render() -> None:
    kinds = {
        next(a for a in _argv(c) if not a.startswith("-") and "/" not in a) for c in _commands()
    }
    assert {"init", "check", "render"} <= kinds


@pytest.mark.parametrize("command", _commands())
def test_each_command_parses_with_valid_answers(command: str) -> None:
    """Flags the program knows, with values the configuration would accept."""
    args = cli._parser().parse_args(_argv(command))
    if args.command == "init":
        assert model_problem(args.driver or "waveshare", args.model or "epd7in5_V2") is None
        assert args.timezone is None or timezone_problem(args.timezone) is None
        assert args.locale is None or locale_problem(args.locale) is None


def test_the_render_example_runs_from_the_repository_root(tmp_path: Path) -> None:
    [command] = [c for c in _commands() if " render " in f" {c} "]
    (tmp_path / "satellite").mkdir()
    (tmp_path / "satellite" / "docs").symlink_to(SATELLITE / "docs")
    result = subprocess.run(
        [sys.executable, "-m", "epaper_satellite", *_argv(command)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = tmp_path / _argv(command)[_argv(command).index("--out") + 1]
    with Image.open(out) as image:
        assert image.size == (800, 480)

"""Write one benchmark's section of ``docs/benchmarks.md``.

Each benchmark owns a section between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->``; running it replaces only that section, so the
benchmarks can run separately and the file keeps all figures.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\n"
    "Figures written by the scripts in `bench/`;\n"
    "each section says the machine and date of its run.\n"
    "Run one with `scripts/py314 .venv/bin/python -m bench.<name>`.\n"
)


def machine() -> str:
    """Describe the machine a benchmark runs on, in one line."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def table(header: list[str], rows: list[list[object]]) -> str:
    """Return a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_section(
    name: str, title: str, body: str, path: Path = BENCHMARKS_MD, level: int = 2
) -> None:
    """Replace (or append) the section ``name`` of the benchmarks file (or of ``path``).

    ``level`` is the Markdown heading level of ``title``.
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"<!-- bench:{name} -->\n{'#' * level} {title}\n\n"
        f"Run: {stamp} on {machine()}.\n\n{body.strip()}\n<!-- /bench:{name} -->"
    )
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")

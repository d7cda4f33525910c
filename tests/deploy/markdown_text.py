"""What the tests read out of the project's Markdown: shell blocks, code spans, links, anchors.

Plain functions of a file's text, no pytest; the tests of the README's commands and of the
deployment guide use them.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", flags=re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *#*$", flags=re.MULTILINE)


def shell_blocks(path: Path) -> list[str]:
    """The ``sh`` fenced blocks of ``path``, indentation of a list item removed."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        if match.group(2) == "sh":
            indent = len(match.group(1))
            blocks.append("".join(line[indent:] for line in match.group(3).splitlines(True)))
    return blocks


def shell_lines(block: str) -> list[str]:
    """The commands of a shell block: continuations joined, comments and blank lines left out."""
    lines = []
    for raw in block.replace("\\\n", " ").splitlines():
        line = " ".join(raw.split("#", 1)[0].split()) if " #" in raw else " ".join(raw.split())
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def prose(path: Path) -> str:
    """The text of ``path`` without its fenced blocks."""
    return FENCE.sub("", path.read_text(encoding="utf-8"))


def code_spans(path: Path) -> list[str]:
    """Every inline code span outside the fenced blocks, line breaks made spaces."""
    return [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose(path))]


def commands(path: Path) -> list[str]:
    """Every command the file shows: lines of its ``sh`` blocks and code spans that run
    something, each split at ``&&`` into single commands."""
    found = [line for block in shell_blocks(path) for line in shell_lines(block)]
    found += [span for span in code_spans(path) if span.startswith(("sudo ", "scripts/"))]
    return [part.strip() for command in found for part in command.split("&&")]


def argv(command: str) -> list[str]:
    """The words of ``command`` with ``sudo`` (and ``sudo -u USER``) taken off."""
    words = shlex.split(command)
    if words[:1] == ["sudo"]:
        words = words[3:] if words[1:2] == ["-u"] else words[1:]
    return words


def links(path: Path) -> list[str]:
    """The targets of the Markdown links of ``path`` (outside fenced blocks)."""
    return LINK.findall(prose(path))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces made ``-``."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of the headings of ``path``."""
    return {slug(heading) for heading in HEADING.findall(prose(path))}

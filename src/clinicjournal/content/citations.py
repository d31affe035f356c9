"""Pandoc-style citations: ``[@key]`` and ``[@a; @b]`` in Markdown bodies."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Pandoc's citation key: starts with a letter, digit or _, may contain internal
# punctuation :.#$%&-+?<>~/ but not end with it.
KEY = r"[\w](?:[\w:.#$%&+?<>~/-]*[\w])?"
GROUP_RE = re.compile(r"\[\s*(-?@" + KEY + r"(?:\s*;\s*-?@" + KEY + r")*)\s*\](?!\()")
KEY_RE = re.compile(r"@(" + KEY + r")")
FENCE_RE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Citation:
    keys: tuple[str, ...]
    line: int  # 1-based line within the body


def find_citations(body: str) -> list[Citation]:
    """Every citation group in reading order, skipping fenced code and code spans."""
    found, fenced = [], False
    for number, line in enumerate(body.split("\n"), start=1):
        if FENCE_RE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        line = re.sub(r"`[^`]*`", "", line)
        for match in GROUP_RE.finditer(line):
            found.append(Citation(tuple(KEY_RE.findall(match.group(1))), number))
    return found


def number_references(body: str) -> dict[str, int]:
    """Reference key → its number, in order of first citation."""
    numbers: dict[str, int] = {}
    for citation in find_citations(body):
        for key in citation.keys:
            numbers.setdefault(key, len(numbers) + 1)
    return numbers

"""Pandoc-style citations: ``[@key]`` and ``[@a; @b]`` in Markdown bodies and
in the plain-text answers of an article's FAQ.

The body and the FAQ answers share one numbering: a source cited in both has one
number, and one first cited in an answer takes the next free number.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping
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


def find_text_citations(text: str) -> list[Citation]:
    """Every citation group of a plain-text field (an FAQ answer), in reading order.

    Such text is shown as written, not as Markdown: backticks mark no code there,
    so every group is a citation (the page renders each one, see render.py).
    """
    return [Citation(tuple(KEY_RE.findall(match.group(1))), text.count("\n", 0, match.start()) + 1)
            for match in GROUP_RE.finditer(text)]


def find_article_citations(body: str, faq: Iterable[Mapping[str, str]] | None = None
                           ) -> list[tuple[int | None, Citation]]:
    """Every citation group of an article in reading order, each with where it is:
    ``None`` for the body, else the index of the FAQ item whose answer has it."""
    found: list[tuple[int | None, Citation]] = [(None, c) for c in find_citations(body)]
    for i, item in enumerate(faq or ()):
        found += [(i, c) for c in find_text_citations(item.get("a") or "")]
    return found


def number_references(body: str, faq: Iterable[Mapping[str, str]] | None = None,
                      known: Container[str] | None = None) -> dict[str, int]:
    """Reference key → its number, in order of first citation in the body, then
    in the FAQ answers. With ``known``, keys not in it get no number, so an
    unknown key leaves no gap that would part the numbers from the Sources list."""
    numbers: dict[str, int] = {}
    for _where, citation in find_article_citations(body, faq):
        for key in citation.keys:
            if known is None or key in known:
                numbers.setdefault(key, len(numbers) + 1)
    return numbers

"""Checking and counting gettext catalogs: placeholders that must survive
translation, plural forms, and how much of the code's strings a catalog covers.

Pure functions over Babel catalogs, used by ``clinicjournal translate``
(:mod:`clinicjournal.cli.translate`) and its tests.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message


def message_key(message: Message) -> tuple:
    return (message.id if isinstance(message.id, str) else message.id[0], message.context)


def messages_of(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


# -- checks -------------------------------------------------------------------------

_PERCENT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0+-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
                      r"(?P<conv>[diouxXeEfFgGcrsa%])|%")
_BRACE = re.compile(r"\{\{|\}\}|\{(?P<field>[A-Za-z_]\w*|\d*)(?:[!:][^{}]*)?\}")


@dataclass
class Placeholders:
    named: set[str] = field(default_factory=set)  # "%(name)s"
    positional: list[str] = field(default_factory=list)  # "%s", "%d" in order
    braces: set[str] = field(default_factory=set)  # "{name}"
    stray_percent: bool = False


def placeholders(text: str) -> Placeholders:
    found = Placeholders()
    for m in _PERCENT.finditer(text):
        conv = m.group("conv")
        if conv is None:
            found.stray_percent = True
        elif conv == "%" and m.group("name") is None:
            continue  # "%%", a literal percent sign
        else:
            conv = "d" if conv in "iu" else conv
            if m.group("name") is not None:
                found.named.add(f"%({m.group('name')}){conv}")
            else:
                found.positional.append(f"%{conv}")
    for m in _BRACE.finditer(text):
        if m.group("field") is not None:
            found.braces.add("{" + m.group("field") + "}")
    return found


def _describe(required: set[str], allowed: set[str], got: set[str]) -> list[str]:
    dropped, added = sorted(required - got), sorted(got - allowed)
    if len(dropped) == 1 and len(added) == 1:
        return [f"changes {dropped[0]} to {added[0]}"]
    return [f"drops {p}" for p in dropped] + [f"has {p}, which the original does not have" for p in added]


def compare(translation: str, expected: Placeholders, formatted: bool,
            optional: set[str] = frozenset()) -> list[str]:
    """What is wrong with ``translation``'s placeholders, given the original's; the
    named placeholders in ``optional`` may be left out."""
    got = placeholders(translation)
    problems = _describe(expected.named - optional, expected.named, got.named)
    if got.positional != expected.positional:
        problems.append(f"has the placeholders {' '.join(got.positional) or 'none'} where the original has "
                        f"{' '.join(expected.positional) or 'none'} (the same ones, in the same order)")
    problems += _describe(expected.braces, expected.braces, got.braces)
    if formatted and got.stray_percent and not expected.stray_percent:
        problems.append("has a lone '%' that is not a placeholder; write '%%' for a percent sign")
    return problems


def single_valued_forms(catalog: Catalog) -> set[int]:
    """Plural forms used for exactly one number (Arabic's 0, 1 and 2; German's 1): there
    the number may be left out ("one minute"), as GNU msgfmt allows."""
    try:
        plural = gettext.c2py(catalog.plural_expr)
    except (ValueError, SyntaxError):
        return set()
    seen: dict[int, int] = {}
    for n in range(0, 2000):
        form = plural(n)
        seen[form] = seen.get(form, 0) + 1
    return {form for form, count in seen.items() if count == 1}


@dataclass(frozen=True)
class Problem:
    path: Path
    lineno: int | None
    msgid: str
    text: str

    def __str__(self) -> str:
        where = f"{shown_path(self.path)}:{self.lineno}" if self.lineno else shown_path(self.path)
        msgid = self.msgid.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'{where}: msgid "{msgid}": {self.text}'


def check_catalog(catalog: Catalog, path: Path, reference_plural_forms: str | None = None) -> list[Problem]:
    """Every translated, non-fuzzy entry whose placeholders do not match its msgid's
    (dropped, renamed or added, in each plural form), plural entries with the wrong
    number of forms or an empty form, and a Plural-Forms header that differs from
    ``reference_plural_forms`` (the core's, which the merged catalogs share)."""
    problems: list[Problem] = []
    if reference_plural_forms and catalog.plural_forms != reference_plural_forms:
        problems.append(Problem(path, 1, "", f"the header's Plural-Forms ({catalog.plural_forms}) differs from "
                                             f"the core catalog's ({reference_plural_forms}); every catalog of "
                                             "one language must use the same one"))
    singles = single_valued_forms(catalog)
    for message in messages_of(catalog):
        if message.fuzzy:
            continue
        formatted = "python-format" in message.flags or any(f.endswith(".html") for f, _ in message.locations)
        msgid = message_key(message)[0]

        def add(text: str) -> None:
            problems.append(Problem(path, message.lineno, msgid, text))

        if not message.pluralizable:
            if isinstance(message.string, (list, tuple)):
                add("has plural forms but the original is not a plural message")
            elif message.string:
                for text in compare(message.string, placeholders(message.id), formatted):
                    add(text)
            continue
        strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
        if not any(strings):
            continue  # untranslated: shown in English, counted by `stats`
        if len(strings) != catalog.num_plurals:
            add(f"has {len(strings)} plural forms; this language needs {catalog.num_plurals} "
                "(see Plural-Forms in the header)")
        singular, plural = placeholders(message.id[0]), placeholders(message.id[1])
        expected = Placeholders(singular.named | plural.named, plural.positional, singular.braces | plural.braces)
        num = {p for p in expected.named if p.startswith("%(num)")}
        for index, text in enumerate(strings):
            if not text:
                add(f"msgstr[{index}] is empty; translate every plural form (readers would see a blank)")
                continue
            for problem in compare(text, expected, formatted, num if index in singles else set()):
                add(f"msgstr[{index}] {problem}")
    return problems


def shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# -- stats --------------------------------------------------------------------------

@dataclass
class Counts:
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    not_in_po: int = 0  # source strings the .po does not have yet (run update)
    unused: int = 0  # entries in the .po the source no longer has

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> int:
        """Rounded down, so 100 means every string."""
        return 100 if not self.total else self.translated * 100 // self.total


def is_translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return bool(strings) and all(strings)


def count(catalog: Catalog | None, source: Catalog) -> Counts:
    """How much of ``source`` (the strings the code has now) ``catalog`` translates."""
    counts = Counts()
    have = {message_key(m): m for m in messages_of(catalog)} if catalog is not None else {}
    wanted = {message_key(m) for m in messages_of(source)}
    for key in wanted:
        message = have.get(key)
        if message is None:
            counts.untranslated += 1
            counts.not_in_po += 1
        elif message.fuzzy:
            counts.fuzzy += 1
        elif is_translated(message):
            counts.translated += 1
        else:
            counts.untranslated += 1
    counts.unused = len(set(have) - wanted)
    return counts

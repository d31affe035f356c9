"""What the Translations screens show: one catalog and locale as rows with
filters and progress figures, plural forms labelled with CLDR categories, and
placeholders as tokens. The views are in views_translations.py.

Who may edit which scope (decided here, documented in docs/admins.md):

* the **shared** (install-wide) catalogs of a language: network admins, and
  accounts a network admin granted that language (``catalog_grant``, made on the
  account page or with ``clinicjournal translate grant EMAIL LOCALE``: catalog_grants.py);
* a **site's own wording**: that site's site admins (every language of the
  site) and its translators (the languages their role names, or all).
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from flask import abort, current_app, g
from markupsafe import Markup, escape
from sqlalchemy import select

from ..i18n import checks
from ..i18n.extraction import extracted
from ..i18n.sources import (
    applied,
    edits_of,
    shipped,
    source_hash,
    strings_of,
)
from ..store import db
from ..store.catalog_models import CatalogEdit, CatalogGrant
from .roles import role_covers

FILTERS = ("all", "untranslated", "fuzzy", "failing", "browser", "source_changed")
SCOPES = ("shared", "site")


def directories() -> dict[str, Path]:
    return current_app.extensions["clinicjournal"].catalogs.directories


def directory_or_404(catalog: str) -> Path:
    found = directories().get(catalog)
    if found is None:
        abort(404)
    return found


def may_edit(scope: str, locale: str) -> bool:
    user = g.user
    if user.is_network_admin:
        return True
    if scope == "shared":
        return db.session().get(CatalogGrant, (user.id, locale)) is not None
    return "site_admin" in g.get("roles", set()) or role_covers("translator", locale)


def require_edit(scope: str, locale: str) -> None:
    """:raise 404: for a locale the site does not have or an unknown scope;
    :raise 403: unless the user may edit ``scope`` in ``locale``."""
    if scope not in SCOPES or locale not in g.admin_site.locales:
        abort(404)
    if not may_edit(scope, locale):
        abort(403)


def layers(catalog: str, locale: str, scope: str) -> tuple[dict, dict]:
    """(install-wide edits, this site's edits; the latter empty for the shared scope)."""
    sess = db.session()
    shared = edits_of(sess, catalog, locale, None)
    own = edits_of(sess, catalog, locale, g.admin_site.id) if scope == "site" else {}
    return shared, own


@dataclass
class Row:
    source: Message
    strings: list[str]
    fuzzy: bool
    shipped: list[str]
    edit: CatalogEdit | None  # the one this scope's saves change
    inherited: bool  # site scope: the text comes from the shared catalog (no own wording)
    problems: list[str] = field(default_factory=list)
    source_changed: bool = False

    @property
    def msgid(self) -> str:
        return self.source.id[0] if self.source.pluralizable else self.source.id

    @property
    def plural(self) -> str:
        return self.source.id[1] if self.source.pluralizable else ""

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.strings) and all(self.strings)

    @property
    def state(self) -> str:
        return "fuzzy" if self.fuzzy else "translated" if self.translated else "untranslated"


def rows(catalog: str, locale: str, scope: str) -> tuple[list[Row], checks.Counts, Catalog]:
    """Every message of the template, as readers of this scope get it, with the
    figures ``translate stats`` gives for the same catalog (browser edits applied)."""
    directory = directory_or_404(catalog)
    template = extracted(catalog, directory)  # the strings of the code, as `translate stats` counts
    shared, own = layers(catalog, locale, scope)
    view = applied(directory, locale, [shared, own], template)
    files = shipped(directory, locale)
    failing = {p.msgid for p in checks.check_catalog(view, Path(catalog))}
    mine = own if scope == "site" else shared
    result = []
    for source in checks.messages_of(template):
        key = checks.message_key(source)
        message = view.get(*key)
        shipped_message = files.get(*key) if files is not None else None
        edit = mine.get(key)
        row = Row(source=source, strings=strings_of(message) if message else [],
                  fuzzy=bool(message and message.fuzzy), shipped=strings_of(shipped_message) if shipped_message else [],
                  edit=edit, inherited=scope == "site" and edit is None)
        if key[0] in failing:
            row.problems = ["fails a check"]
        plural = source.id[1] if source.pluralizable else ""
        any_edit = own.get(key) or shared.get(key)
        row.source_changed = (any_edit is not None and any_edit.source_hash != source_hash(key[0], plural)) or bool(
            shipped_message is not None and shipped_message.fuzzy and shipped_message.previous_id)
        result.append(row)
    return result, checks.count(view, template), view


def matching(found: list[Row], which: str, query: str) -> list[Row]:
    """The rows the filter ``which`` and the search ``query`` (source or translation) keep."""
    keep = {
        "all": lambda r: True,
        "untranslated": lambda r: r.state == "untranslated",
        "fuzzy": lambda r: r.fuzzy,
        "failing": lambda r: bool(r.problems),
        "browser": lambda r: r.edit is not None,
        "source_changed": lambda r: r.source_changed,
    }.get(which, lambda r: True)
    needle = query.casefold().strip()
    return [r for r in found if keep(r) and (not needle or needle in " ".join(
        [r.msgid, r.plural, *r.strings, r.source.context or ""]).casefold())]


@dataclass(frozen=True)
class Form:
    index: int
    category: str  # CLDR: zero, one, two, few, many, other
    examples: str  # "3–10, 103–110, …"


def _ranges(numbers: list[int], limit: int = 3) -> str:
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    shown = [f"{a}" if a == b else f"{a}–{b}" for a, b in spans[:limit]]
    more = len(spans) > limit or spans[-1][1] == 1000  # 1000: where the sample stops
    return ", ".join(shown) + (", …" if more else "")


def plural_forms(locale: str, plural_expr: str | None = None) -> list[Form]:
    """One :class:`Form` per msgstr[n] of ``locale``: Babel's CLDR category of the numbers
    it is used for, and the first of them ("few: 3–10, 103–110, …" in Arabic)."""
    try:
        expr = plural_expr or get_plural(locale).plural_expr
        choose = gettext.c2py(expr)
        rule = Locale.parse(locale).plural_form
    except (ValueError, SyntaxError):
        return [Form(0, "one", "1"), Form(1, "other", "0, 2–…")]
    used: dict[int, list[int]] = {}
    for n in range(0, 1001):
        used.setdefault(choose(n), []).append(n)
    for n in (1_000_000, 2_000_000):  # French "many": only millions
        if choose(n) not in used:
            used[choose(n)] = [n]
    return [Form(i, rule(numbers[0]), _ranges(numbers)) for i, numbers in sorted(used.items())]


def with_tokens(text: str) -> Markup:
    """``text`` escaped, each placeholder (``%(name)s``, ``%d``, ``{name}``) as a token."""
    spans = sorted([(m.start(), m.end()) for m in checks._PERCENT.finditer(text) if m.group(0) not in ("%%", "%")]
                   + [(m.start(), m.end()) for m in checks._BRACE.finditer(text) if m.group("field") is not None])
    out, at = [], 0
    for start, end in spans:
        if start < at:
            continue
        out.append(escape(text[at:start]))
        out.append(Markup('<code class="ph" dir="ltr">{}</code>').format(text[start:end]))
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


def grants(user_id: int) -> list[str]:
    return list(db.session().scalars(select(CatalogGrant.locale).where(CatalogGrant.user_id == user_id)))

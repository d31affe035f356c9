"""The server's UI catalogs, read straight from the ``.po`` files.

Nothing is compiled into the folders the code runs from: a checkout stays
clean after a server run and an installed wheel is never written to. Each
entry passes the checks ``translate check`` runs (placeholders, plural
forms against Babel's rule for the language); an entry that fails is left
out, so readers see the source string, and a warning names its file and line.

One :class:`Catalogs` per app (``app.extensions["clinicjournal"].catalogs``),
merged per language on first use: core first, then each plugin's catalog. The
translations edited in the browser are laid over them (:mod:`.layer`).
"""

from __future__ import annotations

import gettext
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import current_app, g
from flask_babel import Domain, get_locale
from sqlalchemy.exc import SQLAlchemyError

from ..store import db
from .checks import Problem, check_catalog, messages_of

log = logging.getLogger("clinicjournal.i18n")


def po_path(directory: Path, locale: str) -> Path:
    return directory / locale / "LC_MESSAGES" / "messages.po"


def plural_rule_problem(catalog: Catalog, path: Path, locale: str) -> Problem | None:
    """A problem when the header's Plural-Forms picks other forms than Babel's CLDR rule
    for ``locale`` (compared by the form chosen for each number, not as text)."""
    try:
        expected = get_plural(locale)
    except ValueError:
        return None  # a locale Babel has no rule for: the header is all there is
    try:
        declared, wanted = gettext.c2py(catalog.plural_expr), gettext.c2py(expected.plural_expr)
        agrees = catalog.num_plurals == expected.num_plurals and all(
            declared(n) == wanted(n) for n in (*range(0, 250), 1000, 1_000_000, 2_000_000))
    except (ValueError, SyntaxError):
        agrees = False
    if agrees:
        return None
    return Problem(path, 1, "", f"the header's Plural-Forms ({catalog.plural_forms}) is not this language's "
                                f"rule ({expected.plural_forms}); set it, then give every plural entry "
                                f"{expected.num_plurals} forms")


@dataclass
class LoadedCatalog:
    path: Path
    translations: Translations
    ignored: list[Problem] = field(default_factory=list)


def load_checked(po: Path, locale: str) -> LoadedCatalog:
    """``po`` as translations, without its fuzzy entries and the entries that fail a check.

    :raise OSError, ValueError: when the file cannot be read or parsed at all.
    """
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    ignored = check_catalog(catalog, po)
    rule = plural_rule_problem(catalog, po, locale)
    if rule is not None:
        ignored.append(rule)
    bad_lines = {p.lineno for p in ignored if p.msgid}
    for message in list(messages_of(catalog)):
        if message.lineno in bad_lines or (rule is not None and message.pluralizable):
            catalog.delete(message.id, message.context)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return LoadedCatalog(po, Translations(buffer), ignored)


class Catalogs:
    """Every catalog folder of the app (``core`` and each plugin's), merged per locale."""

    def __init__(self, directories: dict[str, Path]) -> None:
        self.directories = directories
        self._merged: dict[str, Translations] = {}
        self.ignored: dict[Path, list[Problem]] = {}

    def translations(self, locale: str) -> Translations | NullTranslations:
        merged = self._merged.get(locale)
        if merged is None:
            merged = self._merged[locale] = self._merge(locale)
        return merged

    def _merge(self, locale: str) -> Translations:
        merged = Translations()
        try:
            merged.plural = gettext.c2py(get_plural(locale).plural_expr)
        except ValueError:
            pass
        for name, directory in self.directories.items():
            po = po_path(directory, locale)
            if not po.is_file():
                continue
            try:
                loaded = load_checked(po, locale)
            except (OSError, ValueError) as exc:
                log.warning("catalog %s (%s) not loaded: %s; fix the file, then check it with "
                            "`clinicjournal translate check`", po, name, exc)
                continue
            for problem in loaded.ignored:
                log.warning("%s: entry ignored, readers see the source text; run "
                            "`clinicjournal translate check` for the list", problem)
            self.ignored[po] = loaded.ignored
            merged.merge(loaded.translations)
        return merged


class CatalogDomain(Domain):
    """flask-babel's domain, answered from :class:`Catalogs` instead of ``.mo`` files."""

    def __init__(self, catalogs: Catalogs, layer=None) -> None:
        super().__init__()
        self.catalogs = catalogs
        self.layer = layer  # a layer.Layered: the browser edits over the files

    def get_translations(self):
        locale = get_locale()
        if locale is None:
            return NullTranslations()
        layer = self.layer
        if layer is None:
            return self.catalogs.translations(str(locale))
        # The registry read the config generation for this request (web.sites.resolve_site,
        # admin.ui): the edits are read again only when it moved.
        state = current_app.extensions["clinicjournal"]
        try:
            layer.sync(state.sites.generation, db.session())
        except SQLAlchemyError as exc:  # an error page while the database is away: the files alone
            log.warning("browser translations not read again: %s", exc)
        site = g.get("site")
        return layer.translations(str(locale), site.id if site is not None else None)

"""Browser edits (``catalog_edit`` rows) layered over the shipped catalogs.

Per locale the shipped ``.po`` files give one merged :class:`Translations`
(:class:`~.catalogs.Catalogs`); this module lays the install-wide edits of that
locale over it, then a site's own wording over that, and keeps each result per
(site, locale) until the config generation moves. A save commits with a bump of
the config generation (:mod:`.edits`), so every worker on every host reloads the
rows on its next request: one query per worker after each change, none otherwise.

A fuzzy or empty edit takes the message out (readers see the source text), as a
fuzzy entry in a ``.po`` is left out; an edit for a plural message with the
wrong number of forms is ignored (the save refuses one, so only a hand-made row
could be like that).
"""

from __future__ import annotations

import threading
from collections import defaultdict

from babel.support import NullTranslations, Translations
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.catalog_models import CatalogEdit

#: (site id or None, locale) → [(msgctxt, msgid, msgid_plural, strings or None)]
Layers = dict[tuple[int | None, str], list[tuple[str, str, str, list[str] | None]]]
_NOT_SYNCED = object()


def load_layers(sess: Session) -> Layers:
    """Every edit, grouped by scope and locale (one query)."""
    layers: Layers = defaultdict(list)
    rows = sess.execute(select(CatalogEdit.site_id, CatalogEdit.locale, CatalogEdit.msgctxt, CatalogEdit.msgid,
                               CatalogEdit.msgid_plural, CatalogEdit.strings, CatalogEdit.fuzzy)
                        .order_by(CatalogEdit.id))
    for site_id, locale, ctxt, msgid, plural, strings, fuzzy in rows:
        usable = list(strings or []) if not fuzzy and strings and all(strings) else None
        layers[(site_id, locale)].append((ctxt or "", msgid, plural or "", usable))
    return dict(layers)


def lookup_key(ctxt: str, msgid: str) -> str:
    """The key Python's gettext files a message under (context, EOT, msgid)."""
    return f"{ctxt}\x04{msgid}" if ctxt else msgid


def apply(catalog: dict, entries, num_plurals: int | None) -> None:
    """Lay ``entries`` over ``catalog`` (a Translations' ``_catalog``) in place."""
    for ctxt, msgid, plural, strings in entries:
        key = lookup_key(ctxt, msgid)
        if not plural:
            catalog.pop(key, None)
            if strings:
                catalog[key] = strings[0]
            continue
        if strings is not None and num_plurals is not None and len(strings) != num_plurals:
            continue
        for index in range(max(num_plurals or 0, 6)):
            catalog.pop((key, index), None)
        for index, text in enumerate(strings or []):
            catalog[(key, index)] = text


def layered(base: Translations | NullTranslations, layers: Layers, locale: str,
            site_id: int | None) -> Translations | NullTranslations:
    """``base`` with the install-wide edits of ``locale`` and then ``site_id``'s laid over
    it; ``base`` itself when there are none (no copy for a locale nobody edited)."""
    scopes = [layers.get((None, locale), [])] + ([layers.get((site_id, locale), [])] if site_id else [])
    if not any(scopes):
        return base
    result = Translations()
    result.plural = getattr(base, "plural", result.plural)
    result._catalog = dict(getattr(base, "_catalog", {}))
    num = _num_plurals(result)
    for entries in scopes:
        apply(result._catalog, entries, num)
    return result


def _num_plurals(translations) -> int | None:
    try:
        return len({translations.plural(n) for n in range(0, 250)})
    except Exception:  # a NullTranslations' rule, or none
        return None


class Layered:
    """The per-app cache of layered translations, dropped when the generation moves."""

    def __init__(self, catalogs) -> None:
        self.catalogs = catalogs
        self.layers: Layers = {}
        self.generation = _NOT_SYNCED
        self._results: dict[tuple[int | None, str], Translations | NullTranslations] = {}
        self._lock = threading.Lock()

    def sync(self, generation, sess: Session) -> None:
        """Read the edits again if ``generation`` (the site registry's) is not the one
        they were read at."""
        if generation == self.generation:
            return
        with self._lock:
            if generation == self.generation:
                return
            self.layers = load_layers(sess)
            self._results = {}
            self.generation = generation

    def translations(self, locale: str, site_id: int | None) -> Translations | NullTranslations:
        # only sites with their own wording get their own copy
        key = (site_id if (site_id, locale) in self.layers else None, locale)
        found = self._results.get(key)
        if found is None:
            found = self._results[key] = layered(self.catalogs.translations(locale), self.layers, locale, key[0])
        return found

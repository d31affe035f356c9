"""A catalog as translators work on it: the template's messages, the shipped
``.po``'s translations and the browser edits laid over them.

:func:`applied` builds a Babel :class:`Catalog` with the edits of one scope
applied; the admin's list and progress figures, the ``.po`` download and
``clinicjournal translate export`` all read it, so they agree with each other
and with ``translate stats`` (which counts the same way, :func:`.checks.count`).
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.catalog_models import CatalogEdit
from .catalogs import po_path
from .checks import message_key, messages_of


def source_hash(msgid: str, msgid_plural: str = "") -> str:
    """What a translation was made for: the source text, singular and plural."""
    return hashlib.sha256(f"{msgid}\0{msgid_plural}".encode()).hexdigest()


def template_of(directory: Path) -> Catalog:
    """The catalog's ``messages.pot`` (empty when there is none yet)."""
    pot = directory / "messages.pot"
    if not pot.is_file():
        return Catalog()
    with pot.open("rb") as fh:
        return read_po(fh)


def shipped(directory: Path, locale: str) -> Catalog | None:
    """The ``.po`` as committed, or None when the language has none in this catalog."""
    po = po_path(directory, locale)
    if not po.is_file():
        return None
    with po.open("rb") as fh:
        return read_po(fh, locale=locale)


def edits_of(sess: Session, catalog: str, locale: str, site_id: int | None) -> dict[tuple, CatalogEdit]:
    """(msgid, msgctxt or None) → edit, for one scope (install-wide when ``site_id`` is None)."""
    rows = sess.scalars(select(CatalogEdit).where(
        CatalogEdit.catalog == catalog, CatalogEdit.locale == locale,
        CatalogEdit.site_id.is_(None) if site_id is None else CatalogEdit.site_id == site_id))
    return {(e.msgid, e.msgctxt or None): e for e in rows}


def strings_of(message: Message) -> list[str]:
    if isinstance(message.string, (list, tuple)):
        return list(message.string)
    return [message.string or ""]


def put(message: Message, edit: CatalogEdit) -> None:
    """Write ``edit``'s translation and fuzzy mark into ``message``."""
    strings = list(edit.strings or [])
    message.string = tuple(strings) if message.pluralizable else (strings[0] if strings else "")
    if edit.fuzzy:
        message.flags.add("fuzzy")
    else:
        message.flags.discard("fuzzy")


def applied(directory: Path, locale: str, layers: list[dict[tuple, CatalogEdit]],
            template: Catalog | None = None) -> Catalog:
    """The shipped ``.po`` (a new one for ``locale`` when there is none) with each of
    ``layers`` laid over it in turn. A message an edit names that the ``.po`` lacks is
    added from ``template`` (the code's strings; default: the ``.pot``)."""
    found = shipped(directory, locale)
    catalog = found if found is not None else Catalog(locale=locale, fuzzy=False)
    for layer in layers:
        for key, edit in layer.items():
            message = catalog.get(*key)
            if message is None:
                template = template if template is not None else template_of(directory)
                source = template.get(*key)
                if source is None:  # an edit of a message the code no longer has: kept, not shown here
                    continue
                message = copy.copy(source)
                message.flags = set(source.flags)
                catalog[message.id] = message
                message = catalog.get(*key)
            put(message, edit)
    return catalog


def keys(catalog: Catalog | None) -> set[tuple]:
    return {message_key(m) for m in messages_of(catalog)} if catalog is not None else set()


def source_message(directory: Path, msgid: str, msgctxt: str | None = None) -> Message | None:
    """The template's entry for ``msgid`` (in ``msgctxt``), or None."""
    return template_of(directory).get(msgid, msgctxt or None)

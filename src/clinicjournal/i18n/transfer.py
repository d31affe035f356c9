"""Catalogs in and out as ``.po`` files, and keeping browser edits in step with the code.

* :func:`po_bytes`: a catalog (browser edits applied, :func:`.sources.applied`) as
  a ``.po`` that ``msgfmt --check`` accepts; the download and ``translate export``.
* :func:`upload`: a translator's ``.po`` taken entry by entry, each checked as a
  browser save is; a report of what was taken and what was refused, and why.
* :func:`mark_source_changes`: after ``translate update``, a browser edit whose
  source text changed becomes fuzzy (moved to the closest new msgid when the
  msgid itself changed), and is never dropped.
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.catalog_models import CatalogEdit, CatalogRevision
from . import edits
from .checks import message_key, messages_of
from .extraction import extracted
from .sources import applied, edits_of, source_hash, strings_of


def po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76, include_previous=True, ignore_obsolete=True)
    return buffer.getvalue()


def export(directory: Path, sess: Session, catalog: str, locale: str, site_id: int | None = None) -> bytes:
    """The ``.po`` of ``catalog`` in ``locale`` with the install-wide edits applied (and
    ``site_id``'s own wording over them, when given)."""
    layers = [edits_of(sess, catalog, locale, None)]
    if site_id is not None:
        layers.append(edits_of(sess, catalog, locale, site_id))
    return po_bytes(applied(directory, locale, layers, extracted(catalog, directory)))


@dataclass
class Report:
    taken: list[str] = field(default_factory=list)
    unchanged: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (msgid, why)


def upload(sess: Session, directory: Path, catalog: str, locale: str, site_id: int | None, data: bytes,
           actor) -> Report:
    """Take each entry of the ``.po`` in ``data`` that is translated and passes the
    checks; the caller commits (all the taken ones at once).

    :raise ValueError: when ``data`` is not a ``.po`` file at all.
    """
    uploaded = read_po(io.BytesIO(data), locale=locale)
    template = extracted(catalog, directory)
    current = applied(directory, locale, [edits_of(sess, catalog, locale, None)]
                      + ([edits_of(sess, catalog, locale, site_id)] if site_id else []), template)
    report = Report()
    for message in messages_of(uploaded):
        key = message_key(message)
        source = template.get(*key)
        if source is None:
            report.refused.append((key[0], "not one of this catalog's messages (an old or misspelt msgid)"))
            continue
        strings = strings_of(message)
        now = current.get(*key)
        if not any(strings) or (now is not None and strings_of(now) == strings and now.fuzzy == message.fuzzy):
            report.unchanged += 1
            continue
        edit = edits.find(sess, catalog, locale, site_id, key[0], key[1] or "")
        try:
            with sess.begin_nested():
                edits.save(sess, catalog=catalog, locale=locale, site_id=site_id, source=source, strings=strings,
                           fuzzy=message.fuzzy, expected_version=edit.version if edit else 0, actor=actor,
                           baseline=edits.baseline_of(now), note="upload",
                           plural_forms=uploaded.plural_forms if source.pluralizable else None)
        except edits.Refused as refused:
            why = "; ".join(f"msgstr[{i}] {t}" if i >= 0 and source.pluralizable else t
                            for i, texts in refused.problems.items() for t in texts) or "wrong number of plural forms"
            report.refused.append((key[0], why))
        else:
            report.taken.append(key[0])
    return report


def mark_source_changes(sess: Session, catalog: str, template: Catalog) -> list[tuple[str, str]]:
    """Browser edits of ``catalog`` whose source is no longer the template's become fuzzy.

    An edit whose msgid is gone is copied, fuzzy, to the template's closest msgid
    (as ``msgmerge`` guesses) when that has no edit of its own; the old row stays
    (fuzzy) so nothing typed is lost. Returns (old msgid, what happened) pairs.
    """
    wanted = {message_key(m): m for m in messages_of(template)}
    ids = [k[0] for k in wanted]
    changed = []
    for edit in sess.scalars(select(CatalogEdit).where(CatalogEdit.catalog == catalog)):
        source = wanted.get((edit.msgid, edit.msgctxt or None))
        if source is not None:
            plural = source.id[1] if source.pluralizable else ""
            if edit.source_hash == source_hash(edit.msgid, plural) or edit.fuzzy:
                continue
            _fuzz(sess, edit, "source changed")
            changed.append((edit.msgid, "source changed: fuzzy"))
            continue
        if edit.fuzzy and edit.source_hash == "":
            continue
        guess = difflib.get_close_matches(edit.msgid, ids, n=1, cutoff=0.6)
        if guess and edits.find(sess, catalog, edit.locale, edit.site_id, guess[0], edit.msgctxt) is None:
            new = wanted[(guess[0], edit.msgctxt or None)]
            strings = list(edit.strings)
            count = len(strings) if new.pluralizable else 1
            moved = CatalogEdit(catalog=catalog, locale=edit.locale, site_id=edit.site_id, scope=edit.scope,
                                msgctxt=edit.msgctxt, msgid=guess[0], msgid_plural=new.id[1] if new.pluralizable else "",
                                strings=strings[:count] or [""], fuzzy=True, source_hash="",
                                updated_by_label="translate update")
            sess.add(moved)
            sess.flush()
            sess.add(CatalogRevision(edit_id=moved.id, strings=moved.strings, fuzzy=True,
                                     saved_by_label="translate update", note=f"from the old msgid {edit.msgid[:200]}"))
            changed.append((edit.msgid, f"moved to {guess[0]!r}, fuzzy"))
        else:
            changed.append((edit.msgid, "no longer in the code: kept, fuzzy"))
        _fuzz(sess, edit, "no longer in the code")
        edit.source_hash = ""
        edits.announce(sess, edit.locale, edit.site_id)
    return changed


def _fuzz(sess: Session, edit: CatalogEdit, note: str) -> None:
    edit.fuzzy = True
    sess.add(CatalogRevision(edit_id=edit.id, strings=list(edit.strings), fuzzy=True,
                             saved_by_label="translate update", note=note))
    edits.announce(sess, edit.locale, edit.site_id)

"""Saving a translation edited in the browser: checked as ``translate check``
checks a ``.po`` entry, locked against a stale copy, kept as a revision, and
committed with a bump of the config generation so every worker serves it on
its next request.

Cached pages are retired only where the edit shows: the session notes
``(locale, hosts)`` in ``sess.info["retire_pages"]`` (``hosts`` None for an
install-wide edit, else the site's host names) and the page cache moves those
scoped generations after the commit (web/cache.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import db
from ..store.catalog_models import CatalogEdit, CatalogRevision
from ..store.hosts import LOCAL_SUFFIX
from ..store.models import Site, User, utcnow
from .catalogs import plural_rule_problem
from .checks import check_catalog
from .sources import source_hash, strings_of


class StaleEdit(Exception):
    """Someone saved the message since this copy was opened; ``current`` is their edit."""

    def __init__(self, current: CatalogEdit | None) -> None:
        super().__init__("changed meanwhile")
        self.current = current


@dataclass
class Refused(Exception):
    """The translation fails a check: form index → what is wrong (index -1: the message as a whole)."""

    problems: dict[int, list[str]] = field(default_factory=dict)


def check(locale: str, source: Message, strings: list[str], plural_forms: str | None = None) -> dict[int, list[str]]:
    """What ``translate check`` would say of ``strings`` as the translation of ``source``,
    by plural form (``{}``: nothing). Empty is allowed: it means untranslated."""
    if not any(strings):
        return {}
    catalog = Catalog(locale=locale)
    if plural_forms:
        catalog.mime_headers = [("Plural-Forms", plural_forms)]
    string = tuple(strings) if source.pluralizable else strings[0]
    catalog.add(source.id, string, locations=source.locations, flags=source.flags - {"fuzzy"},
                context=source.context)
    found: dict[int, list[str]] = {}
    problems = check_catalog(catalog, Path("browser"))
    rule = plural_rule_problem(catalog, Path("browser"), locale) if source.pluralizable else None
    for problem in problems + ([rule] if rule else []):
        text, index = problem.text, -1
        if text.startswith("msgstr["):
            index, text = int(text[7:text.index("]")]), text[text.index("]") + 2:]
        elif not source.pluralizable:
            index = 0
        found.setdefault(index, []).append(text)
    if source.pluralizable and len(strings) != catalog.num_plurals:
        found.setdefault(-1, [])
    for index, string in enumerate(strings):
        for problem in markup_problems(source, string):
            found.setdefault(index, []).append(problem)
    return found


#: characters that are code in a page: templates take a translation as trusted markup
#: (Jinja's i18n), so one typed in the browser could open a tag or leave an attribute
CODE_CHARACTERS = ("<", ">", '"')


def markup_problems(source: Message, string: str) -> list[str]:
    """A translation made outside the code (browser, upload) may not carry more ``<``, ``>``
    or ``"`` than its source: shipped catalogs are reviewed as code, these are not.
    In English, like the other checks (i18n/checks.py)."""
    ids = source.id if isinstance(source.id, tuple) else (source.id,)
    problems = []
    for character in CODE_CHARACTERS:
        allowed = max(text.count(character) for text in ids)
        if string.count(character) > allowed:
            advice = " Use typographic quotes (“ ”, „ “, « ») instead." if character == '"' else ""
            problems.append(f"{character} appears {string.count(character)} time(s), the original has {allowed}: "
                            f"it is code in a web page, so a translation may not add it.{advice}")
    return problems


def find(sess: Session, catalog: str, locale: str, site_id: int | None, msgid: str, msgctxt: str) -> CatalogEdit | None:
    return sess.scalar(select(CatalogEdit).where(
        CatalogEdit.catalog == catalog, CatalogEdit.locale == locale, CatalogEdit.scope == (site_id or 0),
        CatalogEdit.msgid == msgid, CatalogEdit.msgctxt == msgctxt))


def site_hosts(sess: Session, site_id: int) -> tuple[str, ...] | None:
    """The host names the site's pages are cached under; None (every page of the
    locale) for the DEFAULT_SITE, which answers hosts nobody claimed."""
    site = sess.get(Site, site_id)
    if site is None or site.slug == current_app.config.get("DEFAULT_SITE"):
        return None
    return (*(h.name for h in site.hosts), f"{site.slug}{LOCAL_SUFFIX}")


def announce(sess: Session, locale: str, site_id: int | None) -> None:
    """Bump the config generation (every worker reads the edits again) and note which
    cached pages to retire after the commit: ``locale``'s, or only ``site_id``'s."""
    db.bump_config_generation(sess, retire_pages=False)
    hosts = site_hosts(sess, site_id) if site_id else None
    sess.info.setdefault("retire_pages", set()).add((locale, hosts))


def save(sess: Session, *, catalog: str, locale: str, site_id: int | None, source: Message,
         strings: list[str], fuzzy: bool, expected_version: int | None, actor: User | str | None,
         baseline: tuple[list[str], bool] | None = None, note: str = "",
         plural_forms: str | None = None) -> CatalogEdit:
    """Store ``strings`` as the translation of ``source`` in one scope; the caller commits.

    ``expected_version`` is the edit's version the translator's copy was made from
    (0 or None: there was no edit yet); ``baseline`` the text before any edit (the
    ``.po``'s), kept as the first revision so a revert can go back to it.

    :raise Refused: when the translation fails a check.
    :raise StaleEdit: when the message was saved meanwhile.
    """
    strings = [s.replace("\r\n", "\n") for s in strings]
    problems = check(locale, source, strings, plural_forms)
    if problems:
        raise Refused(problems)
    msgid = source.id[0] if source.pluralizable else source.id
    plural = source.id[1] if source.pluralizable else ""
    edit = find(sess, catalog, locale, site_id, msgid, source.context or "")
    if (edit.version if edit is not None else 0) != (expected_version or 0):
        raise StaleEdit(edit)
    label = actor.email if isinstance(actor, User) else (actor or "cli")
    user_id = actor.id if isinstance(actor, User) else None
    first = edit is None
    if first:
        edit = CatalogEdit(catalog=catalog, locale=locale, site_id=site_id, scope=site_id or 0,
                           msgctxt=source.context or "", msgid=msgid)
        sess.add(edit)
    edit.strings, edit.fuzzy, edit.msgid_plural = list(strings), bool(fuzzy), plural
    edit.source_hash = source_hash(msgid, plural)
    edit.updated_at, edit.updated_by, edit.updated_by_label = utcnow(), user_id, label[:320]
    sess.flush()  # one flush per save: the version moves by exactly one
    if first and baseline is not None:
        sess.add(CatalogRevision(edit_id=edit.id, strings=list(baseline[0]), fuzzy=baseline[1],
                                 saved_by_label="", note="shipped"))
    sess.add(CatalogRevision(edit_id=edit.id, strings=list(strings), fuzzy=bool(fuzzy), saved_by=user_id,
                             saved_by_label=label[:320], note=note[:300]))
    announce(sess, locale, site_id)
    return edit


def history(sess: Session, edit: CatalogEdit) -> list[CatalogRevision]:
    """The edit's revisions, newest first."""
    return list(sess.scalars(select(CatalogRevision).where(CatalogRevision.edit_id == edit.id)
                             .order_by(CatalogRevision.id.desc())))


def revision_of(sess: Session, edit: CatalogEdit, revision_id: int) -> CatalogRevision | None:
    return sess.scalar(select(CatalogRevision).where(CatalogRevision.id == revision_id,
                                                     CatalogRevision.edit_id == edit.id))


def baseline_of(message: Message | None) -> tuple[list[str], bool]:
    if message is None:
        return [], False
    return strings_of(message), message.fuzzy

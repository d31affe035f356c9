"""Starting a translation (``/articles/new?from=<id>&locale=xx``): the language
it goes into, what it takes over from its source, and the source text the form
shows beside itself.

A translation takes over what makes it *the same article* in another language
(its translation key, category, type, author and references); its words, its
slug and its dates are the translator's, so those fields start empty rather
than holding source text that could be saved, and published, untranslated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content import publishing
from ..content.authoring import ArticleData
from ..content.writing import to_data
from ..store.models import Article
from .editing import references_text
from .roles import article_or_404, can_edit_locale


@dataclass
class Translation:
    """A translation being started: its source and the language it goes into."""

    source: Article
    text: ArticleData  # the source's row: the text readers get (a draft's saved text while nothing is live)
    locale: str
    state: str  # the source's public state (publishing.public_state)
    waiting: bool  # the source has saved changes readers do not see yet
    existing: int | None  # the id of a version already written in ``locale``


def source_id(raw: str | None) -> int | None:
    """The ``from`` parameter as an article id, None when absent or not a plain number."""
    raw = (raw or "").strip()
    # not "²", nor past an INTEGER
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def _versions(sess: Session, source: Article) -> dict[str, int]:
    """Locale → id of every version of the source's article (itself included)."""
    return dict(sess.execute(select(Article.locale, Article.id).where(
        Article.site_id == source.site_id, Article.translation_key == source.translation_key)).all())


def target_locale(site, source: Article, requested: str, present: dict[str, int]) -> str | None:
    """The language to translate into: the one asked for when this member may
    write it, else the first the article still lacks, else any other they may write."""
    others = [loc for loc in site.locales if loc != source.locale and can_edit_locale(loc)]
    if requested in others:
        return requested
    missing = [loc for loc in others if loc not in present]
    return (missing or others or [None])[0]


def translation(sess: Session, site, raw_id: str | None, locale: str, *,
                exact: bool = False) -> Translation | None:
    """The translation of article ``raw_id`` of *this* site into ``locale`` (or the
    language :func:`target_locale` picks, unless ``exact``: a submitted form's own
    language); None without a ``from`` id.

    :raise 404: for an article of another site, or when this member may write no
        language other than the source's.
    """
    wanted = source_id(raw_id)
    if wanted is None:
        return None
    source = article_or_404(wanted)
    present = _versions(sess, source)
    chosen = locale if exact else target_locale(site, source, locale, present)
    if chosen is None:
        abort(404)
    return Translation(source=source, text=to_data(source), locale=chosen,
                       state=publishing.public_state(source), waiting=publishing.changes_waiting(source),
                       existing=present.get(chosen))


def start_values(found: Translation, blank: dict[str, Any]) -> dict[str, Any]:
    """The form of a new translation: ``blank`` with the carried fields of the source."""
    text = found.text
    return {**blank, "translation_key": text.translation_key or text.slug, "category": text.category or "",
            "kind": text.kind, "author": text.author, "references": references_text(text.references),
            "locale": found.locale, "slug": "", "version": ""}


def of_form(sess: Session, site, values: dict[str, Any]) -> Translation | None:
    """The translation a submitted new-article form continues (its ``from`` field), if any."""
    return translation(sess, site, request.form.get("from"), values["locale"], exact=True)

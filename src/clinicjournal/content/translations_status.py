"""Which language versions of an article exist, are missing, or are outdated.

The source version is the one in the site's default language. A translation is
outdated when the source's content changed after the translation's did.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import Article


@dataclass(frozen=True)
class TranslationState:
    translation_key: str
    title: str
    present: tuple[str, ...]
    missing: tuple[str, ...]
    outdated: dict[str, dt.datetime]  # locale → when the source changed after it


def outdated_since(source_changed: dt.datetime | None, translation_changed: dt.datetime) -> dt.datetime | None:
    if source_changed is not None and source_changed > translation_changed:
        return source_changed
    return None


def site_status(sess: Session, site) -> list[TranslationState]:
    """Every article of ``site`` (pages included) with its translation state."""
    groups: dict[str, dict[str, tuple[str, dt.datetime]]] = {}
    for key, locale, title, changed in sess.execute(
        select(Article.translation_key, Article.locale, Article.title, Article.content_changed)
        .where(Article.site_id == site.id).order_by(Article.translation_key)
    ):
        groups.setdefault(key, {})[locale] = (title, changed)
    states = []
    for key, versions in groups.items():
        source = versions.get(site.default_locale)
        source_changed = source[1] if source else None
        outdated = {}
        for locale, (_title, changed) in versions.items():
            if locale != site.default_locale:
                since = outdated_since(source_changed, changed)
                if since:
                    outdated[locale] = since
        present = tuple(loc for loc in site.locales if loc in versions)
        states.append(TranslationState(
            translation_key=key,
            title=(source or next(iter(versions.values())))[0],
            present=present,
            missing=tuple(loc for loc in site.locales if loc not in versions),
            outdated=outdated,
        ))
    return states

"""Writing the authoring format back: ``dump_document`` is ``parse_document``'s
inverse (export → import loses nothing), ``to_data`` the authoring view of a
stored article."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from ..store.models import Article
from . import safe_yaml
from .authoring import ArticleData, ReferenceData


def dump_document(article: ArticleData) -> str:
    """The authoring-format text for ``article``: ``parse_document`` reads it back equal."""
    meta: dict[str, Any] = {
        "slug": article.slug,
        "locale": article.locale,
        "translation_key": article.translation_key,
        "aliases": list(article.aliases),
        "type": article.kind,
        "status": article.status,
        "publish_at": moment_text(article.publish_at),
        "expires": moment_text(article.expires),
        "title": article.title,
        "category": article.category,
        "summary": article.summary,
        "published": article.published,
        "updated": article.updated,
        "reviewed": article.reviewed,
        "author": article.author,
        "reviewer": article.reviewer,
        "signoff": dict(article.signoff) if article.signoff else None,
        "takeaway": article.takeaway,
        "faq": article.faq,
        "references": [
            {k: v for k, v in asdict(r).items() if v not in ("", None, [])} for r in article.references
        ],
    }
    meta = {k: v for k, v in meta.items() if v not in (None, "", [])}
    meta.update(article.extra)
    front = safe_yaml.dump(meta)
    return f"---\n{front}---\n{article.body}"


def moment_text(value: dt.datetime | None) -> str | None:
    """A naive UTC time as ISO 8601 with its zone, so no reader takes it for local time."""
    return value.replace(tzinfo=dt.timezone.utc).isoformat() if value is not None else None


def to_data(article: Article) -> ArticleData:
    """The authoring-format view of a stored article."""
    return ArticleData(
        slug=article.slug, locale=article.locale, title=article.title,
        translation_key=article.translation_key, kind=article.kind, status=article.status,
        category=article.category, summary=article.summary, published=article.published,
        updated=article.updated, reviewed=article.reviewed, author=article.author,
        reviewer=article.reviewer, takeaway=article.takeaway, faq=[dict(i) for i in article.faq or []],
        references=[ReferenceData(key=r.key, title=r.title, authors=list(r.authors or []),
                                  container=r.container, kind=r.kind, year=r.year, doi=r.doi,
                                  pmid=r.pmid, pmcid=r.pmcid, url=r.url) for r in article.references],
        body=article.body, extra=dict(article.extra or {}),
        publish_at=article.publish_at, expires=article.expires_at,
    )

"""Reading articles: the queries behind the reader pages. Every query is scoped
to one site, so no page can show another site's content."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .models import Article


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def visible():
    """Published articles, and scheduled ones whose date has come."""
    return and_(
        or_(Article.status == "published", Article.status == "scheduled"),
        or_(Article.published.is_(None), Article.published <= today()),
    )


@dataclass(frozen=True)
class Page:
    items: list[Article]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def listing(sess: Session, site_id: int, locale: str, page: int, per_page: int,
            category: str | None = None) -> Page:
    """Visible articles (not pages) of a site in one locale, newest first."""
    where = [Article.site_id == site_id, Article.locale == locale, Article.kind == "article", visible()]
    if category is not None:
        where.append(Article.category == category)
    total = sess.scalar(select(func.count()).select_from(Article).where(*where)) or 0
    rows = sess.scalars(
        select(Article).where(*where)
        .order_by(Article.published.desc(), Article.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(list(rows), page, per_page, total)


def by_slug(sess: Session, site_id: int, locale: str, slug: str) -> Article | None:
    return sess.scalar(select(Article).where(
        Article.site_id == site_id, Article.locale == locale, Article.slug == slug, visible()))


@dataclass(frozen=True)
class Version:
    locale: str
    slug: str
    title: str
    content_changed: dt.datetime


def versions(sess: Session, site_id: int, translation_key: str, order: tuple[str, ...] = ()) -> list[Version]:
    """Every visible language version of one article, in the site's language order."""
    rows = sess.execute(select(Article.locale, Article.slug, Article.title, Article.content_changed).where(
        Article.site_id == site_id, Article.translation_key == translation_key, visible()))
    return sorted((Version(*row) for row in rows), key=lambda v: _rank(v.locale, order))


def _rank(locale: str, order: tuple[str, ...]) -> tuple[int, str]:
    return (order.index(locale) if locale in order else len(order), locale)


def versions_of_slug(sess: Session, site_id: int, slug: str) -> list[Version]:
    """Language versions of the article that has ``slug`` in any locale (for a
    reader who followed a link into a language the article is not written in)."""
    keys = select(Article.translation_key).where(Article.site_id == site_id, Article.slug == slug,
                                                 visible()).scalar_subquery()
    rows = sess.execute(select(Article.locale, Article.slug, Article.title, Article.content_changed).where(
        Article.site_id == site_id, Article.translation_key.in_(keys), visible()
    ).order_by(Article.locale))
    return [Version(*row) for row in rows]


def page_slug(sess: Session, site_id: int, locale: str, translation_key: str) -> str | None:
    """Slug of a site page (About, Disclaimer) in ``locale``, if it exists."""
    return sess.scalar(select(Article.slug).where(
        Article.site_id == site_id, Article.locale == locale, Article.translation_key == translation_key,
        Article.kind == "page", visible()))

"""Reading articles: the queries behind the reader pages. Every query is scoped
to one site, so no page can show another site's content."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import (
    DateTime,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy.orm import Session

from ..store.models import Article, Reference


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


_PUBLISHED, _SCHEDULED = literal_column("'published'"), literal_column("'scheduled'")
ARTICLE = literal_column("'article'")  # Article.kind of articles (not site pages), as an SQL literal


def partial_columns(role: str, fields: tuple[str, ...]) -> list:
    """A ``role`` label, then every article column, NULL where not in ``fields``:
    rows of different parts (whole articles, links) share one ``UNION ALL``."""
    columns = [literal_column(f"'{role}'").label("role")]
    for column in Article.__table__.c:
        # typed: PostgreSQL takes an untyped NULL in a subquery for text, which no
        # UNION with an integer or date column accepts
        columns.append(column if column.name in fields else cast(null(), column.type).label(column.name))
    return columns


def visible(day=None):
    """Published articles, and scheduled ones whose date and time have come,
    until their unpublishing time (``expires_at``).

    Pass ``bindparam("today")`` to build a statement once and bind the date per
    call; the current time for ``publish_at`` is bound at each execution.
    """
    day = today() if day is None else day
    now = bindparam("visible_now", callable_=utcnow, type_=DateTime)
    return and_(
        # statuses as SQL literals: bound, each would be one more parameter to
        # process per execution, five times over in the article page's query
        or_(Article.status == _PUBLISHED, Article.status == _SCHEDULED),
        or_(Article.published.is_(None), Article.published <= day),
        or_(Article.publish_at.is_(None), Article.publish_at <= now),
        or_(Article.expires_at.is_(None), Article.expires_at > now),
    )


# Built once: constructing statements costs more than running them on the hot pages.
_BY_SLUG = select(Article).where(
    Article.site_id == bindparam("site_id"), Article.locale == bindparam("locale"),
    Article.slug == bindparam("slug"), visible(bindparam("today")))
_VERSIONS = select(Article.locale, Article.slug, Article.title, Article.content_changed).where(
    Article.site_id == bindparam("site_id"), Article.translation_key == bindparam("key"),
    visible(bindparam("today")))


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


#: What a listing card shows: rows carry only these (no bodies).
CARD_COLUMNS = ("id", "locale", "slug", "title", "summary", "category", "published", "word_count", "modified")


def listing_filter(in_category: bool) -> list:
    """Visible articles (not pages) of a site in one locale, and of one category:
    ``site_id``, ``locale``, ``today`` and ``category`` are bound at execution, so a
    statement using it is built once (index and category pages, feeds)."""
    A = Article.__table__.c
    where = [A.site_id == bindparam("site_id"), A.locale == bindparam("locale"), A.kind == ARTICLE,
             visible(bindparam("today"))]
    if in_category:
        where.append(A.category == bindparam("category"))
    return where


def _listing_statements(in_category: bool) -> tuple:
    """The count and the page of cards of a listing, built once: constructing them
    cost more than running them on every index and category page."""
    A, where = Article.__table__.c, listing_filter(in_category)
    count = select(func.count()).select_from(Article.__table__).where(*where)
    cards = (select(*(A[name] for name in CARD_COLUMNS)).where(*where).order_by(A.published.desc(), A.id.desc())
             .limit(bindparam("limit")).offset(bindparam("offset")))
    return count, cards


_LISTING = {in_category: _listing_statements(in_category) for in_category in (False, True)}


def listing(sess: Session, site_id: int, locale: str, page: int, per_page: int,
            category: str | None = None) -> Page:
    """Visible articles (not pages) of a site in one locale, newest first."""
    count, cards = _LISTING[category is not None]
    params = {"site_id": site_id, "locale": locale, "category": category, "today": today(),
              "limit": per_page, "offset": (page - 1) * per_page}
    conn = sess.connection()
    total = conn.execute(count, params).scalar() or 0
    return Page(conn.execute(cards, params).all(), page, per_page, total)


_ARTICLES = Article.__table__
_REFERENCES = Reference.__table__
# Reader pages read plain rows (SQLAlchemy Core): building ORM objects for an
# article, its language versions and its sources cost several times the queries.
# The article page's own query is in article_page.py.
_SOURCES = select(_REFERENCES).where(_REFERENCES.c.article_id == bindparam("article_id")).order_by(
    _REFERENCES.c.position)


@dataclass(frozen=True)
class ArticleView:
    """A read-only article for reader pages; same attribute names as the model."""

    id: int
    site_id: int
    locale: str
    slug: str
    translation_key: str
    kind: str
    status: str
    title: str
    summary: str
    body: str
    category: str | None
    published: dt.date | None
    updated: dt.date | None
    reviewed: dt.date | None
    author: str
    reviewer: str
    takeaway: str
    faq: list
    word_count: int
    extra: dict
    modified: dt.datetime
    content_changed: dt.datetime
    publish_at: dt.datetime | None
    next_review: dt.date | None
    version: int
    #: ``None`` until loaded (the article page loads them only when it renders them): see :func:`with_sources`
    references: tuple | None = ()



#: ArticleView's fields read from a row (all but ``references``), in order
VIEW_FIELDS = tuple(name for name in ArticleView.__dataclass_fields__ if name != "references")


def with_sources(sess: Session, view: ArticleView) -> ArticleView:
    """``view`` with its references loaded (the same view when they already are)."""
    if view.references is not None:
        return view
    return replace(view, references=tuple(sess.connection().execute(_SOURCES, {"article_id": view.id}).all()))


def by_slug(sess: Session, site_id: int, locale: str, slug: str) -> Article | None:
    return sess.scalar(_BY_SLUG, {"site_id": site_id, "locale": locale, "slug": slug, "today": today()})


@dataclass(frozen=True)
class Version:
    locale: str
    slug: str
    title: str
    content_changed: dt.datetime


def versions(sess: Session, site_id: int, translation_key: str, order: tuple[str, ...] = ()) -> list[Version]:
    """Every visible language version of one article, in the site's language order."""
    rows = sess.execute(_VERSIONS, {"site_id": site_id, "key": translation_key, "today": today()})
    return sorted((Version(*row) for row in rows), key=lambda v: rank(v.locale, order))


def rank(locale: str, order: tuple[str, ...]) -> tuple[int, str]:
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


def last_modified(article) -> dt.datetime:
    """When a reader-visible change was last made to ``article`` (UTC, aware):
    the latest of its published and updated dates and its content change time.
    HTTP ``Last-Modified`` and the sitemap's ``lastmod`` use it; what the article
    tells readers about itself is :func:`date_modified`."""
    stamps = [article.content_changed.replace(tzinfo=dt.timezone.utc)] if article.content_changed else []
    for day in (article.published, article.updated):
        if day is not None:
            stamps.append(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc))
    return max(stamps, default=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))


def date_modified(article) -> dt.date:
    """The day ``article`` says it was last revised: its ``updated`` date, or its
    ``published`` date when it has none (the later of the two); the day of
    :func:`last_modified` when it has neither. Feeds' ``<updated>``, JSON-LD ``dateModified`` and
    ``article:modified_time`` use it, so an import, a re-import or a typo fix
    (which move ``content_changed``) do not make an article look revised."""
    days = [day for day in (article.published, article.updated) if day is not None]
    return max(days) if days else last_modified(article).date()

"""Where an article page leads next: related articles (same category and
language) and the previous / next article (by published date, same language),
fetched together in one query.

One ``UNION ALL`` of three small, index-backed selects keeps the article page
within its query budget (issue 7: at most 4 per uncached page: configuration
generation, article with its language versions, references, and this) however
many articles a site has. A per-site in-memory index would save this query too,
but would go stale on every publish or unpublish and whenever a scheduled
article's date passes, in every worker; the page cache already spares cached
pages any query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, literal_column, or_, select, union_all
from sqlalchemy.orm import Session

from .articles import today, visible
from .models import Article

RELATED = 3


@dataclass(frozen=True)
class Neighbour:
    """Another article in the page's language, as a link needs it."""

    slug: str
    title: str
    summary: str
    category: str | None
    published: dt.date | None


@dataclass(frozen=True)
class ArticleLinks:
    related: list[Neighbour] = field(default_factory=list)
    previous: Neighbour | None = None  # the next older article
    next: Neighbour | None = None  # the next newer article


def _select(role: str, *where):
    return select(literal_column(f"'{role}'").label("role"), Article.slug, Article.title,
                  Article.summary, Article.category, Article.published).where(Article.site_id == bindparam("site_id"),
                                                 visible(bindparam("today")), *where)


def _build():
    same_list = (Article.locale == bindparam("locale"), Article.kind == "article",
                 Article.id != bindparam("id"))
    pub, ident = bindparam("published"), bindparam("id")
    related = (_select("related", *same_list, Article.category == bindparam("category"))
               .order_by(Article.published.desc(), Article.id.desc()).limit(RELATED))
    previous = (_select("previous", *same_list,
                        or_(Article.published < pub, and_(Article.published == pub, Article.id < ident)))
                .order_by(Article.published.desc(), Article.id.desc()).limit(1))
    newer = (_select("next", *same_list,
                     or_(Article.published > pub, and_(Article.published == pub, Article.id > ident)))
             .order_by(Article.published.asc(), Article.id.asc()).limit(1))
    # SQLite refuses ORDER BY / LIMIT on a member of a compound select: wrap each.
    return union_all(*(select(part.subquery().c) for part in (related, previous, newer)))


_LINKS = _build()


def article_links(sess: Session, article: Article) -> ArticleLinks:
    """Up to ``RELATED`` related articles, newest first, and the previous (older)
    and next (newer) article, for an article; nothing (and no query) for a site
    page or an article without a published date."""
    if article.kind != "article" or article.published is None:
        return ArticleLinks()
    rows = sess.connection().execute(_LINKS, {  # Core: no ORM bookkeeping for plain rows
        "site_id": article.site_id, "today": today(), "locale": article.locale, "id": article.id,
        "category": article.category, "published": article.published,
    }).all()
    related, previous, newer = [], None, None
    for role, slug, title, summary, category, published in rows:
        item = Neighbour(slug, title, summary, category, published)
        if role == "related":
            related.append(item)
        elif role == "previous":
            previous = item
        else:
            newer = item
    related.sort(key=lambda n: n.published or dt.date.min, reverse=True)  # a union keeps no order
    return ArticleLinks(related, previous, newer)

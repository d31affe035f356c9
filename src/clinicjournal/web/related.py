"""Where an article page leads next: related articles (same category and
language) and the previous / next article (by published date, same language),
fetched together in one query.

Three small, index-backed selects, run as part of the article page's one
query (article_page.py), so the page stays within its query budget (issue 7)
however many articles a site has. A per-site in-memory index would save the
work, but would go stale on every publish or unpublish and whenever a scheduled
article's date passes, in every worker; the page cache already spares cached
pages any query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select

from ..store.models import Article
from .articles import ARTICLE, partial_columns, visible

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
    related: tuple[Neighbour, ...] = ()  # tuples: the links are part of a memo key
    previous: Neighbour | None = None  # the next older article
    next: Neighbour | None = None  # the next newer article


def neighbour_selects(target) -> list:
    """The related, previous and next selects for the article ``target`` names:
    any object with ``id``, ``kind``, ``category`` and ``published`` column
    expressions (the article page's query passes its target row's columns).
    Each select's columns are :func:`articles.partial_columns` with ``LINK_FIELDS``; ``site_id``,
    ``locale`` and ``today`` are bound at execution."""
    A = Article.__table__.c
    same_list = (A.site_id == bindparam("site_id"), visible(bindparam("today")), A.locale == bindparam("locale"),
                 A.kind == ARTICLE, A.id != target.id, target.kind == ARTICLE, target.published.is_not(None))
    pub, ident = target.published, target.id
    newest_first, oldest_first = (A.published.desc(), A.id.desc()), (A.published.asc(), A.id.asc())
    parts = (
        ("related", (A.category == target.category,), newest_first, RELATED),
        # The plain bound (published <= pub) lets the index seek to the article's date;
        # with only the OR, SQLite walked the list from one end to it.
        ("previous", (A.published <= pub, or_(A.published < pub, A.id < ident)), newest_first, 1),
        ("next", (A.published >= pub, or_(A.published > pub, A.id > ident)), oldest_first, 1),
    )
    # SQLite refuses ORDER BY / LIMIT on a member of a compound select: wrap each.
    return [select(select(*partial_columns(role, LINK_FIELDS)).where(*same_list, *where).order_by(*order).limit(limit)
                   .subquery().c) for role, where, order, limit in parts]


#: what a link to another article needs; the rest of a row is NULL in a link's part of a query
LINK_FIELDS = tuple(Neighbour.__dataclass_fields__)


def links_from_rows(found: Iterable[tuple[str, Neighbour]]) -> ArticleLinks:
    """Sort (role, neighbour) pairs, role being related / previous / next, into :class:`ArticleLinks`."""
    related, previous, newer = [], None, None
    for role, item in found:
        if role == "related":
            related.append(item)
        elif role == "previous":
            previous = item
        elif role == "next":
            newer = item
    related.sort(key=lambda n: n.published or dt.date.min, reverse=True)  # a union keeps no order
    return ArticleLinks(tuple(related), previous, newer)

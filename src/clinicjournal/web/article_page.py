"""The one query behind an article page: the article, every language version of
it, and its related, previous and next articles.

A ``UNION ALL`` over a ``target`` CTE (the article the URL names): the
article's whole row, its other language versions and the three neighbour
selects of related.py as partial rows (what a link needs). Each query costs a reader page more in the database layer's per-query
work than in the database itself, so one query instead of two matters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import bindparam, lambda_stmt, literal_column, select, union_all
from sqlalchemy.orm import Session

from ..store.models import Article
from .articles import (
    VIEW_FIELDS,
    ArticleView,
    Version,
    partial_columns,
    rank,
    today,
    visible,
)
from .related import (
    LINK_FIELDS,
    ArticleLinks,
    Neighbour,
    links_from_rows,
    neighbour_selects,
)

VERSION_FIELDS = tuple(Version.__dataclass_fields__)


def _build():
    A = Article.__table__
    target = select(A.c.id, A.c.translation_key, A.c.kind, A.c.category, A.c.published).where(
        A.c.site_id == bindparam("site_id"), A.c.locale == bindparam("locale"), A.c.slug == bindparam("slug"),
        visible(bindparam("today"))).cte("target")
    # Scalar subqueries, not joins: each is computed once, then the neighbours are
    # found through the listing and category indexes as with bound values (a join
    # let SQLite scan the site's whole list and probe the target for each row).
    one = SimpleNamespace(**{name: select(column).scalar_subquery() for name, column in target.c.items()})
    article = select(literal_column("'article'").label("role"), *A.c).where(A.c.id == one.id)
    # the other languages: what the language switcher and hreflang links need
    others = select(*partial_columns("version", VERSION_FIELDS)).where(
        A.c.site_id == bindparam("site_id"), visible(bindparam("today")),
        A.c.translation_key == one.translation_key, A.c.id != one.id)
    return union_all(article, others, *neighbour_selects(one))


_PAGE = _build()
# As a lambda statement, SQLAlchemy keys its compiled form by this code
# location instead of walking the whole statement to build a key per execution.
_PAGE_STMT = lambda_stmt(lambda: _PAGE)
# Rows are read by position: by name, each value costs a Row attribute lookup
# (about 1 µs, some 60 per page).
_AT = {column.name: i for i, column in enumerate(_PAGE.selected_columns)}
_ROLE = _AT["role"]
_VERSION_AT = tuple(_AT[name] for name in VERSION_FIELDS)
_VIEW_AT = tuple(_AT[name] for name in VIEW_FIELDS)
_LINK_AT = tuple(_AT[name] for name in LINK_FIELDS)


@dataclass(frozen=True)
class ArticlePage:
    article: ArticleView | None  # None when the slug names no visible article in this locale
    versions: list[Version] = field(default_factory=list)  # in the site's language order
    links: ArticleLinks = field(default_factory=ArticleLinks)


def load(sess: Session, site_id: int, locale: str, slug: str, order: tuple[str, ...] = ()) -> ArticlePage:
    """The article at ``locale``/``slug`` on a site, without its references
    (``references`` is ``None``; see :func:`articles.with_sources`)."""
    rows = sess.connection().execute(_PAGE_STMT, {"site_id": site_id, "locale": locale, "slug": slug,
                                             "today": today()}).all()
    item = next((row for row in rows if row[_ROLE] == "article"), None)
    if item is None:
        return ArticlePage(None)
    own = ("article", "version")
    versions = sorted((Version(*(row[i] for i in _VERSION_AT)) for row in rows if row[_ROLE] in own),
                      key=lambda v: rank(v.locale, order))
    links = links_from_rows((row[_ROLE], Neighbour(*(row[i] for i in _LINK_AT))) for row in rows
                            if row[_ROLE] not in own)
    return ArticlePage(ArticleView(*(item[i] for i in _VIEW_AT), references=None), versions, links)

"""The one query behind an article page: the article, every language version of
it, and its related, previous and next articles.

A ``UNION ALL`` over a ``target`` CTE (the article the URL names): its
versions as whole rows, and the three neighbour selects of related.py as link
rows. Each query costs a reader page more in the database layer's per-query
work than in the database itself, so one query instead of two matters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import bindparam, literal_column, select, union_all
from sqlalchemy.orm import Session

from .articles import ArticleView, Version, rank, today, visible
from .models import Article
from .related import ArticleLinks, links_from_rows, neighbour_selects


def _build():
    A = Article.__table__
    target = select(A.c.id, A.c.translation_key, A.c.kind, A.c.category, A.c.published).where(
        A.c.site_id == bindparam("site_id"), A.c.locale == bindparam("locale"), A.c.slug == bindparam("slug"),
        visible(bindparam("today"))).cte("target")
    # Scalar subqueries, not joins: each is computed once, then the neighbours are
    # found through the listing and category indexes as with bound values (a join
    # let SQLite scan the site's whole list and probe the target for each row).
    one = SimpleNamespace(**{name: select(column).scalar_subquery() for name, column in target.c.items()})
    versions = select(literal_column("'version'").label("role"), *A.c).where(
        A.c.site_id == bindparam("site_id"), visible(bindparam("today")),
        A.c.translation_key == one.translation_key)
    return union_all(versions, *neighbour_selects(one))


_PAGE = _build()


@dataclass(frozen=True)
class ArticlePage:
    article: ArticleView | None  # None when the slug names no visible article in this locale
    versions: list[Version] = field(default_factory=list)  # in the site's language order
    links: ArticleLinks = field(default_factory=ArticleLinks)


def load(sess: Session, site_id: int, locale: str, slug: str, order: tuple[str, ...] = ()) -> ArticlePage:
    """The article at ``locale``/``slug`` on a site, without its references
    (``references`` is ``None``; see :func:`articles.with_sources`)."""
    rows = sess.connection().execute(_PAGE, {"site_id": site_id, "locale": locale, "slug": slug,
                                             "today": today()}).all()
    whole = [row for row in rows if row.role == "version"]
    item = next((row for row in whole if row.locale == locale and row.slug == slug), None)
    versions = sorted((Version(r.locale, r.slug, r.title, r.content_changed) for r in whole),
                      key=lambda v: rank(v.locale, order))
    if item is None:
        return ArticlePage(None, versions)
    return ArticlePage(ArticleView.from_row(item), versions, links_from_rows(r for r in rows if r.role != "version"))

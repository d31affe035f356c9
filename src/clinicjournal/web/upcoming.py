"""When the next scheduled article goes live (or is unpublished): part of the page cache's key.

A scheduled article becomes visible by time alone, with no save to retire the
cached pages that list it (index, category, feeds, sitemap, search). So the
page cache keys its entries by the next such moment as well as by the cache
generation: once it passes, the key is a new one and every page is rendered
afresh, within a request of the moment rather than up to ``CACHE_TTL`` later.

The next moment *after now* (not a count of moments passed) is what every
worker on every host computes the same way from the same database, whenever
each of them read it: a shared Redis cache needs them to agree.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging

from sqlalchemy import (
    Date,
    DateTime,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from ..store.models import Article
from .articles import today, utcnow

log = logging.getLogger("clinicjournal.cache")

_SHOWN = (literal_column("'published'"), literal_column("'scheduled'"))


def _moments_statement(pages_only: bool):
    # Both through their own index (migration 0008): only rows dated after now are read.
    only = (Article.kind == literal_column("'page'"),) if pages_only else ()
    return union_all(  # typed NULLs: PostgreSQL and the result types need them
        select(Article.published.label("day"), cast(null(), DateTime).label("at")).where(
            Article.published > bindparam("today"), Article.status.in_(_SHOWN), *only),
        select(cast(null(), Date), Article.publish_at).where(
            Article.publish_at > bindparam("now"), Article.status.in_(_SHOWN), *only),
        # scheduled unpublishing: the pages that list the article change then too
        select(cast(null(), Date), Article.expires_at).where(
            Article.expires_at > bindparam("now"), Article.status.in_(_SHOWN), *only),
    )


_MOMENTS = {pages_only: _moments_statement(pages_only) for pages_only in (False, True)}


def going_live(conn: Connection, pages_only: bool = False) -> list[dt.datetime]:
    """The moments after now at which hidden articles (or site pages only) become
    visible by time alone, sorted: a ``published`` date at midnight UTC (when
    articles.visible lets it through), a ``publish_at`` time."""
    rows = conn.execute(_MOMENTS[pages_only], {"today": today(), "now": utcnow()}).all()
    moments = set()
    for day, at in rows:
        if day is not None:
            moments.add(dt.datetime.combine(day, dt.time()))
        if at is not None:
            moments.add(at)
    return sorted(moments)


class Upcoming:
    """The moments scheduled articles go live, read again once per cache generation."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.read_for: str | None = None
        self.moments: list[dt.datetime] = []

    def next_moment(self, generation: str) -> str:
        """The next moment after now at which an article goes live ("" when none is
        scheduled), as text for a cache key."""
        if generation != self.read_for:
            try:
                self.moments = self._read()
                self.read_for = generation
            except SQLAlchemyError as exc:  # pages still render; the next request asks again
                log.warning("could not read the scheduled articles' moments: %s", exc)
        found = bisect.bisect_right(self.moments, utcnow())
        return self.moments[found].isoformat() if found < len(self.moments) else ""

    def _read(self) -> list[dt.datetime]:
        with self.engine.connect() as conn:
            return going_live(conn)

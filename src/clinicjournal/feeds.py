"""Atom feeds: the newest articles of a site in one language (``/<locale>/feed.xml``)
and of one category (``/<locale>/category/<slug>/feed.xml``), written by feedgen.

Links are absolute, built from the request's host, so each host a site answers
on gets feeds that point back to itself. Entry and feed ids are ``urn:uuid``
names derived from the site and the article, so they stay the same when a
site moves to another host name.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from feedgen.feed import FeedGenerator
from flask import abort, g, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from . import db
from .articles import last_modified, today, visible
from .models import Article
from .pagebits import site_categories

ENTRIES = 20
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
# Characters XML 1.0 cannot carry at all; lxml refuses them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def absolute(path: str) -> str:
    """``path`` on this request's scheme and host."""
    return request.host_url.rstrip("/") + path


def _urn(*parts: object) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, "clinicjournal:" + ":".join(map(str, parts))).urn


def newest(site_id: int, locale: str, category: str | None = None, limit: int = ENTRIES):
    """The newest visible articles (not pages) as rows with the fields a feed needs."""
    where = [Article.site_id == site_id, Article.locale == locale, Article.kind == "article",
             visible(today())]
    if category is not None:
        where.append(Article.category == category)
    return db.session().execute(
        select(Article.id, Article.slug, Article.title, Article.summary, Article.author, Article.category,
               Article.published, Article.updated, Article.content_changed)
        .where(*where).order_by(Article.published.desc(), Article.id.desc()).limit(limit)
    ).all()


def site_feed() -> Response:
    """Atom feed of the site's newest articles in the URL's language."""
    return _feed(None)


def category_feed(slug: str) -> Response:
    """Atom feed of one category's newest articles.

    :raise 404: when no plugin enabled on this site contributes the category.
    """
    if slug not in site_categories(g.site):
        abort(404)
    return _feed(slug)


def _feed(category: str | None) -> Response:
    site, locale = g.site, g.locale
    cats = site_categories(site)
    fg = FeedGenerator()
    fg.language(locale.replace("_", "-"))
    fg.generator("clinicjournal")
    fg.author({"name": _xml(site.name)})
    if category is None:
        fg.id(_urn(site.slug, locale, "feed"))
        fg.title(_xml(f"{site.name} · {_('Health Journal')}"))
        home = url_for("reader.index", locale=locale)
        self_url = url_for("reader.feed", locale=locale)
    else:
        cat = cats[category]
        fg.id(_urn(site.slug, locale, "category", category))
        fg.title(_xml(f"{cat.name} · {site.name}"))
        home = url_for("reader.category", locale=locale, slug=category)
        self_url = url_for("reader.category_feed", locale=locale, slug=category)
    tagline = site.appearance.get("tagline")
    if tagline and category is None:
        fg.subtitle(_xml(str(tagline)))
    fg.link(href=absolute(self_url), rel="self", type="application/atom+xml")
    fg.link(href=absolute(home), rel="alternate", type="text/html")

    rows = newest(site.id, locale, category)
    newest_change = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    for row in rows:
        changed = last_modified(row)
        newest_change = max(newest_change, changed)
        entry = fg.add_entry(order="append")
        entry.id(_urn(site.slug, "article", row.id))
        entry.title(_xml(row.title))
        entry.link(href=absolute(url_for("reader.article", locale=locale, slug=row.slug)),
                   rel="alternate", type="text/html")
        if row.summary:
            entry.summary(_xml(row.summary))
        entry.updated(changed)
        if row.published:
            entry.published(dt.datetime(row.published.year, row.published.month, row.published.day,
                                        tzinfo=dt.timezone.utc))
        entry.author({"name": _xml(row.author or site.name)})
        cat = cats.get(row.category or "")
        if cat is not None:
            entry.category(term=cat.slug, label=_xml(str(cat.name)),
                           scheme=absolute(url_for("reader.category", locale=locale, slug=cat.slug)))
    fg.updated(newest_change)
    response = Response(fg.atom_str(pretty=True), content_type=CONTENT_TYPE)
    if rows:
        g.last_modified = newest_change.replace(tzinfo=None)
    return response

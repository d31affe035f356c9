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
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response

from ..store import db
from ..store.models import Article
from .articles import last_modified, listing_filter, today
from .pagebits import remembered_render, site_categories

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


def _newest_statement(in_category: bool):
    A = Article.__table__.c
    return (select(A.id, A.slug, A.title, A.summary, A.author, A.category, A.published, A.updated,
                   A.content_changed, A.modified)
            .where(*listing_filter(in_category)).order_by(A.published.desc(), A.id.desc())
            .limit(bindparam("limit")))


# Built once, as the listings' (articles.py): building them cost more than running them.
_NEWEST = {in_category: _newest_statement(in_category) for in_category in (False, True)}


def newest(site_id: int, locale: str, category: str | None = None, limit: int = ENTRIES):
    """The newest visible articles (not pages) as rows with the fields a feed needs
    (and ``modified``, so a row changes whenever its article does)."""
    return db.session().connection().execute(_NEWEST[category is not None], {
        "site_id": site_id, "locale": locale, "category": category, "today": today(), "limit": limit}).all()


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
    rows = newest(site.id, locale, category)
    # The XML shows exactly these rows, the site's configuration and the request's
    # host (all in the key): a saved change is a new row, so a new key.
    xml = remembered_render("feed", (category, tuple(rows)), lambda: _atom(site, locale, category, rows))
    response = Response(xml, content_type=CONTENT_TYPE)
    if rows:
        g.last_modified = max(last_modified(row) for row in rows).replace(tzinfo=None)
    return response


def _atom(site, locale: str, category: str | None, rows) -> bytes:
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
    tagline = site.tagline(locale)
    if tagline and category is None:
        fg.subtitle(_xml(tagline))
    fg.link(href=absolute(self_url), rel="self", type="application/atom+xml")
    fg.link(href=absolute(home), rel="alternate", type="text/html")

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
    return fg.atom_str(pretty=True)

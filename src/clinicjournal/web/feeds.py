"""Atom feeds: the newest articles of a site in one language (``/<locale>/feed.xml``)
and of one category (``/<locale>/category/<slug>/feed.xml``), written by feedgen.

Links are absolute, built from the request's host, so each host a site answers
on gets feeds that point back to itself. Entry and feed ids are ``urn:uuid``
names derived from the site and the article, so they stay the same when a
site moves to another host name. An entry's ``<updated>`` is the article's own
revision date (``updated``, else ``published``: :func:`.articles.date_modified`),
not when it was imported; the HTTP ``Last-Modified`` still follows every change.

Opened in a browser, a feed reads as a page in the site's language that says
what a feed is and how to subscribe. The page is part of the feed: one XHTML
``<div>`` before the entries (an Atom extension element, which feed readers
skip), written here with gettext like any page, and shown by a static CSS
stylesheet (``<?xml-stylesheet type="text/css"?>``; static/css/feed.css) that
hides the Atom elements. Not XSLT: Chromium 156 already puts a red "XSLT is being
removed from this browser" warning over such pages, and the browsers are
dropping it. Browsers only render a feed served as ``application/xml``
(``application/atom+xml`` is shown as plain text or downloaded), so that is the
type sent; feed readers parse the XML whatever the type, and the pages'
``<link rel="alternate" type="application/atom+xml">`` still announce Atom.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from feedgen.feed import FeedGenerator
from flask import abort, g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from lxml import etree
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response

from ..i18n import short_date, text_direction
from ..store import db
from ..store.models import Article
from .articles import date_modified, last_modified, listing_filter, today
from .assets import static_url
from .pagebits import remembered_render, site_categories

ENTRIES = 20
#: what browsers render (with the stylesheet); see the module's docstring
CONTENT_TYPE = "application/xml; charset=utf-8"
ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
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
    site_name = site.name_in(locale)
    fg.author({"name": _xml(site_name)})
    if category is None:
        fg.id(_urn(site.slug, locale, "feed"))
        fg.title(_xml(f"{site_name} · {_('Health Journal')}"))
        home = url_for("reader.index", locale=locale)
        self_url = url_for("reader.feed", locale=locale)
    else:
        cat = cats[category]
        fg.id(_urn(site.slug, locale, "category", category))
        fg.title(_xml(f"{cat.name} · {site_name}"))
        home = url_for("reader.category", locale=locale, slug=category)
        self_url = url_for("reader.category_feed", locale=locale, slug=category)
    tagline = site.tagline(locale)
    if tagline and category is None:
        fg.subtitle(_xml(tagline))
    fg.link(href=absolute(self_url), rel="self", type="application/atom+xml")
    fg.link(href=absolute(home), rel="alternate", type="text/html")

    newest_change = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    for row in rows:
        changed = _midnight(date_modified(row))
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
            entry.published(_midnight(row.published))
        entry.author({"name": _xml(row.author or site_name)})
        cat = cats.get(row.category or "")
        if cat is not None:
            entry.category(term=cat.slug, label=_xml(str(cat.name)),
                           scheme=absolute(url_for("reader.category", locale=locale, slug=cat.slug)))
    fg.updated(newest_change)
    feed = etree.fromstring(fg.atom_str())
    first_entry = feed.find(f"{{{ATOM}}}entry")
    page = _browser_page(fg.title(), locale, absolute(self_url), absolute(url_for("reader.index", locale=locale)),
                         [(absolute(url_for("reader.article", locale=locale, slug=row.slug)), row) for row in rows])
    if first_entry is not None:
        first_entry.addprevious(page)  # extension elements come before the entries
    else:
        feed.append(page)
    feed.addprevious(etree.ProcessingInstruction(
        "xml-stylesheet", f'type="text/css" href="{static_url("css/feed.css")}"'))
    return etree.tostring(feed.getroottree(), pretty_print=True, encoding="UTF-8", xml_declaration=True)


#: What the browser view says of a feed. Lazy, so that a sentence the page's language
#: has no translation of yet can be marked as the English it is shown in (below).
WHAT_A_FEED_IS = _l("This page is a web feed: a feed reader app can check it for you and show each new "
                    "article as it is published.")
HOW_TO_SUBSCRIBE = _l("To subscribe, copy this address into your feed reader:")


def _said(message, locale: str) -> tuple[str, dict[str, str]]:
    """A lazy message's text for ``locale``, with ``lang``/``dir`` when it is still the
    English original in a page of another language (a new sentence, not translated
    yet): the right-to-left page then keeps its order ("published." not ".published")."""
    text = str(message)
    english = (getattr(message, "_args", None) or (None,))[0]
    if text == english and not locale.startswith("en"):
        return text, {"lang": "en", "dir": "ltr"}
    return text, {}


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def _browser_page(title: str, locale: str, feed_url: str, home: str, entries) -> etree._Element:
    """What a browser shows of the feed: an XHTML ``<div>`` in the page's language
    saying what a feed is and how to subscribe, then the entries as links."""
    def el(parent, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        node = etree.SubElement(parent, f"{{{XHTML}}}{tag}", {k.rstrip("_"): v for k, v in attrs.items()})
        node.text = _xml(text) if text is not None else None
        return node

    tag = locale.replace("_", "-")
    page = etree.Element(f"{{{XHTML}}}div", {"class": "feed-page", "lang": tag, "dir": text_direction(locale)},
                         nsmap={None: XHTML})
    el(page, "title", title)  # the browser tab's title (the first HTML <title> of the document)
    el(page, "h1", title)
    what, marks = _said(WHAT_A_FEED_IS, locale)
    el(page, "p", what, class_="feed-page__what", **marks)
    how, marks = _said(HOW_TO_SUBSCRIBE, locale)
    how = el(page, "p", how + " ", **marks)
    el(how, "code", feed_url, dir="ltr")
    el(el(page, "p"), "a", _("Go to the journal's front page"), href=home)
    el(page, "h2", _("Articles"))
    if not entries:
        el(page, "p", _("No articles have been published here yet."))
        return page
    listing = el(page, "ol", class_="feed-page__entries")
    for url, row in entries:
        item = el(listing, "li")
        el(item, "a", row.title, href=url)
        if row.published:
            el(item, "time", short_date(row.published), datetime=row.published.isoformat())
        if row.summary:
            el(item, "p", row.summary)
    return page

"""``/sitemap.xml`` and ``/robots.txt`` for the site of the request's host.

The sitemap lists the journal's front page in each language, each category
page (of a category an enabled plugin contributes) in the languages it has
articles in, and every visible article and site page in every language the site
serves, each with ``xhtml:link`` ``hreflang`` alternates to all its language
versions (itself included, so every set is reciprocal) plus ``x-default``, the
version in the site's default language when there is one, and ``lastmod``.
Drafts, articles scheduled for later, articles marked ``noindex`` and other
sites' content never appear.

``lastmod`` is the day the article says it was revised (``date_modified``: its
``updated`` date, else its published date), not when it was imported, so a
re-import does not tell search engines that every page changed; a front page
or a category page takes the newest of its articles'.
"""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from flask import Flask, g, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..content.seo import seo_of
from ..store import db
from ..store.models import Article
from .articles import date_modified, today, visible
from .feeds import absolute
from .pagebits import site_categories

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


def init_app(app: Flask) -> None:
    app.add_url_rule("/sitemap.xml", "sitemap", sitemap)
    app.add_url_rule("/robots.txt", "robots", robots)


def _hreflang(locale: str) -> str:
    return locale.replace("_", "-")


def sitemap() -> Response:
    """The sitemap of the request's site."""
    site = g.site
    g.cacheable = True
    rows = db.session().execute(
        select(Article.locale, Article.slug, Article.translation_key, Article.kind, Article.category,
               Article.published, Article.updated, Article.content_changed, Article.extra)
        .where(Article.site_id == site.id, Article.locale.in_(site.locales), visible(today()))
        .order_by(Article.kind, Article.published.desc(), Article.translation_key, Article.locale)
    ).all()
    rows = [row for row in rows if not seo_of(row.extra).noindex]
    groups: dict[tuple[str, str], dict[str, object]] = defaultdict(dict)
    for row in rows:
        groups[(row.kind, row.translation_key)][row.locale] = row

    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")

    def add(loc: str, versions: dict[str, str], lastmod: str | None) -> None:
        url = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = loc
        if lastmod:
            ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = lastmod
        for locale in site.locales:
            if locale in versions:
                ET.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=_hreflang(locale),
                              href=versions[locale])
        if site.default_locale in versions:
            ET.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang="x-default",
                          href=versions[site.default_locale])

    newest: dict[str, str] = {}  # locale → the newest article's day
    in_category: dict[str, dict[str, str]] = defaultdict(dict)  # category → locale → its newest day
    categories = site_categories(site)
    for row in rows:  # a front page (a category page) changes when its newest article does
        if row.kind == "article":
            day = date_modified(row).isoformat()
            newest[row.locale] = max(newest.get(row.locale, day), day)
            if row.category in categories:
                days = in_category[row.category]
                days[row.locale] = max(days.get(row.locale, day), day)
    fronts = {loc: absolute(url_for("reader.index", locale=loc)) for loc in site.locales}
    for loc in site.locales:
        add(fronts[loc], fronts, newest.get(loc))
    for slug in sorted(in_category):
        days = in_category[slug]
        urls = {loc: absolute(url_for("reader.category", locale=loc, slug=slug)) for loc in days}
        for loc in (loc for loc in site.locales if loc in days):
            add(urls[loc], urls, days[loc])
    for by_locale in groups.values():
        urls = {loc: absolute(url_for("reader.article", locale=loc, slug=row.slug))
                for loc, row in by_locale.items()}
        for loc, row in sorted(by_locale.items(), key=lambda item: site.locales.index(item[0])):
            add(urls[loc], urls, date_modified(row).isoformat())

    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, content_type="application/xml; charset=utf-8")


def robots() -> Response:
    """Allow everything but search result pages; name the sitemap."""
    g.cacheable = True
    text = (
        "User-agent: *\n"
        "Disallow: /*/search\n"
        f"\nSitemap: {absolute(url_for('sitemap'))}\n"
    )
    return Response(text, content_type="text/plain; charset=utf-8")

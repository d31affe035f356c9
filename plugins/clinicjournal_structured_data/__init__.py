"""Structured data for search engines and link previews.

On every reader page: the canonical link, OpenGraph and Twitter card meta, and
JSON-LD for the site (``WebSite`` with its search, published by the clinic as a
``MedicalOrganization``). On articles a ``MedicalWebPage`` (headline, dates,
author, medical reviewer, last review, language) and a ``BreadcrumbList``.
The clinic is named as readers of the page's language know it
(``site.name_in(locale)``); ``dateModified`` and ``article:modified_time`` are
the article's own revision date (``date_modified``), not when it was imported.
An article's own search fields (``seo_of``) give ``og:title`` / ``og:description``
when it has them, and its canonical override gives the ``<link rel="canonical">``
only: ``og:url`` and the ``@id`` stay the address of the page being read.

The page node's ``@id`` is ``ctx.canonical_url + "#webpage"``; other plugins
describe the same page under that id (the references plugin adds ``citation``,
the FAQ plugin ``FAQPage`` questions) and consumers merge the nodes.
"""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from clinicjournal.api import (
    HeadExtras,
    PluginInfo,
    SettingSpec,
    date_modified,
    hookimpl,
    seo_of,
    site_categories,
)

__version__ = "1.0.0"

SCHEMA = "https://schema.org"
PAGES = ("index", "category", "article", "page")


@hookimpl
def plugin_info():
    return PluginInfo(
        name=_l("Structured data"),
        description=_l("Structured data for search engines and link previews: JSON-LD (MedicalWebPage, "
                       "breadcrumbs), OpenGraph and Twitter card tags, canonical links."),
        settings=(SettingSpec("twitter_site", "str", default="", label=_l("Twitter / X account"),
                              help=_l("The clinic's account for Twitter / X cards, e.g. @harbourview.")),),
    )


def _absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else request.host_url.rstrip("/") + path


def _language(locale: str) -> str:
    return locale.replace("_", "-")


def _person(name: str) -> dict:
    return {"@type": "Person", "name": name}


def publisher(ctx) -> dict:
    """The clinic that runs the site, as the publisher of every page."""
    org = {"@type": "MedicalOrganization", "@id": request.host_url + "#organization",
           "name": ctx.site.name_in(ctx.locale),
           "url": _absolute(url_for("reader.index", locale=ctx.site.default_locale))}
    logo = ctx.site.appearance.get("logo")
    if logo:
        org["logo"] = _absolute(str(logo))
    return org


def website(ctx) -> dict:
    search = _absolute(url_for("reader.search", locale=ctx.locale))
    return {
        "@context": SCHEMA, "@type": "WebSite", "@id": request.host_url + "#website",
        "url": _absolute(url_for("reader.index", locale=ctx.locale)), "name": ctx.site.name_in(ctx.locale),
        "inLanguage": _language(ctx.locale), "publisher": publisher(ctx),
        "potentialAction": {"@type": "SearchAction",
                            "target": {"@type": "EntryPoint", "urlTemplate": search + "?q={search_term_string}"},
                            "query-input": "required name=search_term_string"},
    }


def breadcrumbs(ctx, url: str, trail: list[tuple[str, str]]) -> dict:
    return {
        "@context": SCHEMA, "@type": "BreadcrumbList", "@id": url + "#breadcrumb",
        "itemListElement": [{"@type": "ListItem", "position": n, "name": name, "item": item}
                            for n, (name, item) in enumerate(trail, start=1)],
    }


def article_node(ctx, url: str, category) -> dict:
    article = ctx.article
    kind = "MedicalWebPage" if ctx.page == "article" else (
        "AboutPage" if article.translation_key == "about" else "WebPage")
    node = {
        "@context": SCHEMA, "@type": kind, "@id": url + "#webpage", "url": url,
        "name": article.title, "headline": article.title, "inLanguage": _language(ctx.locale),
        "isPartOf": {"@id": request.host_url + "#website"}, "publisher": publisher(ctx),
        "breadcrumb": {"@id": url + "#breadcrumb"},
        "dateModified": date_modified(article).isoformat(),
    }
    if article.summary:
        node["description"] = article.summary
    if article.published:
        node["datePublished"] = article.published.isoformat()
    # The core puts profile-backed Person nodes (name, credentials, role, profile
    # URL) in ctx.extra["people"] when the byline links a profile; the reviewer's
    # is only there when the account that signed the live text off has one.
    people = ctx.extra.get("people") or {}
    if people.get("author") or article.author:
        node["author"] = people.get("author") or _person(article.author)
    if article.reviewer:
        node["reviewedBy"] = people.get("reviewer") or _person(article.reviewer)
    if article.reviewed:
        node["lastReviewed"] = article.reviewed.isoformat()
    if category is not None:
        node["articleSection"] = str(category.name)
    image = getattr(ctx, "image", None)
    if image:  # the hero's crop around its focal point, the same picture og:image shows
        node["image"] = {"@type": "ImageObject", "url": image["url"], "width": image["width"],
                         "height": image["height"]}
    return node


@hookimpl
def head_extras(ctx):
    if ctx.page not in PAGES:
        return None  # search results are noindex; error pages describe nothing
    site, url = ctx.site, ctx.canonical_url
    canonical = url
    home = _absolute(url_for("reader.index", locale=ctx.locale))
    journal = _("Health Journal")
    site_name = site.name_in(ctx.locale)
    meta = {"og:site_name": site_name, "og:url": url, "og:locale": ctx.locale.replace("-", "_"),
            "twitter:card": "summary"}
    handle = ctx.settings("structured_data")["twitter_site"]
    if handle:
        meta["twitter:site"] = handle
    jsonld = [website(ctx)]
    if ctx.article is not None:
        article = ctx.article
        category = site_categories(site).get(article.category or "") if ctx.page == "article" else None
        seo = seo_of(getattr(article, "extra", None))
        title, description = seo.title or article.title, seo.description or article.summary
        canonical = seo.canonical or url
        meta["og:type"] = "article" if ctx.page == "article" else "website"
        if ctx.page == "article":
            if article.published:
                meta["article:published_time"] = article.published.isoformat()
            meta["article:modified_time"] = date_modified(article).isoformat()
            if category is not None:
                meta["article:section"] = str(category.name)
        trail = [(journal, home)]
        if category is not None:
            trail.append((str(category.name), _absolute(url_for("reader.category", locale=ctx.locale,
                                                                 slug=category.slug))))
        trail.append((article.title, url))
        jsonld += [article_node(ctx, url, category), breadcrumbs(ctx, url, trail)]
    elif ctx.page == "category":
        title = f"{ctx.category.name} · {site_name}"
        description = str(ctx.category.description or "")
        meta["og:type"] = "website"
        jsonld += [
            {"@context": SCHEMA, "@type": "CollectionPage", "@id": url + "#webpage", "url": url,
             "name": str(ctx.category.name), "inLanguage": _language(ctx.locale),
             "isPartOf": {"@id": request.host_url + "#website"}, "breadcrumb": {"@id": url + "#breadcrumb"}},
            breadcrumbs(ctx, url, [(journal, home), (str(ctx.category.name), url)]),
        ]
    else:
        title = f"{journal} · {site_name}"
        description = site.tagline(ctx.locale)
        meta["og:type"] = "website"
    meta["og:title"] = meta["twitter:title"] = str(title)
    if description:
        meta["og:description"] = meta["twitter:description"] = str(description)
    image = getattr(ctx, "image", None)
    logo = site.appearance.get("logo")
    if image:
        # The article's own picture, cropped to 1200×630 around its focal point.
        meta["og:image"] = meta["twitter:image"] = image["url"]
        meta["og:image:width"], meta["og:image:height"] = str(image["width"]), str(image["height"])
        meta["og:image:type"] = image["type"]
        if image.get("alt"):
            meta["og:image:alt"] = meta["twitter:image:alt"] = image["alt"]
        meta["twitter:card"] = "summary_large_image"
    elif logo:
        meta["og:image"] = _absolute(str(logo))
    return HeadExtras(meta=meta, jsonld=jsonld, links=[("canonical", canonical, {})])

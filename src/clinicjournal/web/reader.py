"""Reader pages: journal index, category pages, articles and site pages, under a
locale prefix (``/de/...``)."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, g, redirect, request, url_for
from werkzeug.wrappers import Response

from ..content.context import PageContext
from ..content.translations_status import outdated_since
from ..i18n import negotiate
from ..store import db
from . import article_page, articles, feeds, media, people, retired, search, sitemap
from .assets import render_page, static_url
from .fragments import article_fragments
from .pagebits import article_url, category_url, index_url, init_jinja, site_categories
from .sites import resolve_site

bp = Blueprint("reader", __name__, url_prefix="/<locale>")
bp.add_url_rule("/feed.xml", "feed", feeds.site_feed)
bp.add_url_rule("/category/<slug>/feed.xml", "category_feed", feeds.category_feed)
bp.add_url_rule("/search", "search", search.search_page)
bp.add_url_rule("/people/<slug>/", "person", people.person_page)


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(_resolve_site)
    app.add_url_rule("/", "root", root)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    app.register_blueprint(bp)
    sitemap.init_app(app)
    media.init_app(app)
    init_jinja(app)


def _resolve_site(endpoint, values) -> None:
    if endpoint != "static":
        resolve_site()
        if "\x00" in request.path:  # names nothing, and PostgreSQL cannot even compare text holding it
            abort(404)


@bp.url_value_preprocessor
def _pull_locale(endpoint, values) -> None:
    locale = values.pop("locale")
    if locale not in g.site.locales:
        abort(404)
    g.locale = locale
    g.cacheable = True  # public pages: the same for every reader


@bp.url_defaults
def _add_locale(endpoint, values) -> None:
    if "locale" not in values and "locale" in g:
        values["locale"] = g.locale


def favicon() -> Response:
    """Browsers ask for /favicon.ico on their own: point them at the real icon."""
    return redirect(static_url("img/favicon.svg"), code=301)


def root() -> Response:
    """Send the reader to the journal in the best of the site's languages."""
    site = g.site
    response = redirect(url_for("reader.index", locale=negotiate(site.locales, site.default_locale)))
    response.headers["Vary"] = "Accept-Language"
    return response


def _page_number() -> int:
    raw = request.args.get("page", "1")
    # ASCII digits only: str.isdigit() accepts "²", which int() refuses.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not 1 <= int(raw) <= 100_000:
        abort(404)
    return int(raw)


@bp.route("/")
def index() -> str:
    """The journal: newest articles first, paginated.

    :raise 404: for a page number past the end.
    """
    site = g.site
    listing = articles.listing(db.session(), site.id, g.locale, _page_number(),
                               current_app.config["PER_PAGE"])
    if listing.number > listing.pages:
        abort(404)
    g.page_ctx = PageContext(site=site, locale=g.locale, page="index")
    return render_page("index.html", listing=listing, category=None,
                           alternates=[(loc, index_url(loc)) for loc in site.locales])


@bp.route("/category/<slug>/")
def category(slug: str) -> str:
    """Articles in one category.

    :raise 404: when no plugin enabled on this site contributes the category.
    """
    site = g.site
    cat = site_categories(site).get(slug)
    if cat is None:
        abort(404)
    listing = articles.listing(db.session(), site.id, g.locale, _page_number(),
                               current_app.config["PER_PAGE"], category=slug)
    if listing.number > listing.pages:
        abort(404)
    g.page_ctx = PageContext(site=site, locale=g.locale, page="category", category=cat)
    return render_page(
        "index.html", listing=listing, category=cat,
        alternates=[(loc, category_url(slug, loc)) for loc in site.locales])


@bp.route("/<slug>/")
def article(slug: str) -> str | tuple[str, int]:
    """One article or site page in the URL's language.

    When no visible article has this slug here, :func:`retired.answer` says
    what the address answers: a redirect, 410 Gone or a 404.
    """
    site, sess = g.site, db.session()
    page = article_page.load(sess, site.id, g.locale, slug, site.locales)  # article, versions, neighbours
    item, versions = page.article, page.versions
    if item is None:
        return retired.answer(sess, site, g.locale, slug)
    source = next((v for v in versions if v.locale == site.default_locale), None)
    outdated_source = source if source and item.locale != source.locale and outdated_since(
        source.content_changed, item.content_changed) else None
    g.last_modified = item.modified
    return render_article(
        item,
        versions=versions,
        nearby=page.links,
        outdated_source=outdated_source,
        alternates=[(v.locale, article_url(v.slug, v.locale)) for v in versions],
    )


def render_article(item, *, versions=(), nearby=None, outdated_source=None, alternates=()) -> str:
    """The public page of one article or site page, for ``g.site`` in ``g.locale``.

    The one render pipeline behind the reader's view and the admin's preview.
    """
    site = g.site
    byline = people.byline(db.session(), site.id, item) if item.kind == "article" else people.Byline()
    ctx = PageContext(site=site, locale=g.locale, page=item.kind, article=item,
                      extra={"people": byline.jsonld(g.locale, site.default_locale)})
    g.page_ctx = ctx
    parts = article_fragments(ctx)
    return render_page(
        "article.html" if item.kind == "article" else "page.html",
        article=ctx.article,  # with its references, which the fragments may have loaded
        body=parts["body"],
        hero=parts["hero"],
        toc=parts["toc"],
        category=site_categories(site).get(item.category or ""),
        versions=list(versions),
        nearby=nearby,
        outdated_source=outdated_source,
        alternates=list(alternates),
        byline=byline,
        person_url=people.person_url,
    )

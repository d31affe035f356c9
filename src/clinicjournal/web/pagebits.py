"""What every page template can call: plugin slots, head extras, categories, theme."""

from __future__ import annotations

import json
import re
from typing import Any, Callable
from urllib.parse import quote

from flask import Flask, current_app, g, request, url_for
from markupsafe import Markup

from ..content.render import sanitise
from ..content.seo import seo_of
from ..platform.hookspecs import Category, Contribution, HeadExtras
from .colours import DEFAULT_THEME, HEX_COLOUR, theme_style  # noqa: F401  (kept importable from here)
from .scope import page_scope

SAFE_ATTR = re.compile(r"^(type|title|hreflang|media|sizes)$")
#: what Werkzeug's default URL converter leaves unquoted in a path part
URL_SAFE = "!$&'()*+,/:;=@"


def _plugins():
    return current_app.extensions["clinicjournal"].plugins


def remembered(cache_name: str, key: Any, build: Callable[[], Any]) -> Any:
    """``build()``, remembered by this worker under ``key`` until the install's
    configuration changes. A result built while a plugin failed is used once but
    not remembered, so the plugin is asked again on the next request."""
    state = current_app.extensions["clinicjournal"]
    cache = getattr(state, cache_name, None)
    if cache is None or cache[0] != state.sites.generation:
        cache = (state.sites.generation, {})
        setattr(state, cache_name, cache)
    found = cache[1].get(key)
    if found is None:
        failures_before = state.plugins.failure_count
        found = build()
        if state.plugins.failure_count == failures_before:
            cache[1][key] = found
    return found


def site_categories(site) -> dict[str, Category]:
    """Categories contributed by the plugins enabled on ``site`` (first wins).

    Remembered per site; names are lazy strings, so one entry serves every locale.
    """
    return remembered("category_cache", site.id, lambda: _collect_categories(site))


def _collect_categories(site) -> dict[str, Category]:
    found: dict[str, Category] = {}
    for result in _plugins().call("categories", site.enabled_plugins, site.slug, site=site,
                                  locale=site.default_locale):
        try:  # a malformed list is that plugin's failure, not the page's
            offered = [cat for cat in result.value if isinstance(cat, Category) and isinstance(cat.slug, str)]
        except Exception as exc:
            _plugins().record_failure(result.plugin, "categories", site.slug, exc)
            continue
        for cat in offered:
            found.setdefault(cat.slug, cat)
    return found


def locale_root(locale: str) -> str:
    """The journal's front page in ``locale`` (``/en/``), as ``url_for`` builds it,
    remembered per script root: reader pages link to dozens of articles, and
    ``url_for`` costs more than the rest of a link's rendering."""
    scope = page_scope()
    key = (scope.script_root, locale)
    found = scope.state.locale_roots.get(key)
    if found is None:
        found = scope.state.locale_roots[key] = url_for("reader.index", locale=locale)
    return found


def _path_part(value: str) -> str:
    return quote(value, safe=URL_SAFE)


def index_url(locale: str | None = None) -> str:
    """``url_for("reader.index", locale=...)``, defaulting to the page's locale."""
    return locale_root(locale or page_scope().locale)


def article_url(slug: str, locale: str | None = None) -> str:
    """``url_for("reader.article", slug=..., locale=...)``, built from :func:`locale_root`."""
    return locale_root(locale or page_scope().locale) + _path_part(slug) + "/"


def category_url(slug: str, locale: str | None = None) -> str:
    """``url_for("reader.category", slug=..., locale=...)``, built from :func:`locale_root`."""
    return locale_root(locale or page_scope().locale) + "category/" + _path_part(slug) + "/"


def site_links(site, locale: str) -> dict[str, Any]:
    """URLs every page's header and footer link to, built once per site and locale
    until the configuration changes (url_for is costly at this volume)."""
    return remembered("links_cache", (site.id, locale, request.script_root), lambda: {
        "index": locale_root(locale),
        "feed": url_for("reader.feed", locale=locale),
        "search": url_for("reader.search", locale=locale),
        "categories": [(cat, category_url(cat.slug, locale)) for cat in site_categories(site).values()],
        "about": site_page_link(site, "about", locale),
        "disclaimer": site_page_link(site, "disclaimer", locale),
    })


def site_page_link(site, key: str, locale: str) -> tuple[str, str] | None:
    """(URL, its language) of the site page ``key`` (About, Disclaimer) for a reader
    of ``locale``: the page in ``locale``, else the default language's (so an
    Arabic reader of a site without an Arabic disclaimer still reaches one; the
    link says its language with ``hreflang``), else None."""
    for target in dict.fromkeys((locale, site.default_locale)):
        slug = site.page_slug(key, target)
        if slug:
            return article_url(slug, target), target
    return None


def cached_html(name: str, *vary: Any, caller, keep: bool = True) -> Markup:
    """A template fragment rendered once per worker, then reused: ``{% call
    cached_html("site-nav", endpoint) %}…{% endcall %}``.

    The body must depend only on the site and its configuration, the locale,
    the request's scheme, host and script root (all part of the key) and on
    ``vary``. Anything with a per-response side effect (``allow_inline_style``)
    or content that varies by page stays outside unless ``vary`` covers it
    (the article's slots come from the article's memoised fragments, so its
    version covers them). A body rendered in a request during which a plugin
    failed is served but not kept, as with the article fragments; so is one
    rendered with ``keep`` false (an unsaved article in the admin's preview).
    """
    vary = tuple(tuple(v) if isinstance(v, list) else v for v in vary)
    return remembered_render(name, vary, lambda: Markup(caller()), keep)


def remembered_render(name: str, vary: tuple, render: Callable[[], Any], keep: bool = True) -> Any:
    """``render()`` (text or bytes), remembered by this worker under ``name``, ``vary``
    and the page facts every rendered part depends on (see :func:`cached_html`)."""
    scope = page_scope()
    memo = scope.state.template_fragments if keep and scope.remember else None
    key = (name, scope.fragment_key, *vary)
    found = memo.get(key) if memo is not None else None
    if found is None:
        found = render()
        # Kept only when no plugin has failed during this request: a body can
        # hold parts rendered earlier in it (the article's slots).
        if memo is not None and scope.state.plugins.failure_count == scope.failures_at_start:
            memo.put(key, found)
    return found


def slot(name: str) -> Markup:
    """Sanitised plugin HTML for the template slot ``name``, in priority order."""
    ctx = g.get("page_ctx")
    if ctx is None:
        return Markup("")
    if "slot:" + name in ctx.prerendered:
        return ctx.prerendered["slot:" + name]
    return render_slot(name, ctx)


def render_slot(name: str, ctx) -> Markup:
    plugins = _plugins()
    parts: list[tuple[float, Markup]] = []
    for result in plugins.call("template_slot", ctx.site.enabled_plugins, ctx.site.slug,
                               slot=name, ctx=ctx):
        value = result.value
        try:  # a contribution of the wrong shape is that plugin's failure, not the page's
            part = value if isinstance(value, Contribution) else Contribution(str(value))
            parts.append((float(part.priority), sanitise(str(part.html))))
        except Exception as exc:
            plugins.record_failure(result.plugin, "template_slot", ctx.site.slug, exc)
    parts.sort(key=lambda p: p[0])
    return Markup("\n").join(html for _priority, html in parts)


def head_extras() -> Markup:
    """``<meta>`` tags and JSON-LD blocks from the plugins, escaped by the core."""
    ctx = g.get("page_ctx")
    if ctx is None:
        return Markup("")
    if "head" in ctx.prerendered:
        return ctx.prerendered["head"]
    return render_head(ctx)


def render_head(ctx) -> Markup:
    plugins = _plugins()
    out = []
    for result in plugins.call("head_extras", ctx.site.enabled_plugins, ctx.site.slug, ctx=ctx):
        try:  # extras of the wrong shape are that plugin's failure, not the page's
            out.extend(_head_tags(result.value))
        except Exception as exc:
            plugins.record_failure(result.plugin, "head_extras", ctx.site.slug, exc)
    return Markup("\n").join(out)


def _head_tags(extras: HeadExtras) -> list[Markup]:
    tags = []
    for href in extras.stylesheets:
        tags.append(Markup('<link rel="stylesheet" href="{}">').format(_safe_href(href)))
    for rel, href, attrs in extras.links:
        more = Markup("").join(Markup(' {}="{}"').format(k, v) for k, v in attrs.items()
                               if SAFE_ATTR.match(k))
        tags.append(Markup('<link rel="{}" href="{}"{}>').format(rel, _safe_href(href), more))
    for key, content in extras.meta.items():
        attr = "property" if key.startswith(("og:", "article:")) else "name"
        tags.append(Markup('<meta {}="{}" content="{}">').format(attr, key, content))
    for data in extras.jsonld:
        tags.append(Markup('<script type="application/ld+json">{}</script>').format(
            Markup(jsonld_dumps(data))))
    return tags


def _safe_href(href: Any) -> str:
    """A plugin's link target: an http(s) address or a path, never ``javascript:`` and the like."""
    text = str(href)
    scheme = re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):", re.sub(r"[\x00-\x20]", "", text))
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        raise ValueError(f"link {text[:80]!r} is not an http(s) address or a path")
    return text


def jsonld_dumps(data: Any) -> str:
    """JSON that cannot close its ``<script>`` element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def init_jinja(app: Flask) -> None:
    app.extensions["clinicjournal"].locale_roots = {}
    app.jinja_env.globals.update(slot=slot, head_extras=head_extras, site_categories=site_categories,
                                 site_links=site_links, cached_html=cached_html, index_url=index_url, article_url=article_url, category_url=category_url,
                                 theme_style=theme_style, seo_of=seo_of)

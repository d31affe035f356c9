"""What every page template can call: plugin slots, head extras, categories, theme."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, current_app, g, url_for
from markupsafe import Markup, escape

from .hookspecs import Category, Contribution, HeadExtras
from .render import sanitise

SAFE_ATTR = re.compile(r"^(type|title|hreflang|media|sizes)$")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")
DEFAULT_THEME = {"primary": "#1f5f8b", "accent": "#2f8f6f"}


def _plugins():
    return current_app.extensions["clinicjournal"].plugins


def site_categories(site) -> dict[str, Category]:
    """Categories contributed by the plugins enabled on ``site`` (first wins).

    Cached per site until the install's configuration changes; names are lazy
    strings, so one cache entry serves every locale.
    """
    state = current_app.extensions["clinicjournal"]
    cache = getattr(state, "category_cache", None)
    if cache is None or cache[0] != state.sites.generation:
        cache = state.category_cache = (state.sites.generation, {})
    found = cache[1].get(site.id)
    if found is None:
        found = {}
        for result in _plugins().call("categories", site.enabled_plugins, site.slug, site=site,
                                      locale=site.default_locale):
            try:  # a malformed list is that plugin's failure, not the page's
                offered = [cat for cat in result.value if isinstance(cat, Category) and isinstance(cat.slug, str)]
            except Exception as exc:
                _plugins().record_failure(result.plugin, "categories", site.slug, exc)
                continue
            for cat in offered:
                found.setdefault(cat.slug, cat)
        cache[1][site.id] = found
    return found


def site_links(site, locale: str) -> dict[str, Any]:
    """URLs every page's header and footer link to, built once per site and locale
    until the configuration changes (url_for is costly at this volume)."""
    state = current_app.extensions["clinicjournal"]
    cache = getattr(state, "links_cache", None)
    if cache is None or cache[0] != state.sites.generation:
        cache = state.links_cache = (state.sites.generation, {})
    found = cache[1].get((site.id, locale))
    if found is None:
        about, disclaimer = site.page_slug("about", locale), site.page_slug("disclaimer", locale)
        found = {
            "index": url_for("reader.index", locale=locale),
            "feed": url_for("reader.feed", locale=locale),
            "search": url_for("reader.search", locale=locale),
            "categories": [(cat, url_for("reader.category", locale=locale, slug=cat.slug))
                           for cat in site_categories(site).values()],
            "about": url_for("reader.article", locale=locale, slug=about) if about else None,
            "disclaimer": url_for("reader.article", locale=locale, slug=disclaimer) if disclaimer else None,
        }
        cache[1][(site.id, locale)] = found
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


def theme_style(site) -> str:
    """CSS custom properties for the site's colours (validated hex values only)."""
    colours = dict(DEFAULT_THEME)
    for key in colours:
        value = str(site.appearance.get(key, ""))
        if HEX_COLOUR.match(value):
            colours[key] = value
    return "; ".join(f"--{k}: {v}" for k, v in colours.items())


def init_jinja(app: Flask) -> None:
    app.jinja_env.globals.update(slot=slot, head_extras=head_extras, site_categories=site_categories,
                                 site_links=site_links,
                                 theme_style=theme_style)

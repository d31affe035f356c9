"""What every page template can call: plugin slots, head extras, categories, theme."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, current_app, g
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
            for cat in result.value:
                found.setdefault(cat.slug, cat)
        cache[1][site.id] = found
    return found


def slot(name: str) -> Markup:
    """Sanitised plugin HTML for the template slot ``name``, in priority order."""
    ctx = g.get("page_ctx")
    if ctx is None:
        return Markup("")
    parts: list[Contribution] = []
    for result in _plugins().call("template_slot", ctx.site.enabled_plugins, ctx.site.slug,
                                  slot=name, ctx=ctx):
        value = result.value
        parts.append(value if isinstance(value, Contribution) else Contribution(str(value)))
    parts.sort(key=lambda c: c.priority)
    return Markup("\n").join(sanitise(c.html) for c in parts)


def head_extras() -> Markup:
    """``<meta>`` tags and JSON-LD blocks from the plugins, escaped by the core."""
    ctx = g.get("page_ctx")
    if ctx is None:
        return Markup("")
    out = []
    for result in _plugins().call("head_extras", ctx.site.enabled_plugins, ctx.site.slug, ctx=ctx):
        extras: HeadExtras = result.value
        for href in extras.stylesheets:
            out.append(Markup('<link rel="stylesheet" href="{}">').format(href))
        for rel, href, attrs in extras.links:
            more = Markup("").join(Markup(' {}="{}"').format(k, v) for k, v in attrs.items()
                                   if SAFE_ATTR.match(k))
            out.append(Markup('<link rel="{}" href="{}"{}>').format(rel, href, more))
        for key, content in extras.meta.items():
            attr = "property" if key.startswith(("og:", "article:")) else "name"
            out.append(Markup('<meta {}="{}" content="{}">').format(attr, key, content))
        for data in extras.jsonld:
            out.append(Markup('<script type="application/ld+json">{}</script>').format(
                Markup(jsonld_dumps(data))))
    return Markup("\n").join(out)


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
                                 theme_style=theme_style)

"""The plugin-rendered parts of an article page, memoised per article version.

Rendering an article's body (Markdown, citations, sanitising) and its plugin
slots is most of an uncached page's cost, and the result only changes when the
article, the install's configuration (plugins, settings, sites) or the language
changes. Each worker keeps the last results, keyed by exactly those, plus the
host and scheme (plugins build absolute URLs from them).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any

from flask import g

from ..content.context import PageContext
from ..content.render import headings, render_body
from ..platform.hookspecs import SLOTS
from ..store import db
from .articles import with_sources
from .media import article_images
from .memo import Memo
from .pagebits import render_head, render_slot
from .scope import page_scope

#: per worker, in bytes: rendered article parts (a few hundred articles) and
#: template fragments (pagebits.cached_html: site chrome, article headers)
ARTICLE_PARTS_BYTES, TEMPLATE_FRAGMENT_BYTES = 12_000_000, 4_000_000


def parts_weight(parts: dict[str, Any]) -> int:
    """Bytes an article's memoised parts hold (a source row counts as 500)."""
    return sum(sys.getsizeof(value) for value in parts.values() if isinstance(value, str)) + \
        500 * len(parts.get("references") or ())


def article_fragments(ctx: PageContext) -> dict[str, Any]:
    """Body HTML, table of contents, every slot and the head extras for ``ctx.article``.

    Also fills ``ctx.prerendered`` so the templates' ``slot()`` calls use them.
    """
    scope = page_scope()
    state, article = scope.state, ctx.article
    # The same page facts as the template fragments' (configuration generation, site,
    # locale, host, scheme, script root), plus the article's version.
    key = (article.id, article.version, article.modified, scope.fragment_key)
    # An unsaved article (the admin's preview) has no id: nothing to remember it by.
    memo: Memo | None = state.fragments if scope.remember and article.id is not None else None
    found = memo.get(key) if memo is not None else None
    if found is None:
        if article.references is None:  # the reader loads sources only when they are rendered
            ctx.article = article = with_sources(db.session(), article)
        failures_before = state.plugins.failure_count
        # The body first: citation markers record where each source is cited,
        # which the Sources list (a slot) links back to.
        hero = article_images(ctx)  # before the body: its inline images and ctx.image
        found = {"hero": hero, "image": ctx.image, "body": render_body(ctx, state.plugins), "toc": headings(article.body),
                 "references": article.references}
        for name in SLOTS:
            found["slot:" + name] = render_slot(name, ctx)
        found["head"] = render_head(ctx)
        if state.plugins.failure_count != failures_before:
            # Rendered without a failing plugin's part: serve it, but keep it
            # out of every cache so the next request tries the plugin again.
            g.cacheable = False
        elif memo is not None:
            memo.put(key, found)
    else:
        ctx.image = found["image"]
        if article.references is None:  # what the memo holds is what the query would return
            ctx.article = replace(article, references=found["references"])
    ctx.prerendered.update({k: v for k, v in found.items() if k.startswith(("slot:", "head"))})
    return found


def init_app(app) -> None:
    app.extensions["clinicjournal"].fragments = Memo(ARTICLE_PARTS_BYTES, parts_weight)
    app.extensions["clinicjournal"].template_fragments = Memo(TEMPLATE_FRAGMENT_BYTES, sys.getsizeof)

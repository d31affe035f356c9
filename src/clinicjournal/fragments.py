"""The plugin-rendered parts of an article page, memoised per article version.

Rendering an article's body (Markdown, citations, sanitising) and its plugin
slots is most of an uncached page's cost, and the result only changes when the
article, the install's configuration (plugins, settings, sites) or the language
changes. Each worker keeps the last results, keyed by exactly those, plus the
host and scheme (plugins build absolute URLs from them).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Any

from flask import g

from . import db
from .articles import with_sources
from .context import PageContext
from .hookspecs import SLOTS
from .pagebits import render_head, render_slot
from .render import headings, render_body
from .scope import page_scope

MAX_ENTRIES = 512
#: template fragments (pagebits.cached_html): many small pieces, bounded by their total size
TEMPLATE_FRAGMENTS, TEMPLATE_FRAGMENT_CHARS = 8192, 4_000_000


class FragmentMemo:
    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self.entries: OrderedDict[tuple, dict[str, Any]] = OrderedDict()

    def get(self, key: tuple) -> dict[str, Any] | None:
        found = self.entries.get(key)
        if found is not None:
            try:
                self.entries.move_to_end(key)
            except KeyError:  # evicted by another thread in the meantime
                pass
        return found

    def put(self, key: tuple, value: dict[str, Any]) -> None:
        self.entries[key] = value
        if len(self.entries) > self.size:
            try:
                self.entries.popitem(last=False)
            except KeyError:  # another thread evicted it first
                pass


class HtmlMemo(FragmentMemo):
    """A memo of rendered HTML, bounded by entries and by the characters it holds."""

    def __init__(self, size: int, max_chars: int) -> None:
        super().__init__(size)
        self.max_chars, self.chars = max_chars, 0

    def put(self, key: tuple, value: str) -> None:
        if len(value) > self.max_chars // 8:
            return  # one piece may not crowd out the rest
        previous = self.entries.get(key)
        self.entries[key] = value
        self.chars += len(value) - (len(previous) if previous is not None else 0)
        while self.entries and (len(self.entries) > self.size or self.chars > self.max_chars):
            try:
                self.chars -= len(self.entries.popitem(last=False)[1])
            except KeyError:  # another thread evicted it first
                break


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
    memo: FragmentMemo | None = state.fragments if scope.remember and article.id is not None else None
    found = memo.get(key) if memo is not None else None
    if found is None:
        if article.references is None:  # the reader loads sources only when they are rendered
            ctx.article = article = with_sources(db.session(), article)
        failures_before = state.plugins.failure_count
        # The body first: citation markers record where each source is cited,
        # which the Sources list (a slot) links back to.
        found = {"body": render_body(ctx, state.plugins), "toc": headings(article.body),
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
    elif article.references is None:  # what the memo holds is what the query would return
        ctx.article = replace(article, references=found["references"])
    ctx.prerendered.update({k: v for k, v in found.items() if k.startswith(("slot:", "head"))})
    return found


def init_app(app) -> None:
    app.extensions["clinicjournal"].fragments = FragmentMemo()
    # site chrome and other template parts (pagebits.cached_html): a few per site and locale
    app.extensions["clinicjournal"].template_fragments = HtmlMemo(TEMPLATE_FRAGMENTS, TEMPLATE_FRAGMENT_CHARS)

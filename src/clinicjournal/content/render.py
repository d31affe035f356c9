"""The render pipeline: Markdown → HTML with citations → plugin transforms → sanitised HTML.

Author and plugin HTML both pass through nh3 (the Rust ammonia sanitiser) with
one allow-list, so neither can put a script, an event handler or a
``javascript:`` URL on a page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markupsafe import Markup, escape
from mdit_py_plugins.anchors import anchors_plugin

from .citations import GROUP_RE, KEY_RE
from .context import PageContext

WORDS_PER_MINUTE = 200
#: ``ctx.extra`` key of ``text → Markup``: plain text (an FAQ answer) with its
#: citations rendered like the body's, in the same numbering (set by render_body)
CITED_TEXT = "cited_text"
#: ``ctx.extra`` key of ``(key, alt override) → HTML | None``: an inline image of the
#: site's library (``![alt](media:key)``), set by the caller that can read the library
MEDIA_IMAGE = "media_image"

#: ``<bdi>`` and ``dir`` (on any element) stay: plugins isolate text whose direction
#: differs from the page's (an English source in an Arabic article) with them.
ALLOWED_TAGS = {
    "a", "abbr", "aside", "b", "bdi", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "nav", "ol", "p", "picture", "pre", "q", "s", "section", "small", "source", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "lang", "dir", "title", "role", "aria-label", "aria-labelledby",
          "aria-describedby", "aria-hidden"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes", "decoding", "fetchpriority"},
    "source": {"srcset", "sizes", "type", "width", "height"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
}


def sanitise(html: str) -> Markup:
    """Clean author- or plugin-supplied HTML against the allow-list."""
    return Markup(nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,  # no target attribute is allowed, so no opener to protect
        strip_comments=True,
    ))


def slugify(text: str) -> str:
    """Anchor id for a heading: keeps letters of any script, folds spaces to hyphens."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s_-]+", "-", text).strip("-") or "section"


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    match = GROUP_RE.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"keys": KEY_RE.findall(match.group(1))}
    state.pos = match.end()
    return True


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    src = token.attrGet("src") or ""
    if src.startswith("media:"):
        alt = self.renderInlineAsText(token.children or [], options, env)
        callback = env.get("media_image")
        html = callback(src[len("media:"):], alt) if callback else None
        # A key the library lacks (a draft's preview: saving refuses it) shows its
        # words, never a broken image.
        return html if html is not None else str(escape(alt))
    return self.image(tokens, idx, options, env)


def _render_citation(self, tokens, idx, options, env) -> str:
    callback = env.get("render_citation")
    keys = tokens[idx].meta["keys"]
    return callback(keys) if callback else escape("[" + "; ".join(keys) + "]")


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    # "js-default" is CommonMark with raw HTML off: authors write Markdown, and
    # any HTML they type is shown as text rather than trusted.
    md = MarkdownIt("js-default", {"linkify": False, "typographer": False}).enable("table")
    md.use(anchors_plugin, min_level=2, max_level=3, slug_func=slugify, permalink=False)
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("image", _render_image)
    return md


def headings(body: str) -> list[tuple[int, str, str]]:
    """(level, anchor id, text) for the body's ``##`` and ``###`` headings."""
    tokens = markdown().parse(body)
    found = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3"):
            found.append((int(tok.tag[1]), tok.attrs.get("id", ""), _plain_text(tokens[i + 1])))
    return found


def _plain_text(inline) -> str:
    """A heading as readers see it: text and code, without markup or citation markers."""
    parts = [child.content for child in inline.children or ()
             if child.type in ("text", "code_inline", "softbreak")]
    return " ".join("".join(parts).split())


def _citation_renderer(ctx: PageContext, plugins) -> Callable[[list[str]], str]:
    """The HTML of one citation group, for the body and the FAQ answers alike."""
    numbers = ctx.citation_numbers
    site = ctx.site
    refs = getattr(ctx.article, "references", None)
    known = None if refs is None else {r.key for r in refs}  # None: not loaded, nothing to check against

    def citation_html(keys: list[str]) -> str:
        nums = [numbers[k] for k in keys if k in numbers and (known is None or k in known)]
        if not nums:
            # Only keys no reference defines (a draft's preview): shown as written,
            # never as a number linking to a source the list does not have.
            return str(escape("[" + "; ".join("@" + k for k in keys) + "]"))
        results = plugins.call("render_citation", site.enabled_plugins, site.slug,
                               ctx=ctx, keys=keys, numbers=nums)
        if results:
            return str(results[0].value)
        return str(escape("[" + ", ".join(str(n) for n in nums) + "]"))

    return citation_html


def _cited_text(text: str, citation_html: Callable[[list[str]], str]) -> Markup:
    """Plain text (an FAQ answer) as safe HTML: escaped, not Markdown, with its
    citations rendered as in the body."""
    parts, start = [], 0
    for match in GROUP_RE.finditer(text):  # as citations.find_text_citations finds them
        parts += [str(escape(text[start:match.start()])), citation_html(KEY_RE.findall(match.group(1)))]
        start = match.end()
    parts.append(str(escape(text[start:])))
    return sanitise("".join(parts))


def render_body(ctx: PageContext, plugins) -> Markup:
    """The article body as safe HTML, with citations rendered by the plugins.

    Also puts :data:`CITED_TEXT` in ``ctx.extra`` for the slots that show the
    FAQ answers: plugins have no handle on the plugin manager, and answers
    rendered only when shown leave the Sources list no back link to a marker
    the page lacks. The body is rendered first, so its citations come first.
    """
    citation_html = _citation_renderer(ctx, plugins)
    ctx.extra[CITED_TEXT] = lambda text: _cited_text(text, citation_html)
    site = ctx.site
    html = markdown().render(ctx.article.body, {"render_citation": citation_html,
                                                "media_image": ctx.extra.get(MEDIA_IMAGE)})
    for result in plugins.call("html_transforms", site.enabled_plugins, site.slug, site=site):
        try:
            transforms = list(result.value)
        except Exception as exc:  # not a list of callables: that plugin's failure only
            plugins.record_failure(result.plugin, "html_transforms", site.slug, exc)
            continue
        for transform in transforms:
            try:
                changed = transform(html, ctx)
                if not isinstance(changed, str):
                    raise TypeError(f"a transform returned {type(changed).__name__}, not the HTML text")
                html = changed
            except Exception as exc:  # same isolation as a hook call
                plugins.record_failure(result.plugin, "html_transforms", site.slug, exc)
    return sanitise(html)


def reading_minutes(word_count: int) -> int:
    return max(1, round(word_count / WORDS_PER_MINUTE + 0.49))


def count_words(text: str) -> int:
    return len(re.findall(r"\w+", text))

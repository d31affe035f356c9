"""Links from an article to other articles of its own site, checked as a
reviewer would: a link to a page that does not exist, or that readers cannot
see (a draft, a scheduled or archived article), is flagged next to its line.

Only links the site itself answers are checked: paths on the same host
(``/de/other-article/``, ``../other-article/``) and absolute URLs to one of the
site's host names. Links elsewhere are the author's business.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content import redirects, render
from ..content.authoring import SLUG_RE, ArticleData
from ..store.hosts import LOCAL_SUFFIX
from ..store.models import Article
from ..web import articles
from .editing import Problem


def _links(body: str):
    """(line, href) of every Markdown link in ``body`` (the line is the one
    holding the link's text in the source, as the editor numbers them)."""
    lines = body.split("\n")
    for block in render.markdown().parse(body):
        if block.type != "inline" or not block.children or not block.map:
            continue
        first, last = block.map
        for token in block.children:
            if token.type != "link_open":
                continue
            href = str(token.attrs.get("href", ""))
            line = next((n + 1 for n in range(first, last) if href in lines[n]), first + 1)
            yield line, href


def _site_path(site, doc: ArticleData, href: str) -> str | None:
    """The path ``href`` names on ``site`` (as seen from the article's own
    address), or None when it leads elsewhere."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        own = {h.name for h in site.hosts} | {site.slug + LOCAL_SUFFIX}
        if parts.scheme not in ("http", "https") or (parts.hostname or "") not in own:
            return None
        return parts.path
    if not parts.path:  # "#section" or "?q": this page
        return None
    return urlsplit(urljoin(f"/{doc.locale}/{doc.slug}/", parts.path)).path


def link_problems(sess: Session, site, doc: ArticleData) -> list[Problem]:
    found = []
    for line, href in _links(doc.body):
        path = _site_path(site, doc, href)
        segments = path.strip("/").split("/") if path and path.endswith("/") else []
        if len(segments) != 2 or segments[0] not in site.locales or not SLUG_RE.match(segments[1]):
            continue  # not an article address (the index, a category, a feed, a file)
        locale, slug = segments
        if (locale, slug) == (doc.locale, doc.slug):
            continue
        if articles.by_slug(sess, site.id, locale, slug) is not None:
            continue
        target = redirects.redirect_target(sess, site.id, locale, slug)
        if target is not None and articles.by_slug(sess, site.id, target.locale, target.slug) is not None:
            continue  # an old address: it still leads there
        stored = sess.scalar(select(Article).where(Article.site_id == site.id, Article.locale == locale,
                                                   Article.slug == slug)) or target
        if stored is None:
            message = _("Line %(line)d: the link to %(path)s leads nowhere: no article of this site has that "
                        "address. Check the slug, or remove the link.", line=line, path=path)
        else:
            message = _("Line %(line)d: the link to %(path)s leads to “%(title)s”, which readers cannot see "
                        "(it is not published). Publish it first, or remove the link.", line=line, path=path,
                        title=stored.title)
        found.append(Problem("body", message, line=line, excerpt=href if len(href) <= 90 else href[:87] + "…"))
    return found

"""What an article address answers when no article is visible there.

In order: an old slug of an article answers 301 to the article's current
address; an article's slug in another language answers 301 to the version in
the URL's language (``/de/<english-slug>/`` → the German version); an archived
article answers 410 Gone with a page leading back to the journal; a slug that
exists only in other languages answers 404 with links to them; anything else
is a plain 404. None of these are stored in the page cache (only 200s are).
"""

from __future__ import annotations

from flask import abort, g, redirect
from sqlalchemy.orm import Session

from ..content import redirects, retiring
from ..content.context import PageContext
from . import articles
from .assets import render_page
from .pagebits import article_url


def answer(sess: Session, site, locale: str, slug: str):
    moved = redirects.redirect_target(sess, site.id, locale, slug)
    if moved is not None:
        if articles.by_slug(sess, site.id, moved.locale, moved.slug) is not None:
            return redirect(article_url(moved.slug, moved.locale), code=301)
        if moved.status == retiring.ARCHIVED:
            return _gone(moved)
    others = articles.versions_of_slug(sess, site.id, slug)
    here = [v for v in others if v.locale == locale]
    if len({v.slug for v in here}) == 1:  # one article has that slug elsewhere and a version here
        return redirect(article_url(here[0].slug, locale), code=301)
    withdrawn = retiring.archived(sess, site.id, locale, slug)
    if withdrawn is not None:
        return _gone(withdrawn)
    if not others:
        abort(404)
    g.page_ctx = PageContext(site=site, locale=locale, page="error")
    return render_page("missing_translation.html", versions=others), 404


def _gone(article):
    g.page_ctx = PageContext(site=g.site, locale=g.locale, page="error")
    return render_page("gone.html", kind=article.kind), 410

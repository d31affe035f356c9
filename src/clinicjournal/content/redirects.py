"""Old slugs keep working: a 301 from every URL an article was public under.

When the public slug of an article changes, its old URL answers with a 301 to
the new one (``slug_redirect``, per site and locale). However often it is
renamed, each old slug points at the article, not at the next slug, so there
are no chains; a slug an article takes again stops redirecting.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..store.models import Article, SlugRedirect
from .authoring import SLUG_RE


def record_move(sess: Session, article: Article, old_locale: str, old_slug: str) -> None:
    """Keep ``old_locale/old_slug`` leading to ``article``, which readers now find
    under its current slug. Called when a live revision with another slug goes live."""
    if (old_locale, old_slug) == (article.locale, article.slug) or not old_slug:
        return
    existing = sess.scalar(select(SlugRedirect).where(
        SlugRedirect.site_id == article.site_id, SlugRedirect.locale == old_locale,
        SlugRedirect.old_slug == old_slug))
    if existing is None:
        sess.add(SlugRedirect(site_id=article.site_id, locale=old_locale, old_slug=old_slug,
                              article_id=article.id))
    else:
        existing.article_id = article.id


def claim(sess: Session, article: Article) -> None:
    """``article`` now answers at its slug: a redirect from that slug would never
    be reached again, and would point elsewhere if it ever were."""
    sess.execute(delete(SlugRedirect).where(
        SlugRedirect.site_id == article.site_id, SlugRedirect.locale == article.locale,
        SlugRedirect.old_slug == article.slug))


def aliases(sess: Session, article: Article) -> list[str]:
    """The old slugs, in the article's own locale, that lead to it."""
    if article.id is None:
        return []
    return list(sess.scalars(select(SlugRedirect.old_slug).where(
        SlugRedirect.article_id == article.id, SlugRedirect.locale == article.locale)
        .order_by(SlugRedirect.old_slug)))


def add_alias(sess: Session, article: Article, old_slug: str) -> str | None:
    """Make ``old_slug`` (in the article's locale) lead to ``article``.

    Returns why it cannot (None when done): not a slug, or the slug of an
    article of the site, which answers there itself.
    """
    if not SLUG_RE.match(old_slug or ""):
        return "not-a-slug"
    taken = sess.scalar(select(Article.id).where(
        Article.site_id == article.site_id, Article.locale == article.locale, Article.slug == old_slug))
    if taken is not None:
        return "taken"
    record_move(sess, article, article.locale, old_slug)
    return None


def redirect_target(sess: Session, site_id: int, locale: str, slug: str) -> Article | None:
    """The article an old slug of this site and locale leads to, if any."""
    return sess.scalar(select(Article).join(SlugRedirect, SlugRedirect.article_id == Article.id).where(
        SlugRedirect.site_id == site_id, SlugRedirect.locale == locale, SlugRedirect.old_slug == slug))

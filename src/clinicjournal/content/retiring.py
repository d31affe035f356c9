"""Retiring content without breaking links: archiving and deleting.

A link a patient saved or a search engine indexed must keep leading somewhere
true (old slugs: see :mod:`.redirects`). An *archived* article is gone from
every listing, and its URL answers 410 Gone with a page that leads back to the
journal. *Deleting* removes an article with its revisions, sources and
redirects; its URL then answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..store import audit
from ..store.models import Article, Revision, SlugRedirect
from . import publishing

ARCHIVED = "archived"


def archived(sess: Session, site_id: int, locale: str, slug: str) -> Article | None:
    return sess.scalar(select(Article).where(Article.site_id == site_id, Article.locale == locale,
                                             Article.slug == slug, Article.status == ARCHIVED))


def archive(sess: Session, article: Article) -> None:
    """Take the article off the public site for good: its URL answers 410 Gone.

    Its text stays, as a draft would (publishing it again brings it back)."""
    if publishing.is_live(article):
        publishing.take_down(sess, article)
    article.status = ARCHIVED


@dataclass
class Deleted:
    """What one deletion removed, for the audit log and the confirmation message."""

    articles: list[str] = field(default_factory=list)  # "locale/slug"
    revisions: int = 0
    references: int = 0
    redirects: int = 0


def language_versions(sess: Session, article: Article) -> list[Article]:
    """Every language version of ``article`` (itself included), in locale order."""
    return list(sess.scalars(select(Article).where(
        Article.site_id == article.site_id, Article.translation_key == article.translation_key)
        .order_by(Article.locale)))


def delete_articles(sess: Session, articles: list[Article]) -> Deleted:
    """Delete ``articles`` with their revisions, sources and redirects. The
    caller checked none is live (readers would lose a page without warning)."""
    done = Deleted()
    for article in articles:
        done.articles.append(f"{article.locale}/{article.slug}")
        done.references += len(article.references)  # the ORM deletes them with the article
        done.revisions += sess.execute(delete(Revision).where(Revision.article_id == article.id)).rowcount or 0
        done.redirects += sess.execute(
            delete(SlugRedirect).where(SlugRedirect.article_id == article.id)).rowcount or 0
        sess.delete(article)
    sess.flush()
    return done


def still_live(articles: list[Article]) -> list[str]:
    """"locale/slug" of those of ``articles`` readers still get: deleting them is refused."""
    return [f"{a.locale}/{a.slug}" for a in articles if publishing.is_live(a)]


def delete_recorded(sess: Session, actor, site, article: Article, doomed: list[Article]) -> Deleted:
    """:func:`delete_articles` with its audit event (``actor``: a user, or ``audit.CLI``),
    the same for the admin and the CLI. The caller checked :func:`still_live`."""
    done = delete_articles(sess, doomed)
    audit.record(sess, actor, "article.deleted", site=site, target=f"{article.locale}/{article.slug}",
                 articles=done.articles, revisions=done.revisions, references=done.references,
                 redirects=done.redirects)
    return done


"""Messages from the review workflow, for the admin to send after a step commits.

* :func:`review_requests`: an article was sent for review → the medical
  reviewers of *that* site who cover its language.
* :func:`changes_requests`: it was sent back → the people who wrote the
  changes (who saved revisions since the last sign-off).

Each returns the composed messages, for the admin to send beside its response
(:func:`.compose.send_in_background`); ``review_requested`` and
``changes_requested`` send at once. None writes to the database, and none
raises when the mail server refuses: the step already happened, and the
failure is logged.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content import publishing
from ..i18n import language_name_in
from ..store import db
from ..store.models import Article, Membership, Site, User, covers
from . import links, preferences
from .compose import Letter, compose, send_quietly


def _name(user: User | None) -> str:
    return (user.name or user.email) if user is not None else _("Someone")


def reviewer_roles(sess: Session, site: Site) -> list[tuple[User, list[str]]]:
    """Active accounts with the reviewer role on ``site`` that have chosen a
    password, each with the languages the role covers (empty: all), by address."""
    rows = sess.execute(select(User, Membership.locales).join(Membership, Membership.user_id == User.id).where(
        Membership.site_id == site.id, Membership.role == "reviewer", User.active.is_(True),
        User.password_hash != "").order_by(User.email)).all()
    return [(user, list(locales or [])) for user, locales in rows]


def reviewers(sess: Session, site: Site, locale: str) -> list[User]:
    """:func:`reviewer_roles` whose role covers ``locale``."""
    return [user for user, locales in reviewer_roles(sess, site) if covers(locales, locale)]


def footer(site: Site, reason: str) -> str:
    """The small print: why this person gets the message, and where to change it."""
    return _("%(reason)s Choose which messages you get under “Your notifications”: %(url)s",
             reason=reason, url=links.admin_url("admin.notifications", site=site))


def _review_letter(site: Site, article: Article, actor: User | None, locale: str) -> Letter:
    return Letter(
        subject=_("Waiting for your review: %(title)s", title=article.title),
        paragraphs=[_("%(name)s sent “%(title)s” on %(site)s for medical review.", name=_name(actor),
                      title=article.title, site=site.name),
                    _("Language: %(language)s.", language=language_name_in(article.locale, locale)),
                    _("Read the changes, then sign them off or send them back with a note.")],
        action=(_("Open the review"), links.admin_url("admin.article_review_screen", site=site,
                                                      article_id=article.id)),
        footer=footer(site, _("You get this because you are a medical reviewer of %(site)s.", site=site.name)))


def review_requests(site: Site, article: Article, actor: User | None) -> list[EmailMultiAlternatives]:
    """The messages telling ``site``'s reviewers for the article's language that
    it waits for them (not ``actor``, who sent it)."""
    sess = db.session()
    messages = []
    for user in reviewers(sess, site, article.locale):
        if (actor is not None and user.id == actor.id) or not preferences.wants(sess, user, "review_requested"):
            continue
        locale = preferences.locale_for(sess, user, site)
        messages.append(compose(user.email, locale, lambda locale=locale: _review_letter(site, article, actor, locale)))
    return messages


def review_requested(site: Site, article: Article, actor: User | None) -> int:
    """Send :func:`review_requests` now; returns how many messages went."""
    return send_quietly(review_requests(site, article, actor), f"review requests for article {article.id}")


def _changes_letter(site: Site, article: Article, actor: User | None, note: str) -> Letter:
    paragraphs = [_("%(name)s sent “%(title)s” on %(site)s back to draft: changes are requested before it can "
                    "be signed off.", name=_name(actor), title=article.title, site=site.name)]
    if note:
        paragraphs.append(_("Their note: %(note)s", note=note))
    paragraphs.append(_("Make the changes, then send the article for review again."))
    return Letter(
        subject=_("Changes requested: %(title)s", title=article.title), paragraphs=paragraphs,
        action=(_("Open the article"), links.admin_url("admin.article_edit", site=site, article_id=article.id)),
        footer=footer(site, _("You get this because you worked on this article.")))


def authors(sess: Session, article: Article) -> list[User]:
    """Who wrote the working copy's changes (since the last sign-off), active ones only."""
    revision = publishing.latest(sess, article)
    if revision is None:
        return []
    ids = publishing.authors_of(sess, article, revision)
    return [u for u in (sess.get(User, i) for i in sorted(ids)) if u is not None and u.active]


def changes_requests(site: Site, article: Article, actor: User | None,
                     note: str = "") -> list[EmailMultiAlternatives]:
    """The messages telling the authors of the article's changes that ``actor``
    sent it back to draft, with ``actor``'s note."""
    sess = db.session()
    messages = []
    for user in authors(sess, article):
        if (actor is not None and user.id == actor.id) or not preferences.wants(sess, user, "changes_requested"):
            continue
        locale = preferences.locale_for(sess, user, site)
        messages.append(compose(user.email, locale, lambda: _changes_letter(site, article, actor, note)))
    return messages


def changes_requested(site: Site, article: Article, actor: User | None, note: str = "") -> int:
    """Send :func:`changes_requests` now; returns how many messages went."""
    return send_quietly(changes_requests(site, article, actor, note),
                        f"changes-requested notes for article {article.id}")

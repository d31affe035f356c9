"""``clinicjournal reminders send``, run by cron: review reminders and the weekly digest.

* **Review reminders**, to the site's reviewers for each article's language:
  a live article whose review falls due within ``REVIEW_REMINDER_DAYS`` is
  mentioned once per due date; an overdue one (or one never signed off) once
  a week while it stays overdue. One message per reviewer and site lists them.
* **The weekly digest**, to each site admin once per ISO week: published in
  the last seven days, waiting for review, overdue reviews, and plugin
  failures (``plugin_health``). An empty week sends nothing.

Every item is claimed in ``mail_sent`` (one key per item and recipient) in the
transaction that sends its message: running the command twice, or two hosts
running it at once, sends nothing twice; a message the server refuses is
rolled back and tried again at the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..content import publishing
from ..i18n import language_name_in, short_date_for
from ..store.manage import review_interval_days
from ..store.models import (
    Article,
    MailSent,
    Membership,
    PluginHealth,
    Site,
    User,
    covers,
    utcnow,
)
from . import links, preferences
from .compose import Letter, Section, compose, send
from .notify import footer, reviewer_roles

log = logging.getLogger("clinicjournal.mail")


@dataclass
class Report:
    sent: list[str] = field(default_factory=list)  # "address: subject"
    failed: list[str] = field(default_factory=list)


@dataclass
class Due:
    site: Site
    article: Article
    due: dt.date | None  # None: live but never signed off
    overdue: bool

    def key(self, today: dt.date) -> str:
        """What a reminder of this item is remembered by: its due date, and the week for overdue ones."""
        if self.overdue:
            return f"review-overdue:{self.article.id}:{self.due or 'never'}:{week(today)}"
        return f"review-due:{self.article.id}:{self.due}"


def week(day: dt.date) -> str:
    year, number, _weekday = day.isocalendar()
    return f"{year}-W{number:02d}"


def reviews_due(sess: Session, site: Site, today: dt.date) -> list[Due]:
    """Live articles of ``site`` whose medical review is overdue or due within
    ``REVIEW_REMINDER_DAYS``, soonest first (the rule of the admin's review queue)."""
    horizon = today + dt.timedelta(days=current_app.config["REVIEW_REMINDER_DAYS"])
    interval = review_interval_days(site)
    now = utcnow()
    found = []
    for article in sess.scalars(select(Article).where(Article.site_id == site.id,
                                                      Article.status.in_(publishing.SHOWN))):
        if publishing.public_state(article, now) not in ("published", "scheduled") or \
                not publishing.review_required(site, article.kind):
            continue
        due = article.next_review or (article.reviewed + dt.timedelta(days=interval) if article.reviewed else None)
        if due is None or due <= today:
            found.append(Due(site, article, due, True))
        elif due <= horizon:
            found.append(Due(site, article, due, False))
    return sorted(found, key=lambda d: (d.due or dt.date.min, d.article.title))


def _claim(sess: Session, keys: list[str], user: User) -> list[str]:
    """Those of ``keys`` (already suffixed with the user) not sent yet, added to ``mail_sent``."""
    fresh = [k for k in keys if sess.get(MailSent, k) is None]
    for key in fresh:
        sess.add(MailSent(key=key, user_id=user.id, sent_at=utcnow()))
    return fresh


def _deliver(sess: Session, report: Report, message) -> None:
    """Send ``message`` and commit its claims; roll them back when it cannot go."""
    try:
        sess.flush()  # a claim another run made first fails here, before anything is sent
        send([message])
        sess.commit()
    except IntegrityError:
        sess.rollback()
    except Exception as exc:  # noqa: BLE001 - any transport error: tried again at the next run
        sess.rollback()
        log.error("reminder to %s not sent: %s", message.to[0], exc)
        report.failed.append(f"{message.to[0]}: {exc}")
    else:
        report.sent.append(f"{message.to[0]}: {message.subject}")


def _due_line(item: Due, locale: str) -> tuple[str, str]:
    title, language = item.article.title, language_name_in(item.article.locale, locale)
    if item.due is None:
        text = _("%(title)s (%(language)s): never signed off", title=title, language=language)
    elif item.overdue:
        text = _("%(title)s (%(language)s): review was due on %(date)s", title=title, language=language,
                 date=short_date_for(item.due, locale))
    else:
        text = _("%(title)s (%(language)s): review due on %(date)s", title=title, language=language,
                 date=short_date_for(item.due, locale))
    return text, links.admin_url("admin.article_review_screen", site=item.site, article_id=item.article.id)


def _reminder_letter(site: Site, items: list[Due], locale: str) -> Letter:
    sections = []
    overdue, soon = [i for i in items if i.overdue], [i for i in items if not i.overdue]
    if overdue:
        sections.append(Section(_("Overdue"), [_due_line(i, locale) for i in overdue]))
    if soon:
        sections.append(Section(_("Due soon"), [_due_line(i, locale) for i in soon]))
    return Letter(
        subject=_("Medical reviews due on %(site)s", site=site.name),
        paragraphs=[_("These articles on %(site)s need a new medical review, so that readers can keep trusting "
                      "them.", site=site.name)],
        sections=sections,
        action=(_("Open the review queue"), links.admin_url("admin.review", site=site)),
        footer=footer(site, _("You get this because you are a medical reviewer of %(site)s.", site=site.name)))


def send_review_reminders(sess: Session, site: Site, today: dt.date, report: Report) -> None:
    due = reviews_due(sess, site, today)
    if not due:
        return
    for user, locales in reviewer_roles(sess, site):
        if not preferences.wants(sess, user, "review_reminders"):
            continue
        keyed = {f"{item.key(today)}:{user.id}": item for item in due if covers(locales, item.article.locale)}
        fresh = _claim(sess, list(keyed), user)
        if not fresh:
            continue
        items = [keyed[k] for k in fresh]
        locale = preferences.locale_for(sess, user, site)
        _deliver(sess, report, compose(user.email, locale, lambda items=items, locale=locale: _reminder_letter(site, items, locale)))


# -- the weekly digest ---------------------------------------------------------------

@dataclass
class Digest:
    published: list[Article]
    waiting: list[Article]
    overdue: list[Due]
    failures: list[PluginHealth]

    def __bool__(self) -> bool:
        return bool(self.published or self.waiting or self.overdue or self.failures)


def digest_of(sess: Session, site: Site, today: dt.date) -> Digest:
    """What a site admin hears about for the week ending ``today``."""
    now, since = utcnow(), today - dt.timedelta(days=7)
    published = list(sess.scalars(select(Article).where(
        Article.site_id == site.id, publishing.state_filter("published", now), Article.published > since)
        .order_by(Article.published.desc(), Article.title)))
    waiting = list(sess.scalars(select(Article).where(Article.site_id == site.id,
                                                      publishing.state_filter("review", now))
                                .order_by(Article.title)))
    failures = list(sess.scalars(select(PluginHealth).where(
        PluginHealth.site_slug == site.slug, PluginHealth.failures > 0,
        PluginHealth.last_failure_at >= dt.datetime.combine(since, dt.time())).order_by(PluginHealth.plugin)))
    overdue = [d for d in reviews_due(sess, site, today) if d.overdue]
    return Digest(published, waiting, overdue, failures)


def _article_line(site: Site, article: Article, locale: str) -> tuple[str, str]:
    text = _("%(title)s (%(language)s)", title=article.title, language=language_name_in(article.locale, locale))
    return text, links.admin_url("admin.article_edit", site=site, article_id=article.id)


def _digest_letter(site: Site, digest: Digest, locale: str) -> Letter:
    sections = []
    if digest.published:
        sections.append(Section(_("Published this week"), [_article_line(site, a, locale) for a in digest.published]))
    if digest.waiting:
        sections.append(Section(_("Waiting for medical review"),
                                [_article_line(site, a, locale) for a in digest.waiting]))
    if digest.overdue:
        sections.append(Section(_("Medical review overdue"), [_due_line(d, locale) for d in digest.overdue]))
    if digest.failures:
        sections.append(Section(_("Plugin failures"), [
            (ngettext("%(plugin)s failed %(num)d time; last error: %(error)s",
                      "%(plugin)s failed %(num)d times; last error: %(error)s", row.failures, plugin=row.plugin,
                      error=(row.last_error or "?").splitlines()[0][:200]),
             links.admin_url("admin.plugins_page", site=site)) for row in digest.failures]))
    return Letter(
        subject=_("This week on %(site)s", site=site.name),
        paragraphs=[_("A summary of the week on the journal of %(site)s.", site=site.name)],
        sections=sections,
        action=(_("Open the site's overview"), links.admin_url("admin.dashboard", site=site)),
        footer=footer(site, _("You get this because you are a site admin of %(site)s.", site=site.name)))


def send_digests(sess: Session, site: Site, today: dt.date, report: Report) -> None:
    admins = list(sess.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.site_id == site.id, Membership.role == "site_admin", User.active.is_(True),
        User.password_hash != "").order_by(User.email)))
    wanting = [u for u in admins if preferences.wants(sess, u, "weekly_digest")]
    if not wanting:
        return
    digest = digest_of(sess, site, today)
    if not digest:
        return
    for user in wanting:
        if not _claim(sess, [f"digest:{site.id}:{week(today)}:{user.id}"], user):
            continue
        locale = preferences.locale_for(sess, user, site)
        _deliver(sess, report, compose(user.email, locale, lambda locale=locale: _digest_letter(site, digest, locale)))


def send_all(sess: Session, today: dt.date | None = None) -> Report:
    """Every reminder and digest due on ``today`` (UTC), for every site, not sent before."""
    today = today or utcnow().date()
    report = Report()
    for site in sess.scalars(select(Site).order_by(Site.slug)).all():
        send_review_reminders(sess, site, today, report)
        send_digests(sess, site, today, report)
    return report

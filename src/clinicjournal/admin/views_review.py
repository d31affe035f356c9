"""The publishing workflow on an article (send for review, sign off, publish or
schedule, unpublish) and the site's review queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import zip_longest

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..content import publishing
from ..mail import notify
from ..mail.compose import send_in_background
from ..store import audit, db
from ..store.manage import review_interval_days
from ..store.models import Article, utcnow
from . import bp, editing
from .links import link_problems
from .roles import article_or_404, require, require_edit, route
from .ui import plugins, public_url, site_view


def workflow_step(article_id: int, action: str, run, success: str, tell=None):
    """Run one workflow step on the article, refusing it when the form's version is stale.

    ``tell(site, article)`` gives the messages a successful step sends (sent
    in the background)."""
    site, sess = g.admin_site, db.session()
    article = article_or_404(article_id)
    target = f"{article.locale}/{article.slug}"
    if request.form.get("version") != str(article.version):
        flash(_("The article changed since you opened it (someone saved a new version). Nothing was done: "
                "read the current text, then try again."), "error")
        return redirect(url_for("admin.article_edit", article_id=article.id))
    try:
        detail = run(sess, site, article) or {}
        audit.record(sess, g.user, action, site=site, target=target, **detail)
        sess.commit()
    except editing.WorkflowError as exc:
        sess.rollback()
        flash(str(exc), "error")
    except StaleDataError:
        sess.rollback()
        flash(_("Someone saved the article at the same moment; nothing was done."), "error")
    else:
        flash(success, "success")
        if tell is not None:
            send_in_background(tell(site, article), f"{action} messages for article {article_id}")
    return redirect(url_for("admin.article_edit", article_id=article_id))


@route(bp, "/<site>/articles/<int:article_id>/submit", "articles.edit", methods=["POST"])
def article_submit(article_id: int):
    """Send a draft to the medical reviewers."""
    def run(sess, site, article):
        require_edit(article.locale)
        editing.submit(sess, article, g.user, site_view(site), plugins())
    return workflow_step(article_id, "article.submitted", run, _("Sent for review."),
                         tell=lambda site, article: notify.review_requests(site, article, g.user))


@route(bp, "/<site>/articles/<int:article_id>/send-back", "articles.view", methods=["POST"])
def article_send_back(article_id: int):
    """Return an article in review to draft (reviewers and editors), with an optional note."""
    note = (request.form.get("note") or "").strip()[:500]

    def run(sess, site, article):
        if not (g.user.is_network_admin or {"reviewer", "editor"} & g.roles):
            require_edit(article.locale)
        editing.send_back(sess, article, g.user)
        return {"note": note} if note else {}
    return workflow_step(article_id, "article.sent_back", run, _("Sent back to draft."),
                         tell=lambda site, article: notify.changes_requests(site, article, g.user, note))


@route(bp, "/<site>/articles/<int:article_id>/sign-off", "articles.review", methods=["POST"])
def article_sign_off(article_id: int):
    """Medical review sign-off by a reviewer of this site."""
    def run(sess, site, article):
        editing.sign_off(sess, site, article, g.user)
        return {"revision": article.latest_revision_id}
    return workflow_step(article_id, "article.signed_off", run, _("Medical review signed off."))


def _form_time(name: str) -> dt.datetime | None:
    """A ``datetime-local`` field, read as UTC (the form says so)."""
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.datetime.fromisoformat(raw).replace(tzinfo=None, second=0, microsecond=0)
    except ValueError:
        raise editing.WorkflowError(_("Give the time as a date and a time of day.")) from None


def _publish_time() -> dt.datetime | None:
    return _form_time("publish_at") if request.form.get("mode") == "schedule" else None


@route(bp, "/<site>/articles/<int:article_id>/publish", "articles.publish", methods=["POST"])
def article_publish(article_id: int):
    """Publish now, or schedule (``mode=schedule`` with ``publish_at``, UTC)."""
    def run(sess, site, article):
        at = _publish_time()
        if request.form.get("mode") == "schedule" and (at is None or at <= utcnow()):
            raise editing.WorkflowError(_("Choose a time in the future to schedule the article."))
        expires = _form_time("expires_at")
        revision = article.latest_revision_id
        status = editing.publish(sess, site, article, g.user, site_view(site), plugins(), at, expires)
        detail = {"revision": revision, **({"expires_at": expires} if expires else {})}
        if status == "scheduled":
            flash(_("Scheduled for %(when)s UTC.", when=at.strftime("%Y-%m-%d %H:%M")), "info")
            return {**detail, "publish_at": at, "scheduled": True}
        return detail
    return workflow_step(article_id, "article.published", run, _("Published."))


@route(bp, "/<site>/articles/<int:article_id>/unpublish", "articles.publish", methods=["POST"])
def article_unpublish(article_id: int):
    """Take an article off the public site (back to draft)."""
    return workflow_step(article_id, "article.unpublished",
                 lambda sess, site, article: editing.unpublish(sess, article, g.user), _("Unpublished."))


@route(bp, "/<site>/articles/<int:article_id>/expiry", "articles.publish", methods=["POST"])
def article_expiry(article_id: int):
    """Schedule unpublishing (``expires_at``, UTC), or cancel it (empty)."""
    def run(sess, site, article):
        at = _form_time("expires_at")
        editing.set_expiry(sess, article, at)
        return {"expires_at": at}
    return workflow_step(article_id, "article.expiry", run, _("Unpublishing time saved."))


@route(bp, "/<site>/articles/<int:article_id>/discard", "articles.edit", methods=["POST"])
def article_discard(article_id: int):
    """Drop the changes waiting: the working copy is what readers see again."""
    def run(sess, site, article):
        require_edit(article.locale)
        editing.discard(sess, article)
    return workflow_step(article_id, "article.discarded", run, _("Changes discarded: the text is the published one again."))


@route(bp, "/<site>/articles/<int:article_id>/review", "articles.view")
def article_review_screen(article_id: int):
    """The reviewer's screen: the working copy rendered by the public page's own
    pipeline (citations numbered as readers will see them), the differences from
    what is live, and the sign-off, offered only when something awaits this member."""
    from .standing import standing_of
    from .views_articles import _render_preview

    site, sess = g.admin_site, db.session()
    article = article_or_404(article_id)
    standing = standing_of(site, article)
    doc = publishing.working_copy(sess, article)
    source = None
    if article.locale != site.default_locale:
        source = sess.scalar(select(Article).where(
            Article.site_id == site.id, Article.translation_key == article.translation_key,
            Article.locale == site.default_locale))
    panel = render_template(
        "admin/_review_panel.html", ui_locale=g.locale, site=site, article=article, standing=standing,
        diff=standing.diff if standing.waiting else [], source=source,
        side_by_side=side_by_side(source, doc) if source is not None and publishing.is_live(source) else [],
        links=link_problems(sess, site, doc),
        source_url=public_url(site, source.locale, source.slug)
        if source is not None and publishing.public_state(source) == "published" else None)
    return _render_preview(site, article, doc, banner=panel)


def side_by_side(source: Article, doc) -> list[tuple[str, str]]:
    """The source's published text and the translation, paragraph beside
    paragraph (title and summary first), for a reviewer comparing them."""
    def blocks(title: str, summary: str, body: str) -> list[str]:
        return [title, summary] + [b.strip() for b in body.split("\n\n") if b.strip()]
    left = blocks(source.title, source.summary, source.body)
    right = blocks(doc.title, doc.summary, doc.body)
    return list(zip_longest(left, right, fillvalue=""))


# -- the review queue ---------------------------------------------------------------

@dataclass
class Queue:
    waiting: list[Article] = field(default_factory=list)  # sent for review, not yet signed off
    ready: list[Article] = field(default_factory=list)  # signed off, not yet live: can be published
    overdue: list[tuple[Article, dt.date | None]] = field(default_factory=list)  # live, review due or none
    changed: list[Article] = field(default_factory=list)  # live, with changes waiting (not sent yet)

    @property
    def attention(self) -> int:
        return len(self.waiting) + len(self.overdue) + len(self.changed)


def due_date(article: Article, interval_days: int) -> dt.date | None:
    if article.next_review is not None:
        return article.next_review
    if article.reviewed is not None:
        return article.reviewed + dt.timedelta(days=interval_days)
    return None


def review_queue(sess, site, today: dt.date | None = None) -> Queue:
    """What needs a reviewer's or an editor's attention on ``site``. Live items
    without a sign-off (an old import, say) are listed as overdue: unreviewed."""
    today = today or utcnow().date()
    interval = review_interval_days(site)
    queue = Queue()
    rows = sess.scalars(select(Article).where(Article.site_id == site.id).order_by(Article.title)).all()
    latest = publishing.revisions_by_id(sess, (a.latest_revision_id for a in rows if a.workflow == "review"))
    for article in rows:
        needs_review = publishing.review_required(site, article.kind)
        revision = latest.get(article.latest_revision_id)
        if article.workflow == "review" and revision is not None:
            (queue.ready if publishing.signature(revision) else queue.waiting).append(article)
        elif publishing.changes_waiting(article):
            queue.changed.append(article)
        if not publishing.is_live(article) or not needs_review:
            continue
        due = due_date(article, interval)
        if due is None or due <= today:
            queue.overdue.append((article, due))
    queue.overdue.sort(key=lambda pair: (pair[1] or dt.date.min, pair[0].title))
    return queue


@route(bp, "/<site>/review", "articles.view")
def review():
    """Articles waiting for sign-off, ready to publish, overdue for review, or changed since sign-off."""
    site = g.admin_site
    require("articles.view")
    queue = review_queue(db.session(), site)
    # A reviewer for some languages only (and nothing more here) is shown the work that is theirs.
    languages = g.role_locales.get("reviewer") if g.roles == {"reviewer"} else None
    if languages:
        queue.waiting = [a for a in queue.waiting if a.locale in languages]
        queue.overdue = [(a, due) for a, due in queue.overdue if a.locale in languages]
    return render_template("admin/review.html", site=site, queue=queue, interval=review_interval_days(site),
                           languages=languages)

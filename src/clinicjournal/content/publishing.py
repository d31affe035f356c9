"""Live revision and working copy: what readers see changes only by publishing.

An article's row is the public record. While it is published or scheduled, its
content columns hold its *live* revision (``live_revision_id``) and saving only
adds a revision, the *working copy* (``latest_revision_id``). A draft has
nothing live, and its row mirrors its working copy (so lists show it).

Publishing copies one revision into the row. The "Medically reviewed by … on …"
line readers see (``reviewer``, ``reviewed``) is copied from that revision's own
sign-off, and cleared when it has none: the line cannot describe other text.

Every route that changes content (the admin's form, upload, restore and
translation form, ``content import``) goes through :func:`save`; every route
that changes what readers see goes through :func:`make_live` or
:func:`take_down`. The checks of *whether* a step is allowed (roles, sign-off
required, four eyes) are the admin's (admin/editing.py); an import run by an
operator is trusted to publish, but never to invent a sign-off.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, not_, or_, select
from sqlalchemy.orm import Session

from ..store import db
from ..store.manage import review_interval_days
from ..store.models import Article, Reference, Revision, User, utcnow
from . import redirects, revisions
from .authoring import ArticleData
from .fingerprint import content_hash
from .render import count_words
from .writing import to_data

#: snapshot fields that are the workflow's, not the text's: not compared when
#: deciding whether a save changed anything
WORKFLOW_FIELDS = ("status", "reviewed", "reviewer", "publish_at", "expires", "signoff")
SHOWN = ("published", "scheduled")


def is_live(article: Article) -> bool:
    """Whether the row holds a revision readers get (now or at its moment)."""
    return article.status in SHOWN


def public_state(article: Article, now: dt.datetime | None = None) -> str:
    """What a reader gets at ``now``: draft, scheduled, published, expired or
    archived (410 Gone; see retiring.py).

    Agrees with ``web.articles.visible`` (the public queries), so the admin's
    status, counts and links say what the public site does.
    """
    now = now or utcnow()
    if not is_live(article):
        return "archived" if article.status == "archived" else "draft"
    if article.expires_at is not None and article.expires_at <= now:
        return "expired"
    if article.publish_at is not None and article.publish_at > now:
        return "scheduled"
    if article.published is not None and article.published > now.date():
        return "scheduled"
    return "published"


def state_filter(state: str, now: dt.datetime):
    """SQL for the articles whose :func:`public_state` (or workflow) is ``state``."""
    live = Article.status.in_(SHOWN)
    expired = and_(live, Article.expires_at.is_not(None), Article.expires_at <= now)
    ahead = and_(live, or_(Article.publish_at > now, Article.published > now.date()), not_(expired))
    return {
        "draft": and_(not_(live), Article.status != "archived"),
        "archived": Article.status == "archived",
        "review": Article.workflow == "review",
        "waiting": and_(live, Article.latest_revision_id.is_not(None),
                        Article.latest_revision_id != Article.live_revision_id),
        "expired": expired,
        "scheduled": ahead,
        "published": and_(live, not_(expired), or_(Article.publish_at.is_(None), Article.publish_at <= now),
                          or_(Article.published.is_(None), Article.published <= now.date())),
    }[state]


def review_required(site, kind: str) -> bool:
    """Whether publishing an item of ``kind`` needs a medical sign-off on ``site``.
    Articles always do; site pages do unless the site's ``review_pages`` setting
    is off (default on: a disclaimer page is medical-legal text)."""
    return kind != "page" or bool((site.settings or {}).get("review_pages", True))


def four_eyes(site) -> bool:
    """Whether the author of a change may not sign it off (default on)."""
    return bool((site.settings or {}).get("four_eyes", True))


def latest(sess: Session, article: Article) -> Revision | None:
    return revisions.get(sess, article, article.latest_revision_id)


def live(sess: Session, article: Article) -> Revision | None:
    return revisions.get(sess, article, article.live_revision_id) if is_live(article) else None


def working_copy(sess: Session, article: Article) -> ArticleData:
    """The text the editor works on: the latest revision (the row for an article
    saved before revisions were kept)."""
    revision = latest(sess, article)
    doc = revisions.from_snapshot(revision.data) if revision is not None else to_data(article)
    doc.status, doc.reviewer, doc.reviewed = article.status, "", None
    return doc


def changes_waiting(article: Article) -> bool:
    """Whether saved changes wait that readers do not see (a save that changes
    nothing adds no revision, and discarding points the working copy back)."""
    return (is_live(article) and article.latest_revision_id is not None
            and article.latest_revision_id != article.live_revision_id)


def revisions_by_id(sess: Session, ids) -> dict[int, Revision]:
    """Revisions by id in one query (for lists of articles)."""
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, Revision] = {}
    for start in range(0, len(wanted), 500):
        for revision in sess.scalars(select(Revision).where(Revision.id.in_(wanted[start:start + 500]))):
            found[revision.id] = revision
    return found


def comparable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in WORKFLOW_FIELDS}


def signature(revision: Revision | None) -> bool:
    """Whether ``revision`` carries a sign-off that covers its content, checked
    against its data again rather than trusting the stored hash."""
    return (revision is not None and revision.signed_off_at is not None
            and revision.signed_hash == content_hash(revision.data))


def save(sess: Session, article: Article, doc: ArticleData, by: User | str, note: str,
         now: dt.datetime | None = None) -> Revision:
    """Record ``doc`` as ``article``'s working copy (``article`` may be new, not yet added).

    A save that changes nothing keeps the latest revision, and its sign-off. The
    row changes only when nothing is live. Always moves ``modified``, so the
    optimistic lock (``Article.version``) is checked and bumped.
    """
    now = now or utcnow()
    data = revisions.snapshot_of(doc)
    current = latest(sess, article) if article.id is not None else None
    article.modified = now
    if current is not None and comparable(current.data) == comparable(data):
        return current
    if not is_live(article):
        mirror(sess, article, doc, now)
    return revisions.record(sess, article, by, note, doc=doc)


def mirror(sess: Session, article: Article, doc: ArticleData, now: dt.datetime) -> None:
    """Copy ``doc`` into the row (for an article nothing of which is live)."""
    before = visible_content(article) if article.id is not None else None
    was_page = article.kind == "page"
    article.locale, article.slug = doc.locale, doc.slug
    status = article.status or "draft"
    apply(article, doc)
    article.status, article.reviewer, article.reviewed, article.reviewed_at = status, "", None, None
    if before is None or before != visible_content(article):
        article.content_changed = now
    if was_page or article.kind == "page":
        db.bump_config_generation(sess)  # the reader's registry lists the site's pages


def make_live(sess: Session, site, article: Article, revision: Revision, *, at: dt.datetime | None = None,
              expires: dt.datetime | None = None, keep_date: bool = False,
              now: dt.datetime | None = None) -> str:
    """Make ``revision`` what readers get: now, or from ``at`` (UTC) when later.

    The first publication date is kept from an earlier live revision; else it is
    the revision's own when ``keep_date`` (an import's embargo date), else today.
    Returns the new status.
    """
    now = now or utcnow()
    doc = revisions.from_snapshot(revision.data)
    was_live = article.live_revision_id is not None and is_live(article)
    before = visible_content(article) if was_live else None
    first_published = article.published if was_live else None
    old_address = (article.locale, article.slug)
    article.locale, article.slug = doc.locale, doc.slug
    if was_live:
        redirects.record_move(sess, article, *old_address)
    redirects.claim(sess, article)
    apply(article, doc)
    if before is None or before != visible_content(article):
        article.content_changed = now
    if at is not None and at > now:
        article.status, article.publish_at, article.published = "scheduled", at, at.date()
    elif keep_date and doc.published and doc.published > now.date():  # an import's embargo date
        article.status, article.publish_at = "scheduled", None
    else:
        article.status, article.publish_at = "published", None
        if not (keep_date and doc.published):
            article.published = first_published or now.date()
            if article.published > now.date():
                article.published = now.date()
    article.expires_at = expires
    _copy_signoff(site, article, revision)
    article.live_revision_id = revision.id
    if revision.id == article.latest_revision_id:
        article.workflow = ""
    article.modified = now
    if article.kind == "page":
        db.bump_config_generation(sess)
    return article.status


def apply(article: Article, doc: ArticleData) -> None:
    """Copy ``doc``'s fields onto ``article``, updating references in place by key."""
    for name in ("translation_key", "kind", "status", "title", "category", "summary", "published",
                 "updated", "reviewed", "author", "reviewer", "takeaway", "body"):
        setattr(article, name, getattr(doc, name))
    article.faq = [dict(item) for item in doc.faq]
    article.extra = dict(doc.extra)
    article.word_count = count_words(doc.body)
    by_key = {r.key: r for r in article.references}
    keep = []
    for position, ref in enumerate(doc.references):
        row = by_key.get(ref.key) or Reference(key=ref.key)
        for name in ("title", "authors", "container", "kind", "year", "doi", "pmid", "pmcid", "url"):
            setattr(row, name, getattr(ref, name))
        row.position = position
        keep.append(row)
    article.references = keep


def visible_content(article: Article) -> tuple:
    refs = tuple((r.key, r.title, tuple(r.authors or ()), r.container, r.kind, r.year, r.url, r.doi,
                  r.pmid, r.pmcid) for r in article.references) if article.id else ()
    return (article.title, article.summary, article.body, article.takeaway,
            repr(article.faq), refs)


def _copy_signoff(site, article: Article, revision: Revision) -> None:
    if signature(revision):
        article.reviewer = revision.signed_off_name
        article.reviewed_at = revision.signed_off_at
        article.reviewed = revision.signed_off_at.date()
        article.next_review = article.reviewed + dt.timedelta(days=review_interval_days(site))
    else:
        article.reviewer, article.reviewed, article.reviewed_at, article.next_review = "", None, None, None


def sign(site, article: Article, revision: Revision, name: str, user: User | None,
         at: dt.datetime | None = None) -> None:
    """Record a sign-off of exactly ``revision`` (the caller checked it may be given).

    Signing the live revision again (a periodic re-review) updates the public
    line at once, since it describes that very text."""
    revision.signed_off_by = user.id if user is not None else None
    revision.signed_off_name = name[:200]
    revision.signed_off_at = at or utcnow()
    revision.signed_hash = content_hash(revision.data)
    if revision.id == article.live_revision_id and is_live(article):
        _copy_signoff(site, article, revision)
        article.modified = utcnow()


def take_down(sess: Session, article: Article, now: dt.datetime | None = None) -> None:
    """Nothing is live any more; the row mirrors the working copy again."""
    now = now or utcnow()
    doc = working_copy(sess, article)
    article.status, article.publish_at, article.expires_at, article.live_revision_id = "draft", None, None, None
    article.next_review = None
    mirror(sess, article, doc, now)
    article.modified = now
    if article.kind == "page":
        db.bump_config_generation(sess)


def discard(sess: Session, article: Article) -> None:
    """Drop the changes waiting: the working copy is the live revision again."""
    article.latest_revision_id, article.workflow = article.live_revision_id, ""
    article.modified = utcnow()


def authors_of(sess: Session, article: Article, revision: Revision) -> set[int]:
    """Who saved the changes ``revision`` holds since the last signed-off revision
    before it (all its revisions when none was): the four-eyes rule's "authors"."""
    earlier = list(sess.scalars(select(Revision).where(Revision.article_id == article.id,
                                                       Revision.id <= revision.id)
                                .order_by(Revision.id.desc())))
    authors: set[int] = set()
    for item in earlier:
        if item.id != revision.id and signature(item):
            break
        if item.saved_by is not None:
            authors.add(item.saved_by)
    return authors

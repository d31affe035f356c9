"""Autosave: the editor's working copy saved every few seconds while someone types.

An autosave is a save like any other (a revision, the same optimistic lock on
``Article.version``), with two differences:

- A run of autosaves by one person is *coalesced* into one revision, noted
  "autosaved": each autosave rewrites that revision in place while it is still
  the latest, unsigned, not live and not sent for review. The next manual save,
  someone else's save, a sign-off or sending for review starts a new one. So
  the history keeps one entry per sitting, not one per pause in typing.
- It records no audit event: the manual save that ends the sitting does
  (``article.saved``), and the revision history shows the autosaved text.

A version the form did not load refuses the autosave (the caller answers 409
and the editor stops autosaving), so an autosave never overwrites a newer text.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..content import publishing, revisions
from ..content.authoring import ArticleData
from ..content.fingerprint import content_hash
from ..store.models import Article, User, utcnow

NOTE = "autosaved"


def coalescible(article: Article, revision, user: User) -> bool:
    """Whether ``revision`` is this sitting's autosave, which a new autosave may rewrite."""
    return (revision is not None and revision.note == NOTE and revision.saved_by == user.id
            and revision.signed_off_at is None and revision.id != article.live_revision_id
            and article.workflow != "review")


def autosave(sess: Session, article: Article, doc: ArticleData, user: User) -> None:
    """Save ``doc`` as ``article``'s working copy, coalesced with this sitting's
    earlier autosave. The caller checked the version and commits (catching
    StaleDataError: the optimistic lock still applies)."""
    now = utcnow()
    latest = publishing.latest(sess, article)
    if not coalescible(article, latest, user):
        publishing.save(sess, article, doc, user, NOTE, now=now)
        return
    data = revisions.snapshot_of(doc)
    if publishing.comparable(latest.data) == publishing.comparable(data):
        return  # nothing to write: the version stays, so the form's copy stays current
    article.modified = now  # moves the version, as every save does
    latest.data, latest.content_hash, latest.saved_at = data, content_hash(data), now
    if not publishing.is_live(article):
        publishing.mirror(sess, article, doc, now)

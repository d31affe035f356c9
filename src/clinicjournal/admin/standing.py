"""Where an article stands, for the admin's screens: what readers get now, what
waits, who may do which step next, and the differences between live and latest.

Computed from the same data the workflow steps check (content/publishing.py),
so a screen never offers a step the data would refuse, and its messages agree
with the public site at every moment.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from flask import g
from flask_babel import gettext as _

from ..content import publishing
from ..content.revisions import from_snapshot
from ..content.writing import dump_document
from ..store import db
from ..store.models import Article, Revision, utcnow
from .editing import not_your_language
from .roles import can, can_edit_locale, role_covers


@dataclass
class Standing:
    state: str  # public_state: draft | scheduled | published | expired | archived
    in_review: bool
    waiting: bool  # changes saved that readers do not see
    latest: Revision | None
    live: Revision | None
    review_required: bool
    latest_signed: bool
    live_signed: bool
    may_sign: bool  # a reviewer here, and the latest revision waits for (or may renew) a sign-off
    sign_blocked: str = ""  # why this member may not sign what waits (the four-eyes rule)
    may_submit: bool = False
    may_publish: bool = False
    diff: list[str] = field(default_factory=list)  # live → latest, unified

    @property
    def awaiting(self) -> bool:
        return self.in_review and not self.latest_signed


def standing_of(site, article: Article) -> Standing:
    sess = db.session()
    latest, live = publishing.latest(sess, article), publishing.live(sess, article)
    state = publishing.public_state(article, utcnow())
    kind = from_snapshot(latest.data).kind if latest is not None else article.kind
    required = publishing.review_required(site, kind)
    latest_signed, live_signed = publishing.signature(latest), publishing.signature(live)
    waiting = publishing.changes_waiting(article)
    in_review = article.workflow == "review"
    renewing = latest is not None and live is not None and latest.id == live.id
    may_sign = can("articles.review") and latest is not None and ((in_review and not latest_signed) or renewing)
    blocked = ""
    if may_sign and not role_covers("reviewer", article.locale):
        may_sign, blocked = False, not_your_language(g.role_locales.get("reviewer", []), article.locale)
    elif may_sign and publishing.four_eyes(site) and g.user.id in publishing.authors_of(sess, article, latest):
        may_sign, blocked = False, _("You made changes in this text, so another reviewer must sign it off "
                                     "(this site's four-eyes rule).")
    may_edit = can("articles.edit") and can_edit_locale(article.locale)
    something_new = state in ("draft", "expired", "archived") or waiting
    return Standing(
        state=state, in_review=in_review, waiting=waiting, latest=latest, live=live,
        review_required=required, latest_signed=latest_signed, live_signed=live_signed,
        may_sign=may_sign, sign_blocked=blocked,
        may_submit=may_edit and not in_review and (not publishing.is_live(article) or waiting),
        may_publish=can("articles.publish") and latest is not None and (latest_signed or not required)
        and (something_new or state == "scheduled"),
        diff=diff_lines(live, latest) if waiting else [],
    )


def diff_lines(old: Revision | None, new: Revision | None) -> list[str]:
    """A unified diff of two revisions as authoring documents (what readers see
    and the front matter that shapes it)."""
    def text(revision):
        if revision is None:
            return []
        doc = from_snapshot(revision.data)
        doc.status, doc.reviewer, doc.reviewed = "", "", None  # the workflow's, shown beside the diff
        return dump_document(doc).splitlines()
    return list(difflib.unified_diff(text(old), text(new), _("published"), _("changes waiting"),
                                     lineterm="", n=2))

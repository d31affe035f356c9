"""A property: for any sequence of saves, submissions, sign-offs, publishes,
schedules, restores, discards and unpublishes by any roles, what readers get
is a signed-off revision, and the public review line describes that revision's
own sign-off. Steps run through the admin's own workflow functions on a real
database; a refused step (WorkflowError) is part of the sequence, not a failure.
"""

from __future__ import annotations

import datetime as dt

from admin_support import add_article, app, make_user  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from clinicjournal.admin import editing
from clinicjournal.admin.ui import plugins, site_view
from clinicjournal.content import publishing
from clinicjournal.content.fingerprint import content_hash
from clinicjournal.content.revisions import snapshot
from clinicjournal.store import db
from clinicjournal.store.models import Article, Revision, Site, User, utcnow

PEOPLE = ("editor@inv.test", "reviewer@inv.test", "both@inv.test")
STEP = st.tuples(st.sampled_from(("save", "submit", "sign", "publish", "schedule", "restore", "discard",
                                  "unpublish", "type")),
                 st.sampled_from(PEOPLE), st.integers(0, 5))


def check_invariant(sess, site, article: Article) -> None:
    if not publishing.is_live(article):
        assert article.reviewer == "" and article.reviewed is None
        return
    live = sess.get(Revision, article.live_revision_id)
    assert live is not None and live.article_id == article.id
    assert content_hash(snapshot(article)) == live.content_hash  # the row is exactly the live revision
    if publishing.signature(live):
        assert (article.reviewer, article.reviewed) == (live.signed_off_name, live.signed_off_at.date())
    else:
        assert article.reviewer == "" and article.reviewed is None
        # only an import may make unsigned text live; no step here does
        assert live.saved_by_label == "import" or not publishing.review_required(site, article.kind)


def run_step(sess, site, article: Article, user: User, action: str, n: int) -> None:
    view, hooks = site_view(site), plugins()
    if action in ("save", "type"):
        doc = publishing.working_copy(sess, article)
        if action == "save":
            doc.body = f"Version {n} of the text [@ref-one].\n"
        else:
            doc.kind = "page" if doc.kind == "article" else "article"
        editing.save(sess, site, article, doc, user, note="edited")
    elif action == "submit":
        editing.submit(sess, article, user, view, hooks)
    elif action == "sign":
        editing.sign_off(sess, site, article, user)
    elif action == "publish":
        editing.publish(sess, site, article, user, view, hooks)
    elif action == "schedule":
        editing.publish(sess, site, article, user, view, hooks, at=utcnow() + dt.timedelta(days=n + 1))
    elif action == "restore":
        older = sess.scalars(select(Revision).where(Revision.article_id == article.id)
                             .order_by(Revision.id)).all()
        editing.restore(sess, site, article, older[n % len(older)].data, user, n)
    elif action == "discard":
        editing.discard(sess, article)
    elif action == "unpublish":
        editing.unpublish(sess, article, user)


def test_readers_only_ever_get_signed_off_text(app):
    from clinicjournal.store import manage

    with app.app_context():
        sess = db.session()
        manage.create_site(sess, "inv", "Invariant", ["en"])
        sess.commit()
    make_user(app, PEOPLE[0], site="inv", roles=["editor"])
    make_user(app, PEOPLE[1], site="inv", roles=["reviewer"])
    make_user(app, PEOPLE[2], site="inv", roles=["editor", "reviewer"])
    counter = iter(range(10_000))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(STEP, min_size=1, max_size=14), st.booleans())
    def sequence(steps, review_pages):
        slug = f"item-{next(counter)}"
        add_article(app, "inv", slug, status="draft", title=f"Item {slug}")
        with app.test_request_context(base_url="http://inv.localhost"):
            sess = db.session()
            site = sess.scalar(select(Site).where(Site.slug == "inv"))
            site.settings = {**(site.settings or {}), "review_pages": review_pages}
            sess.commit()
            users = {u.email: u for u in sess.scalars(select(User))}
            article = sess.scalar(select(Article).where(Article.slug == slug))
            for action, who, n in steps:
                try:
                    run_step(sess, site, article, users[who], action, n)
                    sess.commit()
                except editing.WorkflowError:
                    sess.rollback()
                sess.refresh(article)
                check_invariant(sess, site, article)
                if publishing.is_live(article):  # and the sign-off came from someone who made no change in it
                    live = sess.get(Revision, article.live_revision_id)
                    if publishing.signature(live) and live.signed_off_by is not None:
                        assert live.signed_off_by not in publishing.authors_of(sess, article, live)

    sequence()

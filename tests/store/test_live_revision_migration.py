"""Migration 0010 on an install with content: every published article becomes a
live revision; a recorded sign-off survives only where it still covers the text."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from clinicjournal.content import publishing
from clinicjournal.content.fingerprint import content_hash
from clinicjournal.content.revisions import snapshot
from clinicjournal.store import db

T0 = dt.datetime(2026, 3, 1, 9, 0)
JSON_COLUMNS = {"locales", "appearance", "settings", "faq", "extra"}


def table(name: str, *columns: str):
    """The table as it is at revision 0009, for plain inserts."""
    return sa.table(name, *(sa.column(c, sa.JSON) if c in JSON_COLUMNS else sa.column(c) for c in columns))


def _insert(conn, site_id: int, slug: str, *, status: str, reviewed_at, changed, reviewer="Dr. Old"):
    article = table("article", *(
        "id", "site_id", "locale", "slug", "translation_key", "kind", "status", "title", "summary", "body",
        "category", "published", "author", "reviewer", "reviewed", "reviewed_at", "takeaway", "faq", "word_count",
        "extra", "modified", "content_changed", "version"))
    conn.execute(article.insert().values(
        site_id=site_id, locale="en", slug=slug, translation_key=slug, kind="article", status=status,
        title=f"Title {slug}", summary="S.", body=f"Body of {slug}.\n", category=None, published=dt.date(2026, 2, 1),
        author="", reviewer=reviewer, reviewed=reviewed_at.date() if reviewed_at else None, reviewed_at=reviewed_at,
        takeaway="", faq=[], word_count=3, extra={}, modified=changed, content_changed=changed, version=1))


def test_upgrade_keeps_only_sign_offs_that_cover_the_live_text(databases, make_app):
    url = databases.new(migrated=False)
    db.upgrade(url, "0009")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            site = table("site", "id", "slug", "name", "default_locale", "locales", "appearance", "settings", "created")
            conn.execute(site.insert().values(slug="old", name="Old", default_locale="en", locales=["en"],
                                              appearance={}, settings={}, created=T0))
            site_id = conn.execute(sa.text("SELECT id FROM site WHERE slug = 'old'")).scalar_one()
            _insert(conn, site_id, "still-true", status="published", reviewed_at=T0, changed=T0 - dt.timedelta(days=1))
            _insert(conn, site_id, "edited-after", status="published", reviewed_at=T0, changed=T0 + dt.timedelta(days=1))
            _insert(conn, site_id, "imported", status="published", reviewed_at=None, changed=T0)
            _insert(conn, site_id, "in-review", status="review", reviewed_at=None, changed=T0, reviewer="")
    finally:
        engine.dispose()
    db.upgrade(url)

    app = make_app(DATABASE_URL=url)
    with app.app_context():
        from sqlalchemy import select

        from clinicjournal.store.models import Article, Site

        sess = db.session()
        site = sess.scalar(select(Site).where(Site.slug == "old"))
        rows = {a.slug: a for a in sess.scalars(select(Article))}
        for slug in ("still-true", "edited-after", "imported"):
            row = rows[slug]
            live = publishing.live(sess, row)
            assert live is not None and row.latest_revision_id == live.id, slug
            assert live.content_hash == content_hash(snapshot(row)), slug  # the row is the live revision
        assert publishing.signature(publishing.live(sess, rows["still-true"]))
        assert (rows["still-true"].reviewer, rows["still-true"].reviewed) == ("Dr. Old", T0.date())
        for slug in ("edited-after", "imported"):
            assert not publishing.signature(publishing.live(sess, rows[slug])), slug
            assert (rows[slug].reviewer, rows[slug].reviewed) == ("", None), slug
        review = rows["in-review"]
        assert (review.status, review.workflow) == ("draft", "review")
        from clinicjournal.admin.views_review import review_queue

        queue = review_queue(sess, site)
        overdue = {a.slug for a, _due in queue.overdue}
        assert {"edited-after", "imported"} <= overdue and "still-true" not in overdue
        assert [a.slug for a in queue.waiting] == ["in-review"]

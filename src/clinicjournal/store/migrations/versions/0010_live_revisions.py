"""live and latest revisions, sign-offs pinned to a revision's content hash, expiry

Each article gets ``live_revision_id`` (what readers see) and
``latest_revision_id`` (the working copy); each revision a ``content_hash`` and
the sign-off of exactly that revision. ``status`` keeps only what readers get
(draft, scheduled, published): an article "in review" becomes a draft whose
working copy is in review (``workflow``).

Every published or scheduled article becomes a live revision. Its recorded
sign-off is kept only where it still covers the live text (signed off in the
admin at or after the last content change); otherwise, and for imported
"reviewed" dates nobody signed here, the public "Medically reviewed" line goes
away and the admin lists the article as needing review.

Revision ID: 0010
Revises: 0009
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

from clinicjournal.content.authoring import ArticleData, ReferenceData
from clinicjournal.content.fingerprint import content_hash
from clinicjournal.content.revisions import snapshot_of

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ARTICLE_FIELDS = ("id", "slug", "locale", "title", "translation_key", "kind", "status", "category", "summary",
                  "published", "updated", "author", "takeaway", "faq", "body", "extra", "reviewer",
                  "reviewed_at", "content_changed")
REFERENCE_FIELDS = ("key", "title", "authors", "container", "kind", "year", "doi", "pmid", "pmcid", "url")


def upgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.add_column(sa.Column("live_revision_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("latest_revision_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("workflow", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("expires_at", sa.DateTime, nullable=True))
    op.create_index("ix_article_expires_at", "article", ["expires_at"])
    with op.batch_alter_table("article_revision") as batch:
        batch.add_column(sa.Column("content_hash", sa.String(80), nullable=False, server_default=""))
        batch.add_column(sa.Column("signed_off_by", sa.Integer,
                                   sa.ForeignKey("user_account.id", ondelete="SET NULL",
                                                 name="fk_article_revision_signed_off_by"), nullable=True))
        batch.add_column(sa.Column("signed_off_name", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("signed_off_at", sa.DateTime, nullable=True))
        batch.add_column(sa.Column("signed_hash", sa.String(80), nullable=False, server_default=""))
    _move_data(op.get_bind())


def _move_data(conn) -> None:
    meta = sa.MetaData()
    article = sa.Table("article", meta, autoload_with=conn)
    revision_t = sa.Table("article_revision", meta, autoload_with=conn)
    reference = sa.Table("reference", meta, autoload_with=conn)
    for rev_id, data in conn.execute(sa.select(revision_t.c.id, revision_t.c.data)).all():
        conn.execute(revision_t.update().where(revision_t.c.id == rev_id).values(content_hash=content_hash(data or {})))
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    for row in conn.execute(sa.select(*(article.c[name] for name in ARTICLE_FIELDS))).mappings().all():
        refs = conn.execute(sa.select(*(reference.c[n] for n in REFERENCE_FIELDS))
                            .where(reference.c.article_id == row["id"]).order_by(reference.c.position)).all()
        doc = ArticleData(
            slug=row["slug"], locale=row["locale"], title=row["title"], translation_key=row["translation_key"],
            kind=row["kind"], status=row["status"], category=row["category"], summary=row["summary"] or "",
            published=row["published"], updated=row["updated"], author=row["author"] or "",
            takeaway=row["takeaway"] or "", faq=list(row["faq"] or []), body=row["body"] or "",
            extra=dict(row["extra"] or {}),
            references=[ReferenceData(**{n: getattr(r, n) for n in REFERENCE_FIELDS}) for r in refs])
        data = snapshot_of(doc)
        digest = content_hash(data)
        # signed off in the admin after the text last changed: the sign-off covers this text
        signed = bool(row["reviewer"]) and row["reviewed_at"] is not None and (
            row["content_changed"] is None or row["reviewed_at"] >= row["content_changed"])
        newest = conn.execute(sa.select(revision_t.c.id, revision_t.c.content_hash)
                              .where(revision_t.c.article_id == row["id"])
                              .order_by(revision_t.c.id.desc()).limit(1)).first()
        live = row["status"] in ("published", "scheduled")
        if newest is not None and newest.content_hash == digest and not live:
            rev_id = newest.id
        else:
            rev_id = conn.execute(revision_t.insert().values(
                article_id=row["id"], saved_at=now, saved_by=None, saved_by_label="upgrade", data=data,
                note="kept at upgrade", content_hash=digest)).inserted_primary_key[0]
        if signed:
            conn.execute(revision_t.update().where(revision_t.c.id == rev_id).values(
                signed_off_name=row["reviewer"], signed_off_at=row["reviewed_at"], signed_hash=digest))
        values = {"latest_revision_id": rev_id, "live_revision_id": rev_id if live else None,
                  "workflow": "review" if row["status"] == "review" else ""}
        if row["status"] == "review":
            values["status"] = "draft"
        if not signed:
            values.update(reviewer="", reviewed=None, reviewed_at=None)
            if live:
                values["next_review"] = None
        conn.execute(article.update().where(article.c.id == row["id"]).values(**values))


def downgrade() -> None:
    conn = op.get_bind()
    article = sa.Table("article", sa.MetaData(), autoload_with=conn)
    conn.execute(article.update().where(article.c.workflow == "review", article.c.status == "draft")
                 .values(status="review"))
    op.drop_index("ix_article_expires_at", table_name="article")
    with op.batch_alter_table("article_revision") as batch:
        batch.drop_column("signed_hash")
        batch.drop_column("signed_off_at")
        batch.drop_column("signed_off_name")
        batch.drop_constraint("fk_article_revision_signed_off_by", type_="foreignkey")
        batch.drop_column("signed_off_by")
        batch.drop_column("content_hash")
    with op.batch_alter_table("article") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("workflow")
        batch.drop_column("latest_revision_id")
        batch.drop_column("live_revision_id")

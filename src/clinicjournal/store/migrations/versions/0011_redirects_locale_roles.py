"""slug_redirect: old article URLs keep working; memberships can name their locales

``slug_redirect`` maps a slug an article once had (per site and locale) to the
article, so that renaming a slug answers the old URL with a 301 to the new one,
however many times it is renamed. ``membership.locales`` narrows a role to some
languages (a reviewer for German only); an empty list means every locale.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slug_redirect",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("site.id", ondelete="CASCADE"), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("old_slug", sa.String(200), nullable=False),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("article.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.UniqueConstraint("site_id", "locale", "old_slug", name="uq_slug_redirect_site_id"),
    )
    op.create_index("ix_slug_redirect_article_id", "slug_redirect", ["article_id"])
    with op.batch_alter_table("membership") as batch:
        batch.add_column(sa.Column("locales", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("membership") as batch:
        batch.drop_column("locales")
    op.drop_index("ix_slug_redirect_article_id", table_name="slug_redirect")
    op.drop_table("slug_redirect")

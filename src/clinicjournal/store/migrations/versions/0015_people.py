"""person: author and medical-reviewer profiles per site

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("site.id", ondelete="CASCADE"), nullable=False),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("credentials", sa.String(60), nullable=False, server_default=""),
        sa.Column("role", sa.JSON, nullable=False, server_default="{}"),
        sa.Column("bio", sa.JSON, nullable=False, server_default="{}"),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="SET NULL")),
        sa.Column("photo_id", sa.Integer),
        sa.UniqueConstraint("site_id", "slug"),
        sa.UniqueConstraint("site_id", "user_id"),
    )
    op.create_index("ix_person_site_id", "person", ["site_id"])


def downgrade() -> None:
    op.drop_index("ix_person_site_id", table_name="person")
    op.drop_table("person")

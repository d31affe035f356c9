"""article.content_changed: when reader-visible content last changed, to flag outdated translations

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.add_column(sa.Column("content_changed", sa.DateTime(), nullable=True))
    op.execute("UPDATE article SET content_changed = modified")
    with op.batch_alter_table("article") as batch:
        batch.alter_column("content_changed", existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.drop_column("content_changed")

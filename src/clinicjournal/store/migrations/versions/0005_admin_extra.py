"""article.reviewed_at: the exact time of the last medical sign-off

The admin allows publishing an article only when its sign-off is newer than its
last reader-visible change (``content_changed``); the ``reviewed`` date alone
cannot tell a same-day edit after the sign-off.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.drop_column("reviewed_at")

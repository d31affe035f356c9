"""plugin health: failures and slow hook calls per plugin and site

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plugin_health",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plugin", sa.String(length=100), nullable=False),
        sa.Column("site_slug", sa.String(length=63), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=True),
        sa.Column("slowest_ms", sa.Integer(), nullable=False),
        sa.Column("slowest_hook", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plugin", "site_slug"),
    )


def downgrade() -> None:
    op.drop_table("plugin_health")

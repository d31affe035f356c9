"""admin_session: staff sessions kept server-side, so that they can really end

Signing out, changing a password, losing a role or a disabled account delete
the rows; a copied cookie then opens nothing.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_session",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("last_seen", sa.DateTime, nullable=False),
        sa.Column("address", sa.String(64), nullable=False, server_default=""),
        sa.Column("user_agent", sa.String(300), nullable=False, server_default=""),
    )
    op.create_index("ix_admin_session_user_id", "admin_session", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_admin_session_user_id", table_name="admin_session")
    op.drop_table("admin_session")

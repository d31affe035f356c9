"""user_preference, account_token, mail_sent: e-mail to staff

``user_preference`` holds a staff member's language for e-mail and the
notifications they chose; ``account_token`` the hashes of invitation and
password-reset links; ``mail_sent`` which reminders and digests went out, so
that the cron command never sends one twice.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_preference",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("locale", sa.String(16), nullable=False, server_default=""),
        sa.Column("notifications", sa.JSON, nullable=False, server_default="{}"),
    )
    op.create_table(
        "account_token",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("password_stamp", sa.String(64), nullable=False, server_default=""),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("expires", sa.DateTime, nullable=False),
        sa.Column("used_at", sa.DateTime),
    )
    op.create_index("ix_account_token_user_id", "account_token", ["user_id"])
    op.create_index("ix_account_token_expires", "account_token", ["expires"])
    op.create_table(
        "mail_sent",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="CASCADE")),
        sa.Column("sent_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_mail_sent_user_id", "mail_sent", ["user_id"])
    op.create_index("ix_mail_sent_sent_at", "mail_sent", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_mail_sent_sent_at", table_name="mail_sent")
    op.drop_index("ix_mail_sent_user_id", table_name="mail_sent")
    op.drop_table("mail_sent")
    op.drop_index("ix_account_token_expires", table_name="account_token")
    op.drop_index("ix_account_token_user_id", table_name="account_token")
    op.drop_table("account_token")
    op.drop_table("user_preference")

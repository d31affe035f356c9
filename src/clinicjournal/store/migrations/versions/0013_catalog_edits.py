"""catalog_edit, catalog_revision, catalog_grant: translations edited in the browser

``catalog_edit`` holds the current browser translation of one message (install-wide
when ``site_id`` is NULL, else one site's own wording), ``catalog_revision`` every
saved state of it, ``catalog_grant`` who may edit the install-wide catalogs of a
language (granted by a network admin).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_edit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("catalog", sa.String(100), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("site.id", ondelete="CASCADE")),
        sa.Column("scope", sa.Integer, nullable=False, server_default="0"),
        sa.Column("msgctxt", sa.String(300), nullable=False, server_default=""),
        sa.Column("msgid", sa.Text, nullable=False),
        sa.Column("msgid_plural", sa.Text, nullable=False, server_default=""),
        sa.Column("strings", sa.JSON, nullable=False),
        sa.Column("fuzzy", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("source_hash", sa.String(64), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.Integer, sa.ForeignKey("user_account.id", ondelete="SET NULL")),
        sa.Column("updated_by_label", sa.String(320), nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("ux_catalog_edit_message", "catalog_edit", ["catalog", "locale", "scope", "msgctxt", "msgid"],
                    unique=True)
    op.create_index("ix_catalog_edit_site_id", "catalog_edit", ["site_id"])
    op.create_table(
        "catalog_revision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("edit_id", sa.Integer, sa.ForeignKey("catalog_edit.id", ondelete="CASCADE"), nullable=False),
        sa.Column("strings", sa.JSON, nullable=False),
        sa.Column("fuzzy", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("saved_at", sa.DateTime, nullable=False),
        sa.Column("saved_by", sa.Integer, sa.ForeignKey("user_account.id", ondelete="SET NULL")),
        sa.Column("saved_by_label", sa.String(320), nullable=False, server_default=""),
        sa.Column("note", sa.String(300), nullable=False, server_default=""),
    )
    op.create_index("ix_catalog_revision_edit_id", "catalog_revision", ["edit_id"])
    op.create_table(
        "catalog_grant",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("locale", sa.String(16), primary_key=True),
        sa.Column("granted_at", sa.DateTime, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("catalog_grant")
    op.drop_index("ix_catalog_revision_edit_id", table_name="catalog_revision")
    op.drop_table("catalog_revision")
    op.drop_index("ix_catalog_edit_site_id", table_name="catalog_edit")
    op.drop_index("ux_catalog_edit_message", table_name="catalog_edit")
    op.drop_table("catalog_edit")

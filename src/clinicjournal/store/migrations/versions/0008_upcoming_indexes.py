"""indexes on published and publish_at: the moments scheduled articles go live

The page cache retires its pages when a scheduled article's moment comes
(cache.py: ``Upcoming``); finding those moments reads only the rows dated after
today, through these indexes, instead of every article of every site.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_article_published", "article", ["published"])
    op.create_index("ix_article_publish_at", "article", ["publish_at"])


def downgrade() -> None:
    op.drop_index("ix_article_publish_at", table_name="article")
    op.drop_index("ix_article_published", table_name="article")

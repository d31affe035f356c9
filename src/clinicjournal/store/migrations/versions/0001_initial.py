"""initial schema: sites, hosts, plugins, articles, references

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 17:14:33.770904
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('install_state',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('site',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=63), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('default_locale', sa.String(length=16), nullable=False),
    sa.Column('locales', sa.JSON(), nullable=False),
    sa.Column('appearance', sa.JSON(), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    op.create_table('article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('translation_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('updated', sa.Date(), nullable=True),
    sa.Column('reviewed', sa.Date(), nullable=True),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('reviewer', sa.String(length=200), nullable=False),
    sa.Column('takeaway', sa.Text(), nullable=False),
    sa.Column('faq', sa.JSON(), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('modified', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site_id', 'locale', 'slug')
    )
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_translation_key'), ['translation_key'], unique=False)
        batch_op.create_index('ix_article_listing', ['site_id', 'locale', 'kind', 'published'], unique=False)

    op.create_table('site_host',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=253), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('site_host', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_host_site_id'), ['site_id'], unique=False)

    op.create_table('site_plugin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('plugin', sa.String(length=100), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site_id', 'plugin')
    )
    with op.batch_alter_table('site_plugin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_plugin_site_id'), ['site_id'], unique=False)

    op.create_table('reference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('authors', sa.JSON(), nullable=False),
    sa.Column('container', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('doi', sa.String(length=300), nullable=False),
    sa.Column('pmid', sa.String(length=50), nullable=False),
    sa.Column('pmcid', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('article_id', 'key')
    )
    with op.batch_alter_table('reference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reference_article_id'), ['article_id'], unique=False)

    op.bulk_insert(sa.table('install_state', sa.column('key', sa.String), sa.column('value', sa.Integer)),
                   [{'key': 'config_generation', 'value': 1}])


def downgrade() -> None:
    with op.batch_alter_table('reference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reference_article_id'))

    op.drop_table('reference')
    with op.batch_alter_table('site_plugin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_plugin_site_id'))

    op.drop_table('site_plugin')
    with op.batch_alter_table('site_host', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_host_site_id'))

    op.drop_table('site_host')
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_translation_key'))
        batch_op.drop_index('ix_article_listing')

    op.drop_table('article')
    op.drop_table('site')
    op.drop_table('install_state')

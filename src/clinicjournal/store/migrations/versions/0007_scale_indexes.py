"""indexes for large sites; full-text matches scoped to one site and language

Found by bench/run.py at 100 sites x 1,000 articles:

- article versions were found by scanning all of a site's rows: index
  (site_id, translation_key);
- listings counted and sorted rows through the table because ``status`` and
  ``publish_at`` were not in the listing index, and category pages had no index
  at all: both indexes now cover every filter and run in date order
  (site_id, locale, [category,] kind, published, status, publish_at), so a page
  reads its ten rows and the count never leaves the index;
- the site registry's page lookup scanned the table: index (kind, site_id);
- SQLite full-text search matched every site's articles before filtering: the
  FTS5 table gains a ``search_scope`` column (a virtual generated column
  ``s<site id>x<locale>`` on ``article``), so a query matches only its own
  site and language; its tokenizer adds the Porter stemmer, so whole-word
  queries still find plural and other suffixed forms.

Note for later revisions on SQLite: recreating the ``article`` table in batch
mode drops the generated column and the FTS triggers; re-run this revision's
``create_sqlite_search()`` afterwards.

Revision ID: 0007
Revises: 0006
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    """CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN
         INSERT INTO article_fts(rowid, title, summary, body, search_scope)
           VALUES (new.id, new.title, new.summary, new.body, new.search_scope);
       END""",
    """CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN
         INSERT INTO article_fts(article_fts, rowid, title, summary, body, search_scope)
           VALUES ('delete', old.id, old.title, old.summary, old.body, old.search_scope);
       END""",
    """CREATE TRIGGER article_fts_update AFTER UPDATE OF title, summary, body, site_id, locale ON article BEGIN
         INSERT INTO article_fts(article_fts, rowid, title, summary, body, search_scope)
           VALUES ('delete', old.id, old.title, old.summary, old.body, old.search_scope);
         INSERT INTO article_fts(rowid, title, summary, body, search_scope)
           VALUES (new.id, new.title, new.summary, new.body, new.search_scope);
       END""",
)
OLD_TRIGGERS = ("article_fts_insert", "article_fts_delete", "article_fts_update")


def _revision_0006():
    """0006's module, whose triggers a downgrade restores (its file name is no import path)."""
    spec = importlib.util.spec_from_file_location("revision_0006", Path(__file__).with_name("0006_search.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def create_sqlite_search() -> None:
    op.execute("ALTER TABLE article ADD COLUMN search_scope TEXT "
               "GENERATED ALWAYS AS ('s' || site_id || 'x' || locale) VIRTUAL")
    op.execute("CREATE VIRTUAL TABLE article_fts USING fts5(title, summary, body, search_scope, "
               "content='article', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')")
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)
    op.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")


def upgrade() -> None:
    op.create_index("ix_article_versions", "article", ["site_id", "translation_key"])
    op.drop_index("ix_article_listing", table_name="article")
    op.create_index("ix_article_listing", "article",
                    ["site_id", "locale", "kind", "published", "status", "publish_at"])
    op.create_index("ix_article_category", "article",
                    ["site_id", "locale", "category", "kind", "published", "status", "publish_at"])
    op.create_index("ix_article_pages", "article", ["kind", "site_id"])
    if op.get_bind().dialect.name == "sqlite":
        for name in OLD_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS article_fts")
        create_sqlite_search()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in OLD_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS article_fts")
        op.execute("ALTER TABLE article DROP COLUMN search_scope")
        op.execute("CREATE VIRTUAL TABLE article_fts USING fts5(title, summary, body, content='article', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
        for statement in _revision_0006().SQLITE_TRIGGERS:
            op.execute(statement)
        op.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")
    op.drop_index("ix_article_pages", table_name="article")
    op.drop_index("ix_article_category", table_name="article")
    op.drop_index("ix_article_listing", table_name="article")
    op.create_index("ix_article_listing", "article", ["site_id", "locale", "kind", "published"])
    op.drop_index("ix_article_versions", table_name="article")

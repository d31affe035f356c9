"""full-text search: FTS5 index on SQLite, generated tsvector column on PostgreSQL

SQLite: ``article_fts``, an external-content FTS5 table over article title,
summary and body (tokenizer unicode61 with diacritics removed), kept in sync by
three triggers on ``article``.

PostgreSQL: ``article.search_vector``, a stored generated column built with the
text search configuration of the article's locale, weighted title A, summary B,
body C, with a GIN index.

Note for later revisions: on SQLite, a batch operation that recreates the
``article`` table (dropping or altering a column) drops these triggers with it;
call ``create_sqlite_triggers()`` from this file's text again afterwards
(tests/test_search.py checks that the triggers exist at head).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    """CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN
         INSERT INTO article_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body);
       END""",
    """CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN
         INSERT INTO article_fts(article_fts, rowid, title, summary, body)
           VALUES ('delete', old.id, old.title, old.summary, old.body);
       END""",
    # Only when indexed text changes: saves re-indexing on every status or date change.
    """CREATE TRIGGER article_fts_update AFTER UPDATE OF title, summary, body ON article BEGIN
         INSERT INTO article_fts(article_fts, rowid, title, summary, body)
           VALUES ('delete', old.id, old.title, old.summary, old.body);
         INSERT INTO article_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body);
       END""",
)

# Must match clinicjournal.web.search.PG_CONFIGS.
PG_CONFIG = ("CASE split_part(lower(replace(locale, '-', '_')), '_', 1) "
             "WHEN 'en' THEN 'english'::regconfig WHEN 'de' THEN 'german'::regconfig "
             "WHEN 'es' THEN 'spanish'::regconfig WHEN 'fr' THEN 'french'::regconfig "
             "ELSE 'simple'::regconfig END")


def create_sqlite_triggers() -> None:
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE article_fts USING fts5(title, summary, body, content='article', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
        create_sqlite_triggers()
        op.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute(
            "ALTER TABLE article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
            f"setweight(to_tsvector({PG_CONFIG}, coalesce(title, '')), 'A') || "
            f"setweight(to_tsvector({PG_CONFIG}, coalesce(summary, '')), 'B') || "
            f"setweight(to_tsvector({PG_CONFIG}, coalesce(body, '')), 'C')) STORED")
        op.execute("CREATE INDEX ix_article_search_vector ON article USING gin (search_vector)")
    # Other engines: search falls back to LIKE and needs no schema.


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("article_fts_insert", "article_fts_delete", "article_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS article_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_article_search_vector")
        op.execute("ALTER TABLE article DROP COLUMN IF EXISTS search_vector")

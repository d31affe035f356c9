"""Alembic environment: the URL comes from the app's config (see db.alembic_config)."""

from alembic import context
from sqlalchemy import create_engine, pool

from clinicjournal.store import catalog_models, media, people  # noqa: F401  (their tables are part of Base.metadata)
from clinicjournal.store.models import Base

config = context.config
# Search objects made by hand in 0006 (SQLite FTS5 table and triggers, the
# PostgreSQL generated tsvector column, 0007's SQLite search_scope column):
# autogenerate must not try to drop them.
HAND_MADE = {"article_fts", "search_vector", "search_scope"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (name in HAND_MADE or (name or "").startswith("article_fts"))


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=Base.metadata,
                      literal_binds=True, render_as_batch=True, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with connectable.connect() as connection:
        # Batch mode lets later revisions ALTER tables on SQLite too.
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""Engine and sessions: one engine per app, one session per request."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .models import Setting
from .plugin_health import HealthRecorder

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaOutOfDate(RuntimeError):
    """The database is behind (or ahead of) the code's migrations."""


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    state = app.extensions["clinicjournal"]
    state.engine = engine
    state.sessionmaker = sessionmaker(engine, expire_on_commit=False)
    state.plugins.health = HealthRecorder(engine)
    app.teardown_appcontext(_close_session)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets readers in other processes keep reading while an import writes.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def session() -> Session:
    """The current app context's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["clinicjournal"].sessionmaker()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    sess = g.pop("db_session", None)
    if sess is not None:
        sess.close()


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def schema_status(engine: Engine) -> tuple[str | None, str]:
    """Return (database revision, code head revision)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, head


def check_schema(engine: Engine) -> None:
    """:raise SchemaOutOfDate: with the command that fixes it."""
    current, head = schema_status(engine)
    if current != head:
        raise SchemaOutOfDate(
            f"The database at {engine.url.render_as_string(hide_password=True)} is at "
            f"revision {current or 'none (empty database)'}, but this code needs {head}. "
            "Run `clinicjournal db upgrade` and start the server again."
        )


def config_generation(sess: Session) -> int:
    return sess.scalar(select(Setting.value).where(Setting.key == "config_generation")) or 0


def bump_config_generation(sess: Session) -> None:
    """Mark site/plugin configuration as changed for every worker process.

    Call inside the transaction that makes the change, so the bump commits with it.
    """
    sess.info["cache_dirty"] = True  # a bulk UPDATE is invisible to the flush hook
    updated = sess.execute(
        update(Setting).where(Setting.key == "config_generation").values(value=Setting.value + 1)
    )
    if not updated.rowcount:
        sess.add(Setting(key="config_generation", value=1))

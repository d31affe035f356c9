"""Engine and sessions: one engine per app, one session per request."""

from __future__ import annotations

import ast
import logging
import os
import stat
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    create_engine,
    event,
    insert,
    inspect,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.routing import IntegerConverter, ValidationError

from . import media  # noqa: F401  (the media tables are part of Base.metadata)
from .models import Setting
from .startup import StartupError, shown_url

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("clinicjournal.db")


class SchemaOutOfDate(StartupError):
    """The database is behind (or ahead of) the code's migrations."""


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    state = app.extensions["clinicjournal"]
    state.engine = engine
    state.sessionmaker = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)
    # Before any route is added: <int:...> in a URL is a row id, an INTEGER column.
    app.url_map.converters["int"] = RowIdConverter


class RowIdConverter(IntegerConverter):
    """``<int:id>`` for database ids: a number larger than an INTEGER column holds is
    a 404, not a database error (PostgreSQL refuses to even compare with it)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False) -> None:
        super().__init__(map, fixed_digits, min, 2**31 - 1 if max is None else max, signed)

    def to_python(self, value: str) -> int:
        if len(value) > 10:  # also keeps int() away from 5000-digit strings
            raise ValidationError()
        return super().to_python(value)


#: Seconds to wait for a PostgreSQL server to accept a connection. A server that
#: is down or restarting must give readers a quick 503, not a hung worker.
CONNECT_TIMEOUT = 2


#: URL schemes people write for PostgreSQL without naming a driver; SQLAlchemy would
#: look for psycopg2 (or, for "postgres", fail), but the driver installed is psycopg 3.
_POSTGRES_SCHEMES = ("postgres://", "postgresql://")


def normal_url(url: str) -> str:
    """``url`` with a driverless PostgreSQL scheme spelled for psycopg 3."""
    for scheme in _POSTGRES_SCHEMES:
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url``.

    :raise StartupError: for a URL SQLAlchemy cannot use (unknown scheme, missing driver).
    """
    url = normal_url(url)
    try:
        return _make_engine(url)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StartupError(
            f"DATABASE_URL {shown_url(url)!r} is not a database URL clinicjournal can use ({exc}). "
            "Set CLINICJOURNAL_DATABASE_URL to sqlite:////path/to/journal.sqlite or "
            "postgresql+psycopg://user@host/dbname.") from None
    except ModuleNotFoundError as exc:
        raise StartupError(
            f"DATABASE_URL {shown_url(url)!r} needs the Python package {exc.name!r}, which is not installed. "
            "For PostgreSQL run `pip install 'clinicjournal[postgres]'`.") from None


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        private_sqlite_file(url)
        engine = create_engine(url, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {}
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT  # a connect_timeout in the URL wins
    # pool_pre_ping: a pooled connection the server dropped (restart, pg_terminate_backend)
    # is replaced before use instead of failing the request.
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, connect_args=connect_args)


#: What SQLite adds beside a database file (WAL mode: the log and its index).
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_sqlite_file(url: str) -> None:
    """Make sure the SQLite database file of ``url`` is readable by its owner only:
    it holds password hashes and the audit log.

    A file that does not exist yet is created empty (an empty file is an empty
    SQLite database) with mode 0600, before SQLite would create it with the
    umask's (usually 0644); SQLite gives the ``-wal`` and ``-shm`` files it makes
    the database file's mode. This is done when the engine is made, so migrations
    (Alembic's own engine) find the file already made. No umask is changed: it is
    the whole process's, threads included.

    An existing file that other users may read or write (the "other" permission
    bits, as an earlier version left it) is changed to 0600 as well, and so are
    its ``-wal``/``-shm``/``-journal`` files; one that others cannot open (such as
    0640 for a backup group) is the operator's choice and is left as it is. What
    cannot be changed (another user's file) is logged, with the command that fixes
    it. In-memory databases and ``file:`` URIs are left to SQLite.
    """
    parsed = make_url(url)
    path = parsed.database
    if not path or path == ":memory:" or path.startswith("file:") or parsed.query.get("uri"):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return
    except FileExistsError:
        pass
    except OSError:
        return  # a missing or unwritable folder: SQLite says so when it connects, as before
    for name in (path, *(path + suffix for suffix in SQLITE_COMPANIONS)):
        try:
            found = os.stat(name)
        except OSError:
            continue
        mode = stat.S_IMODE(found.st_mode)
        if not stat.S_ISREG(found.st_mode) or not mode & 0o007:
            continue  # a folder given as the database is SQLite's to refuse
        try:
            os.chmod(name, 0o600)
        except OSError as exc:
            log.warning("%s can be read by every user of this computer (mode %o) and could not be made private "
                        "(%s): it holds password hashes. Run `chmod 600 %s` as its owner.",
                        name, mode, exc.strerror or exc, name)
        else:
            log.warning("%s could be read by every user of this computer (mode %o); it holds password hashes, "
                        "so it is now readable by its owner only (600).", name, mode)


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
        close_quietly(sess)


def close_quietly(sess: Session) -> None:
    """Close ``sess``; if its connection died meanwhile (a database restart), drop the
    connection instead of failing a response that is already made."""
    try:
        sess.close()
    except SQLAlchemyError as exc:
        log.warning("database connection lost while closing a session: %s", exc)
        try:
            sess.invalidate()
        except SQLAlchemyError:
            pass


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normal_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    if url.startswith("sqlite"):
        private_sqlite_file(url)  # Alembic's engine would create a missing file with the umask's mode
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def migration_history() -> list[tuple[str, str | None, str]]:
    """(revision, the revision it follows, its one-line description), oldest first."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    found = [(s.revision, s.down_revision if isinstance(s.down_revision, str) else None,
              (s.doc or "").strip().splitlines()[0] if s.doc else "") for s in scripts.walk_revisions()]
    return list(reversed(found))


def schema_status(engine: Engine) -> tuple[str | None, str]:
    """Return (database revision, code head revision).

    Read without Alembic: every server process checks the schema at start, and
    Alembic (with Mako and Pygments) would stay in each worker's memory for
    good, some 11 MB, for this one lookup.
    """
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None, code_head()
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(current) > 1:
        raise SchemaOutOfDate(f"the database has several migration heads ({', '.join(current)}); "
                              "merge them with Alembic before serving")
    return (current[0] if current else None), code_head()


@lru_cache(maxsize=1)
def code_head() -> str:
    """The revision id of the newest migration in ``migrations/versions/``: the one
    no other migration names as its ``down_revision``."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            # `revision = "0007"`, or annotated as Alembic's newer templates write it
            target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else \
                node.target if isinstance(node, ast.AnnAssign) and node.value is not None else None
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                found[target.id] = ast.literal_eval(node.value)
        if "revision" in found:
            revisions.add(found["revision"])
            down = found.get("down_revision")
            parents.update(down if isinstance(down, (tuple, list)) else [down] if down else [])
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads ({', '.join(sorted(heads))}), not one")
    return heads.pop()


def check_schema(engine: Engine) -> None:
    """:raise SchemaOutOfDate: with the command that fixes it."""
    current, head = schema_status(engine)
    if current != head:
        raise SchemaOutOfDate(
            f"The database at {engine.url.render_as_string(hide_password=True)} is at "
            f"revision {current or 'none (empty database)'}, but this code needs {head}. "
            "Run `clinicjournal db upgrade`, then start the server (or run the command) again."
        )


_GENERATION = select(Setting.value).where(Setting.key == "config_generation")


_GENERATION_SQL: dict[str, str] = {}  # dialect name → _GENERATION as SQL text


def config_generation(sess: Session) -> int:
    """The install's config generation: read on every request, so kept minimal
    (the statement's text is built once per dialect and run as is; events such
    as query counting still see it)."""
    conn = sess.connection()
    sql = _GENERATION_SQL.get(conn.dialect.name)
    if sql is None:
        sql = _GENERATION_SQL[conn.dialect.name] = str(
            _GENERATION.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    return conn.exec_driver_sql(sql).scalar() or 0


def bump_config_generation(sess: Session, retire_pages: bool = True) -> None:
    """Mark site/plugin configuration as changed for every worker process.

    Call inside the transaction that makes the change, so the bump commits with it.
    With ``retire_pages`` False the cached pages stay: the caller retires the ones the
    change shows on (a translation edit: one locale's, or one site's).
    """
    if retire_pages:
        sess.info["cache_dirty"] = True  # a bulk UPDATE is invisible to the flush hook
        updated = sess.execute(
            update(Setting).where(Setting.key == "config_generation").values(value=Setting.value + 1)
        )
        if not updated.rowcount:
            sess.add(Setting(key="config_generation", value=1))
        return
    # Through the connection, past the ORM events that mark every cached page stale.
    table = Setting.__table__
    conn = sess.connection()
    updated = conn.execute(update(table).where(table.c.key == "config_generation").values(value=table.c.value + 1))
    if not updated.rowcount:
        conn.execute(insert(table).values(key="config_generation", value=1))


def describe_write_error(exc: BaseException, retry: str | None = None) -> str:
    """What went wrong when the database refused a write, and what to do about it.

    For the CLI and the admin: a read-only database, a full disk, a lock held by
    another process or an unreachable server each get their own instruction,
    ending with ``retry`` ("run the command again" by default; the admin says
    "try again"). Translated where shown, like :class:`manage.ConfigError`.
    """
    orig = getattr(exc, "orig", None) or exc
    detail = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    sqlstate = getattr(orig, "sqlstate", None) or ""
    lowered = detail.lower()
    retry = retry or _l("run the command again")
    if sqlstate == "25006" or "readonly" in lowered or "read-only" in lowered or "read only" in lowered:
        return str(_l("the database is read-only (%(detail)s). Make the database (for SQLite: the file and the "
                      "folder it is in) writable by the user running clinicjournal, or point DATABASE_URL at a "
                      "writable database, then %(retry)s.", detail=detail, retry=retry))
    if sqlstate in ("53100", "53000") or "disk is full" in lowered or "no space left" in lowered \
            or "could not extend file" in lowered:
        return str(_l("the disk holding the database is full (%(detail)s). Free some space (or move the "
                      "database to a larger disk), then %(retry)s.", detail=detail, retry=retry))
    if "database is locked" in lowered or sqlstate in ("55P03", "40P01"):
        return str(_l("the database is busy: another process holds a lock on it (%(detail)s). Wait for it to "
                      "finish, then %(retry)s.", detail=detail, retry=retry))
    if "unable to open" in lowered or "connection" in lowered or sqlstate.startswith("08") \
            or sqlstate in ("57P01", "57P02", "57P03"):
        return str(_l("the database cannot be reached (%(detail)s). Check that it is running and that "
                      "DATABASE_URL is right, then %(retry)s.", detail=detail, retry=retry))
    if "disk i/o error" in lowered:
        return str(_l("the disk holding the database reported an I/O error (%(detail)s). Check the disk, "
                      "then %(retry)s.", detail=detail, retry=retry))
    return str(_l("the database refused the change (%(detail)s).", detail=detail))

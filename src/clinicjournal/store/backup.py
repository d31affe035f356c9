"""Backing up the whole install (restoring one: restore.py).

Two formats, both holding every table (sites, hosts, plugin enablement and
settings, articles, references, revisions, users, audit log...) and the schema
revision they were written at:

* **SQLite file**, for a SQLite database: SQLite's online backup API
  (``sqlite3.Connection.backup``) copies the live database page by page while
  the server keeps serving, into an ordinary SQLite file (checked with
  ``PRAGMA integrity_check``).
* **Logical archive** (a zip file), for PostgreSQL, or any database with
  ``fmt="logical"``: ``manifest.json`` (format, schema revision, each table's
  columns with their types and row count) and ``tables/<table>.jsonl`` with one
  JSON object per row, in primary-key order. On PostgreSQL it is read in one
  ``REPEATABLE READ``, read-only transaction, so it is one consistent snapshot
  however busy the server is; on SQLite it is read from an online-backup copy.
  Values keep their types (dates and times as ISO text, JSON as JSON), so a
  restore is lossless and works into either database engine.

  (``pg_dump``/``pg_restore`` are not used: they must match the server's major
  version, cannot move an install between SQLite and PostgreSQL, and know
  nothing of the schema revision.)

Backup files are written next to their destination under a temporary name and
renamed into place when complete, so a failed backup never leaves a partial file.
Like the database (see ``db.private_sqlite_file``) they are readable by their
owner only, mode 0600, whatever the umask: they hold password hashes and the
audit log.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import os
import sqlite3
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import MetaData, Table, create_engine, func, inspect, select, text
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

FORMAT = "clinicjournal-backup"
FORMAT_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
ZIP_MAGIC = b"PK\x03\x04"
#: Tables that are not content: the schema revision is stored on its own.
# Sessions and e-mailed sign-in links end with the install they were made on:
# a restored backup must not reopen a link that was live when it was taken.
NOT_COPIED = {"alembic_version", "admin_session", "account_token"}
#: Tables a freshly migrated database already has rows in.
BOOKKEEPING = {"install_state"}
BATCH = 1000

Progress = Callable[[int, int], None]  # (done, total)


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says what to do."""


@dataclass
class BackupInfo:
    path: Path
    format: str  # "sqlite" or "logical"
    revision: str | None
    tables: dict[str, int] = field(default_factory=dict)  # table → rows

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# -- which tables, which columns ----------------------------------------------------------------

def _virtual_tables(conn: Connection) -> set[str]:
    """SQLite full-text tables (and their shadow tables): rebuilt by triggers, not copied."""
    if conn.dialect.name != "sqlite":
        return set()
    names = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table' "
                                  "AND sql LIKE 'CREATE VIRTUAL TABLE%'")))
    shadows = {t for t in conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
               if any(t.startswith(v + "_") for v in names)}
    return names | shadows


def content_tables(conn: Connection) -> list[Table]:
    """The database's tables in dependency order (parents first), with only the
    columns a backup holds (computed columns such as PostgreSQL's search vector are
    left to the database)."""
    skip = NOT_COPIED | _virtual_tables(conn)
    inspector = inspect(conn)
    metadata = MetaData()
    for name in inspector.get_table_names():
        if name in skip or name.startswith("sqlite_"):
            continue
        stored = [c["name"] for c in inspector.get_columns(name) if not c.get("computed")]
        Table(name, metadata, autoload_with=conn, include_columns=stored, resolve_fks=False)
    return list(metadata.sorted_tables)


# Checked in order: DateTime before Date, Integer and Float before Numeric.
_KINDS = ((sqltypes.JSON, "json"), (sqltypes.DateTime, "datetime"), (sqltypes.Date, "date"),
          (sqltypes.Time, "time"), (sqltypes.Boolean, "bool"), (sqltypes.Integer, "int"),
          (sqltypes.Float, "float"), (sqltypes.Numeric, "decimal"), (sqltypes.LargeBinary, "bytes"),
          ((sqltypes.String, sqltypes.Enum), "text"))


def column_kind(column) -> str:
    for types, kind in _KINDS:
        if isinstance(column.type, types):
            return kind
    raise BackupError(f"column {column.table.name}.{column.name} has a type ({column.type}) "
                      "a backup cannot hold yet")


def encode_value(kind: str, value: Any) -> Any:
    if value is None or kind in ("json", "text", "int", "float", "bool"):
        return value
    if kind in ("datetime", "date", "time"):
        return value.isoformat()
    if kind == "decimal":
        return str(value)
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    raise AssertionError(kind)


def decode_value(kind: str, value: Any) -> Any:
    if value is None or kind in ("json", "text", "int", "float"):
        return value
    if kind == "bool":
        return bool(value)
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "time":
        return dt.time.fromisoformat(value)
    if kind == "decimal":
        return decimal.Decimal(value)
    if kind == "bytes":
        return base64.b64decode(value)
    raise BackupError(f"the backup has a column type {kind!r} this version cannot restore")


def ordered_rows(table: Table):
    keys = list(table.primary_key.columns) or list(table.columns)
    return select(*table.columns).order_by(*keys)


def schema_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


# -- writing backups ----------------------------------------------------------------------------

@contextmanager
def _atomic_file(path: Path, force: bool) -> Iterator[Path]:
    """A temporary file beside ``path``, renamed onto it only when the block succeeds."""
    path = Path(path)
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; choose another name, or add --force to replace it")
    if path.is_dir():
        raise BackupError(f"{path} is a folder; give the name of the backup file to write")
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist; create it first")
    # mkstemp makes the file 0600; SQLite and zipfile write into it as it is, and
    # os.replace keeps its mode (also over an older backup --force replaces).
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def backup(engine: Engine, path: Path, *, fmt: str = "auto", force: bool = False,
           progress: Progress | None = None) -> BackupInfo:
    """Write a backup of the whole database at ``engine`` to ``path``.

    ``fmt``: ``"auto"`` (a SQLite file for SQLite, else a logical archive),
    ``"sqlite"`` or ``"logical"``.

    :raise BackupError: when ``path`` exists (without ``force``), its folder is
        missing, or the format does not suit the database.
    """
    dialect = engine.dialect.name
    if fmt == "auto":
        fmt = "sqlite" if dialect == "sqlite" else "logical"
    if fmt == "sqlite" and dialect != "sqlite":
        raise BackupError(f"a SQLite-file backup needs a SQLite database, not {dialect}; "
                          "use the logical format (the default for it)")
    if fmt not in ("sqlite", "logical"):
        raise BackupError(f"unknown backup format {fmt!r}: use sqlite or logical")
    with _atomic_file(path, force) as tmp:
        if fmt == "sqlite":
            info = _sqlite_file(engine, tmp, progress)
        elif dialect == "sqlite":
            # A consistent snapshot first (the online backup API), then read that copy.
            with tempfile.TemporaryDirectory(dir=Path(path).parent) as scratch:
                snapshot = Path(scratch) / "snapshot.sqlite"
                _sqlite_file(engine, snapshot, None)
                copy = create_engine(f"sqlite:///{snapshot}", poolclass=NullPool)
                try:
                    info = _logical(copy, tmp, progress)
                finally:
                    copy.dispose()
        else:
            info = _logical(engine, tmp, progress)
    info.path = Path(path)
    return info


def _sqlite_file(engine: Engine, target: Path, progress: Progress | None) -> BackupInfo:
    raw = engine.raw_connection()
    try:
        source: sqlite3.Connection = raw.driver_connection
        dest = sqlite3.connect(target)
        try:
            def report(_status, remaining, total):
                if progress:
                    progress(total - remaining, total)

            source.backup(dest, pages=256, progress=report)
            # A backup is a file to keep and copy around: no -wal/-shm companions.
            dest.execute("PRAGMA journal_mode=DELETE")
            check = dest.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"the copy failed SQLite's integrity check ({check}); the database itself "
                                  "may be damaged: run `sqlite3 FILE 'PRAGMA integrity_check'` on it")
        finally:
            dest.close()
    finally:
        raw.close()
    copy = create_engine(f"sqlite:///{target}", poolclass=NullPool)
    try:
        with copy.connect() as conn:
            counts = {t.name: conn.scalar(select(func.count()).select_from(t)) for t in content_tables(conn)}
            return BackupInfo(target, "sqlite", schema_revision(conn), counts)
    finally:
        copy.dispose()


def _snapshot(engine: Engine) -> Connection:
    """A connection in one consistent, read-only snapshot of the database."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return conn


def _logical(engine: Engine, target: Path, progress: Progress | None) -> BackupInfo:
    with _snapshot(engine) as conn, conn.begin():
        tables = content_tables(conn)
        counts = {t.name: conn.scalar(select(func.count()).select_from(t)) for t in tables}
        total, done = sum(counts.values()), 0
        manifest = {
            "format": FORMAT, "version": FORMAT_VERSION, "revision": schema_revision(conn),
            "dialect": engine.dialect.name, "created": dt.datetime.now(dt.timezone.utc).isoformat(),
            "tables": [{"name": t.name, "rows": counts[t.name],
                        "columns": [{"name": c.name, "type": column_kind(c)} for c in t.columns]} for t in tables],
        }
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in tables:
                kinds = [(c.name, column_kind(c)) for c in table.columns]
                with archive.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as out:
                    result = conn.execution_options(yield_per=BATCH).execute(ordered_rows(table))
                    for row in result:
                        record = {name: encode_value(kind, row._mapping[name]) for name, kind in kinds}
                        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
                        done += 1
                        if progress and done % BATCH == 0:
                            progress(done, total)
            archive.writestr("manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
        if progress:
            progress(total, total)
    return BackupInfo(target, "logical", manifest["revision"], counts)

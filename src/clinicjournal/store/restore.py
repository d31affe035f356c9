"""Restoring a backup written by backup.py (either format).

A restore copies a backup of either format into a database in **one
transaction**: it succeeds completely or leaves the database as it was. The
target must be at the backup's schema revision; an empty database is first
migrated to it. A database that already has content is only overwritten with
``force``. Afterwards the config generation moves past both the old and the
restored value, so every worker reloads its sites on its next request.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Table, create_engine, func, select, text
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from . import db
from .backup import (
    BATCH,
    BOOKKEEPING,
    FORMAT,
    FORMAT_VERSION,
    SQLITE_MAGIC,
    ZIP_MAGIC,
    BackupError,
    BackupInfo,
    Progress,
    column_kind,
    content_tables,
    decode_value,
    ordered_rows,
    schema_revision,
)

# -- reading backups ----------------------------------------------------------------------------

class _Source:
    """A backup opened for reading: its revision, tables, and rows per table."""

    format: str
    revision: str | None
    tables: list[dict]  # {"name", "rows", "columns": [{"name", "type"}]}

    def rows(self, name: str) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _ArchiveSource(_Source):
    format = "logical"

    def __init__(self, path: Path) -> None:
        try:
            self.archive = zipfile.ZipFile(path)
            manifest = json.loads(self.archive.read("manifest.json"))
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise BackupError(f"{path} is not a clinicjournal backup ({exc}); was it cut short?") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path} is a zip file, but not a clinicjournal backup")
        if manifest.get("version", 0) > FORMAT_VERSION:
            raise BackupError(f"{path} was written by a newer clinicjournal (backup format "
                              f"{manifest.get('version')}); restore it with that version")
        self.revision = manifest.get("revision")
        self.tables = manifest["tables"]

    def rows(self, name: str) -> Iterator[dict[str, Any]]:
        spec = next(t for t in self.tables if t["name"] == name)
        kinds = {c["name"]: c["type"] for c in spec["columns"]}
        with self.archive.open(f"tables/{name}.jsonl") as lines:
            for line in lines:
                if line.strip():
                    record = json.loads(line)
                    yield {k: decode_value(kinds[k], v) for k, v in record.items()}

    def close(self) -> None:
        self.archive.close()


class _SqliteSource(_Source):
    format = "sqlite"

    def __init__(self, path: Path) -> None:
        self.engine = create_engine(f"sqlite:///file:{Path(path).resolve()}?mode=ro&uri=true", poolclass=NullPool)
        try:
            with self.engine.connect() as conn:
                self.revision = schema_revision(conn)
                self._tables = {t.name: t for t in content_tables(conn)}
                self.tables = [{"name": t.name, "rows": conn.scalar(select(func.count()).select_from(t)),
                                "columns": [{"name": c.name, "type": column_kind(c)} for c in t.columns]}
                               for t in self._tables.values()]
        except Exception:
            self.engine.dispose()
            raise

    def rows(self, name: str) -> Iterator[dict[str, Any]]:
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=BATCH).execute(ordered_rows(self._tables[name])):
                yield dict(row._mapping)

    def close(self) -> None:
        self.engine.dispose()


def open_backup(path: Path) -> _Source:
    """:raise BackupError: when ``path`` is missing or not a backup."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist (or is not a file)")
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        return _SqliteSource(path)
    if head.startswith(ZIP_MAGIC):
        return _ArchiveSource(path)
    raise BackupError(f"{path} is neither a SQLite backup nor a clinicjournal archive")


def describe(path: Path) -> BackupInfo:
    source = open_backup(path)
    try:
        return BackupInfo(Path(path), source.format, source.revision,
                          {t["name"]: t["rows"] for t in source.tables})
    finally:
        source.close()


# -- restoring ----------------------------------------------------------------------------------

def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    try:
        return script.get_revision(revision) is not None
    except (CommandError, KeyError, ValueError, RuntimeError):
        return False


def restore(engine: Engine, path: Path, *, force: bool = False, progress: Progress | None = None,
            note: str = "") -> BackupInfo:
    """Replace the content of the database at ``engine`` with the backup at ``path``.

    :raise BackupError: when the backup is unreadable, the database is at another
        schema revision, or it has content and ``force`` is not given. Nothing is
        changed then, nor when the restore itself fails half-way.
    """
    source = open_backup(path)
    try:
        return _restore(engine, source, Path(path), force, progress, note)
    finally:
        source.close()


def _restore(engine: Engine, source: _Source, path: Path, force: bool, progress: Progress | None,
             note: str) -> BackupInfo:
    if source.revision is None:
        raise BackupError(f"{path} holds no schema revision; it is not a backup of a clinicjournal database")
    with engine.connect() as conn:
        current = schema_revision(conn)
    if current is None:
        if not _known_revision(source.revision):
            raise BackupError(f"{path} was made at schema revision {source.revision}, which this version of "
                              "clinicjournal does not know: restore it with the version that made it")
        db.upgrade(_url(engine), source.revision)  # an empty database gets the backup's schema
        current = source.revision
    if current != source.revision:
        raise BackupError(
            f"{path} was made at schema revision {source.revision}, but the database is at {current}. "
            "Restore into an empty database (it is then migrated to the backup's revision), "
            "or into one at the same revision; run `clinicjournal db upgrade` afterwards.")

    total = sum(t["rows"] for t in source.tables)
    done = 0
    with engine.begin() as conn:
        tables = {t.name: t for t in content_tables(conn)}
        wanted = [t["name"] for t in source.tables]
        missing = [n for n in wanted if n not in tables]
        if missing or set(tables) - set(wanted):
            raise BackupError(f"the backup's tables ({', '.join(sorted(wanted))}) do not match the database's "
                              f"({', '.join(sorted(tables))}); the schema differs although the revision matches")
        for spec in source.tables:
            have = {c.name for c in tables[spec["name"]].columns}
            columns = {c["name"] for c in spec["columns"]}
            if have != columns:
                raise BackupError(f"table {spec['name']} has columns {sorted(have)} in the database but "
                                  f"{sorted(columns)} in the backup")
        order = [t for t in tables.values()]  # dependency order: parents first
        before = _generation(conn)
        filled = [t.name for t in order if t.name not in BOOKKEEPING
                  and conn.scalar(select(func.count()).select_from(t))]
        if filled and not force:
            raise BackupError(f"the database already has content (in {', '.join(filled)}); restore into an empty "
                              "database, or add --force to replace everything in it with the backup")
        for table in reversed(order):
            conn.execute(table.delete())
        for table in order:
            batch = []
            for row in source.rows(table.name):
                batch.append(row)
                if len(batch) >= BATCH:
                    conn.execute(table.insert(), batch)
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(done, total)
            if batch:
                conn.execute(table.insert(), batch)
                done += len(batch)
        _after_restore(conn, tables, before, path, note)
        counts = {t: conn.scalar(select(func.count()).select_from(tables[t])) for t in wanted}
    if progress:
        progress(total, total)
    return BackupInfo(path, source.format, source.revision, counts)


def _generation(conn: Connection) -> int:
    try:
        return int(conn.scalar(text("SELECT value FROM install_state WHERE key = 'config_generation'")) or 0)
    except Exception:  # noqa: BLE001 - no such table in this revision
        return 0


def _after_restore(conn: Connection, tables: dict[str, Table], before: int, path: Path, note: str) -> None:
    # Workers cache sites by config generation: move it past both the old and the
    # restored value, so none keeps what it had.
    state = tables.get("install_state")
    if state is not None:
        restored = _generation(conn)
        value = max(before, restored) + 1
        if not conn.execute(state.update().where(state.c.key == "config_generation").values(value=value)).rowcount:
            conn.execute(state.insert().values(key="config_generation", value=value))
    # PostgreSQL hands out ids from sequences the inserts did not advance.
    if conn.dialect.name == "postgresql":
        for table in tables.values():
            keys = list(table.primary_key.columns)
            if len(keys) == 1 and isinstance(keys[0].type, sqltypes.Integer):
                sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                       {"t": table.name, "c": keys[0].name})
                if sequence:
                    conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{keys[0].name}") FROM '
                                      f'"{table.name}"), 1), (SELECT COUNT(*) FROM "{table.name}") > 0)'),
                                 {"s": sequence})
    audit = tables.get("audit_event")
    if audit is not None and {"at", "actor", "action", "target", "detail"} <= set(audit.c.keys()):
        conn.execute(audit.insert().values(at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), actor="cli",
                                           action="install.restored", target=str(path)[:300],
                                           detail={"note": note} if note else {}))

"""``clinicjournal backup PATH`` and ``clinicjournal restore PATH`` (see backup.py)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError

from ..store.backup import BackupError, backup
from ..store.db import describe_write_error
from ..store.restore import describe, restore
from .base import console, fail, main, progress, table


def _engine():
    return current_app.extensions["clinicjournal"].engine


def _size(path: Path) -> str:
    size = float(path.stat().st_size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def _bar(label: str):
    """A progress bar and the callback that moves it."""
    bar = progress()
    task = bar.add_task(label, total=None)
    return bar, lambda done, total: bar.update(task, completed=done, total=total)


@main.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["auto", "sqlite", "logical"]), default="auto", show_default=True,
              help="sqlite: a copy of the SQLite database (SQLite only); logical: a zip of every table as "
                   "JSON lines (any database, restorable into SQLite or PostgreSQL). auto: sqlite for SQLite.")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path: Path, fmt: str, force: bool) -> None:
    """Write a backup of the whole install (every site, article, setting, plugin choice,
    user and log) to PATH, while the server keeps running."""
    bar, report = _bar("Backing up")
    try:
        with bar:
            info = backup(_engine(), path, fmt=fmt, force=force, progress=report)
    except BackupError as exc:
        fail(str(exc))
    except DBAPIError as exc:
        fail(f"The backup could not read the database: {describe_write_error(exc)} No backup was written.")
    except OSError as exc:
        fail(f"The backup could not be written to {path}: {exc.strerror or exc}. Check the folder exists, is "
             "writable and has space; no backup was written.")
    console.print(f"Backed up {info.rows} row(s) of {len(info.tables)} table(s) at schema revision "
                  f"{info.revision} to {path} ({info.format}, {_size(path)}).")


@main.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace everything in a database that already has content with the backup.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Restore the backup at PATH into the configured database, in one transaction.

    The database must be empty (it is then migrated to the backup's schema
    revision) or at the backup's revision; one with content is only replaced
    with --force. Running servers pick the restored sites up on their next request.
    """
    try:
        info = describe(path)
    except BackupError as exc:
        fail(str(exc))
    table(f"Backup {path.name}", ["format", "schema revision", "tables", "rows"],
          [[info.format, info.revision, len(info.tables), info.rows]])
    bar, report = _bar("Restoring")
    try:
        with bar:
            restored = restore(_engine(), path, force=force, progress=report, note=path.name)
    except BackupError as exc:
        fail(f"{str(exc).rstrip('.')}. Nothing was changed.")
    except DBAPIError as exc:
        fail(f"The restore was rolled back, nothing was changed: {describe_write_error(exc)}")
    state = current_app.extensions["clinicjournal"]
    try:  # cached pages of the old content are retired on every worker
        state.cache_generation.bump()
    except Exception as exc:  # noqa: BLE001 - the restore itself succeeded
        console.print(f"[yellow]Cached pages could not be retired ({exc}); they expire on their own.[/]")
    console.print(f"Restored {restored.rows} row(s) of {len(restored.tables)} table(s) from {path}.")

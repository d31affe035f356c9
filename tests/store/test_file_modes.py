"""The database and its backups are private to the account running clinicjournal
(mode 0600): they hold password hashes and the audit log. New files are made so
whatever the umask; an existing file other users can open is made private; one
only a group can read (an operator's choice) is left alone."""

from __future__ import annotations

import logging
import os
import shutil
import stat

import pytest
from sqlalchemy import text

from clinicjournal.store import backup, db


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def usual_umask():
    """The umask most servers run with (files 0644 unless made otherwise)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_a_new_database_and_its_wal_files_are_private(tmp_path, usual_umask, make_app):
    path = tmp_path / "instance" / "journal.sqlite"
    path.parent.mkdir()
    url = f"sqlite:///{path}"
    db.upgrade(url)  # as `clinicjournal db upgrade` on a fresh install: Alembic's own engine
    assert mode(path) == 0o600
    app = make_app(DATABASE_URL=url)
    engine = app.extensions["clinicjournal"].engine
    with engine.connect() as conn:  # open, in WAL mode: the -wal and -shm files exist
        conn.execute(text("UPDATE install_state SET value = value"))
        conn.commit()
        for suffix in ("", "-wal", "-shm"):
            assert mode(f"{path}{suffix}") == 0o600, suffix
    other = tmp_path / "other.sqlite"  # made by the server itself, not by a migration
    with db.make_engine(f"sqlite:///{other}").connect() as conn:
        conn.execute(text("CREATE TABLE t (x)"))
        conn.commit()
        assert mode(other) == mode(f"{other}-wal") == 0o600


def test_an_existing_database_others_can_read_is_made_private(tmp_path, usual_umask, sqlite_template, caplog):
    readable = tmp_path / "old.sqlite"
    shutil.copyfile(sqlite_template, readable)
    os.chmod(readable, 0o644)  # as earlier versions left it
    (tmp_path / "old.sqlite-wal").write_bytes(b"")
    os.chmod(tmp_path / "old.sqlite-wal", 0o644)
    grouped = tmp_path / "grouped.sqlite"
    shutil.copyfile(sqlite_template, grouped)
    os.chmod(grouped, 0o640)  # readable by a backup group on purpose
    with caplog.at_level(logging.WARNING, logger="clinicjournal.db"):
        db.make_engine(f"sqlite:///{readable}").dispose()
        db.make_engine(f"sqlite:///{grouped}").dispose()
    assert mode(readable) == mode(tmp_path / "old.sqlite-wal") == 0o600
    assert mode(grouped) == 0o640
    assert "now readable by its owner only" in caplog.text and str(readable) in caplog.text
    assert str(grouped) not in caplog.text


def test_in_memory_databases_make_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for url in ("sqlite://", "sqlite:///:memory:"):
        db.make_engine(url).dispose()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["sqlite", "logical"])
def test_backups_are_private(app, backend, tmp_path, usual_umask, fmt):
    if fmt == "sqlite" and backend != "sqlite":
        pytest.skip("a SQLite-file backup is for SQLite databases")
    engine = app.extensions["clinicjournal"].engine
    target = tmp_path / f"backup.{fmt}"
    backup.backup(engine, target, fmt=fmt)
    assert mode(target) == 0o600
    os.chmod(target, 0o644)
    backup.backup(engine, target, fmt=fmt, force=True)  # replacing an older, readable one
    assert mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

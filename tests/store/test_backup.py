"""Nothing lost: ``clinicjournal backup`` / ``clinicjournal restore`` round-trip a whole
install (content, settings, plugin enablement, users, log), and two editors saving
the same article cannot overwrite each other (optimistic locking).

Backups are compared row by row with what they were made from, on SQLite and (with
``CLINICJOURNAL_TEST_POSTGRES_URL``) PostgreSQL, and across the two.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from conftest import snapshot
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import NullPool

from clinicjournal.cli import main as cli_main
from clinicjournal.platform.settings import update_settings
from clinicjournal.store import audit, backup, db, manage, restore
from clinicjournal.store.backup import NOT_COPIED
from clinicjournal.store.models import Article, Site

HOST = "alpha.localhost"
VOLATILE = {"install_state", "audit_event"}  # moved on purpose by a restore (generation, "restored" event)


def assert_same_rows(restored: dict, original: dict) -> None:
    """Every table as it was, but those a restore moves on purpose and those never carried over."""
    for name in original:
        if name in NOT_COPIED:
            assert restored[name] == [] or name == "alembic_version", name
        elif name not in VOLATILE:
            assert restored[name] == original[name], name


def assert_same_content(restored: dict, original: dict) -> None:
    assert_same_rows(restored, original)
    # The log holds everything it held, plus the restore itself.
    assert restored["audit_event"][: len(original["audit_event"])] == original["audit_event"]
    assert [row for row in restored["audit_event"][len(original["audit_event"]):]
            if "install.restored" in row] != []


def run(app, *args):
    return app.test_cli_runner().invoke(cli_main, [str(a) for a in args])


@pytest.fixture
def install(app, create_site, publish, tmp_path):
    """Two sites with content, settings, plugin choices, a user with a role and some log."""
    create_site("alpha", name="Alpha Clinic", locales=("en", "de"), hosts=("journal.alpha.test",),
                appearance={"primary": "#123456", "tagline": {"en": "Good health", "de": "Gute Gesundheit"},
                            "name": {"de": "Alpha-Praxis"}})  # per language: JSON in the site row
    create_site("beta", name="Beta Clinic")
    publish("alpha",
            {"slug": "sleep-well", "title": "Sleep well", "category": "sleep-health", "translation_key": "sleep",
             "body": "Sleep matters [@r1].\n\nÜmlaut, emoji 🩺 and “quotes”.\n", "takeaway": "Sleep.",
             "faq": [{"q": "How long?", "a": "Seven hours."}],
             "references": [{"key": "r1", "title": "A sleep study", "authors": ["Doe J", "Roe R"], "year": 2021,
                             "url": "https://example.org/study", "doi": "10.1000/xyz"}],
             "reviewer": "Dr Who", "reviewed": "2025-02-01"},
            {"slug": "gut-schlafen", "locale": "de", "title": "Gut schlafen", "translation_key": "sleep"},
            {"slug": "draft-one", "title": "Draft", "status": "draft"},
            {"slug": "about", "type": "page", "title": "About us", "summary": None, "published": None})
    publish("beta", {"slug": "beta-news", "title": "Beta news"})
    plugins = app.extensions["clinicjournal"].plugins
    with app.app_context():
        sess = db.session()
        alpha = manage.get_site(sess, "alpha")
        manage.update_site(sess, alpha, settings={"review_interval_days": 90})
        manage.set_plugin_enabled(sess, alpha, "faq", False, plugins)
        update_settings(sess, alpha, "disclaimer", plugins.setting_specs("disclaimer"), {"text": "Not advice."}, "en")
        update_settings(sess, alpha, "disclaimer", plugins.setting_specs("disclaimer"), {"text": "Kein Rat."}, "de")
        update_settings(sess, alpha, "references", plugins.setting_specs("references"), {"style": "apa"})
        from clinicjournal.admin import accounts, tokens

        user = accounts.create_user(sess, "editor@example.org", "correct horse battery", name="Ed",
                                    ph=accounts.hasher({"time_cost": 1, "memory_cost": 1024, "parallelism": 1}))
        accounts.grant(sess, user, alpha, "editor")
        tokens.store(sess, user, tokens.RESET, tokens.new_token(), dt.timedelta(hours=1))  # a live link
        audit.record(sess, user, "article.saved", site=alpha, target="sleep-well", note="ünïcode")
        from media_support import jpeg_with_gps

        from clinicjournal.content import media

        media.add(sess, alpha, "entrance", jpeg_with_gps(640, 400), {"en": "The door", "de": "Die Tür"})
        from clinicjournal.store.people import Person

        sess.add(Person(site_id=alpha.id, slug="leila-haddad", name="Leila Haddad", credentials="MD",
                        role={"en": "Family physician"}, bio={"de": "Hausärztin."}, user_id=user.id))
        sess.commit()
    return app


def check_served(app) -> None:
    """What readers see comes back too: the article, the language version, the settings."""
    client = app.test_client()
    page = client.get("/en/sleep-well/", headers={"Host": HOST})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sleep well" in html and "emoji 🩺" in html and "Not advice." in html
    assert 'class="article-part faq"' not in html  # the FAQ plugin stays off on alpha
    assert "--primary: #123456" in html
    german = client.get("/de/gut-schlafen/", headers={"Host": "journal.alpha.test"})
    assert german.status_code == 200
    assert "Alpha-Praxis" in german.get_data(as_text=True)  # the site's name in German
    assert client.get("/en/draft-one/", headers={"Host": HOST}).status_code == 404
    assert "Leila Haddad" in client.get("/en/people/leila-haddad/", headers={"Host": HOST}).get_data(as_text=True)
    found = client.get("/en/search?q=sleep", headers={"Host": HOST}).get_data(as_text=True)
    assert "/en/sleep-well/" in found  # the search index was rebuilt from the restored rows
    page.close()
    with app.app_context():  # the media library's files, bytes and all, on every host of the site
        from clinicjournal.store.media import MediaItem

        item = db.session().scalar(select(MediaItem).where(MediaItem.key == "entrance"))
        for host in (HOST, "journal.alpha.test"):
            image = client.get(f"/media/{item.original}.jpg", headers={"Host": host})
            assert image.status_code == 200 and hashlib.sha256(image.data).hexdigest() == item.original


# -- round trips ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["auto", "logical"])
def test_backup_and_restore_into_an_empty_database(install, database_url, databases, make_app, tmp_path, fmt):
    original = snapshot(database_url)
    path = tmp_path / ("backup.sqlite" if fmt == "auto" else "backup.zip")
    result = run(install, "backup", path, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output and path.exists()
    expected = "sqlite" if fmt == "auto" and database_url.startswith("sqlite") else "logical"
    assert restore.describe(path).format == expected
    assert not list(tmp_path.glob(".*partial"))  # no temporary file left behind

    empty = databases.new(migrated=False)
    restored_app = make_app(DATABASE_URL=empty, CHECK_SCHEMA=False)
    result = run(restored_app, "restore", path)
    assert result.exit_code == 0, result.output
    assert_same_content(snapshot(empty), original)
    check_served(restored_app)
    # New rows get fresh ids (PostgreSQL's sequences were moved past the restored ids).
    with restored_app.app_context():
        sess = db.session()
        manage.create_site(sess, "gamma", "Gamma", ["en"])
        sess.commit()
        assert sess.scalar(select(Site.id).where(Site.slug == "gamma")) > max(
            row[0] for row in original["site"])


def test_the_sqlite_backup_is_an_ordinary_checked_database(install, database_url, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("SQLite-file backups are for SQLite databases")
    path = tmp_path / "copy.sqlite"
    assert run(install, "backup", path).exit_code == 0
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        assert conn.execute("SELECT count(*) FROM article").fetchone()[0] == 5
    finally:
        conn.close()
    assert not Path(str(path) + "-wal").exists()


def test_the_logical_archive_is_json_lines_in_key_order(install, tmp_path):
    path = tmp_path / "backup.zip"
    assert run(install, "backup", path, "--format", "logical").exit_code == 0
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["format"] == backup.FORMAT and manifest["revision"]
        names = [t["name"] for t in manifest["tables"]]
        assert names.index("site") < names.index("article") < names.index("reference")  # parents first
        assert "alembic_version" not in names and not any(n.startswith("article_fts") for n in names)
        for spec in manifest["tables"]:
            lines = archive.read(f"tables/{spec['name']}.jsonl").decode().splitlines()
            assert len(lines) == spec["rows"]
            ids = [json.loads(line).get("id") for line in lines]
            if None not in ids:
                assert ids == sorted(ids)
        article = [json.loads(line) for line in archive.read("tables/article.jsonl").decode().splitlines()]
        assert {"published", "faq", "body"} <= set(article[0])
        assert "search_vector" not in article[0]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@pytest.mark.parametrize("direction", ["sqlite to postgresql", "postgresql to sqlite"])
def test_an_install_moves_between_sqlite_and_postgresql(backend, direction, install, database_url, databases,
                                                        make_app, sqlite_template, tmp_path):
    sqlite_url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    if direction == "sqlite to postgresql":
        # Build the same install on SQLite first: restore the PostgreSQL one there, then back.
        path = tmp_path / "pg.zip"
        assert run(install, "backup", path).exit_code == 0
        sqlite_app = make_app(DATABASE_URL=sqlite_url, CHECK_SCHEMA=False)
        assert run(sqlite_app, "restore", path).exit_code == 0
        source_app, source_url = sqlite_app, sqlite_url
        target = databases.new(migrated=False)
    else:
        source_app, source_url, target = install, database_url, sqlite_url
    original = snapshot(source_url)
    path = tmp_path / "move.backup"
    result = run(source_app, "backup", path)
    assert result.exit_code == 0, result.output
    target_app = make_app(DATABASE_URL=target, CHECK_SCHEMA=False)
    result = run(target_app, "restore", path)
    assert result.exit_code == 0, result.output
    assert_same_rows(snapshot(target), original)
    check_served(target_app)


# -- refusals -------------------------------------------------------------------------------------

def test_restore_refuses_a_database_with_content_unless_forced(install, database_url, make_app, tmp_path):
    path = tmp_path / "backup.bin"
    assert run(install, "backup", path, "--format", "logical").exit_code == 0
    original = snapshot(database_url)
    with install.app_context():  # an editor changes an article after the backup
        sess = db.session()
        article = sess.scalar(select(Article).where(Article.slug == "sleep-well"))
        article.title = "Changed after the backup"
        sess.commit()
    worker = make_app()  # a server that has the current sites cached
    assert "Changed after" in worker.test_client().get("/en/sleep-well/?w=1", headers={"Host": HOST}).get_data(
        as_text=True)
    changed = snapshot(database_url)

    result = run(install, "restore", path)
    assert result.exit_code != 0
    assert "already has content" in result.output and "--force" in result.output
    assert "Nothing was changed" in " ".join(result.output.split())
    assert snapshot(database_url) == changed

    result = run(install, "restore", path, "--force")
    assert result.exit_code == 0, result.output
    restored = snapshot(database_url)
    assert_same_content(restored, original)
    generation = dict(restored["install_state"])["config_generation"]
    assert generation > dict(changed["install_state"])["config_generation"]
    # The running worker serves the restored text on its next request, without a restart.
    page = worker.test_client().get("/en/sleep-well/?w=2", headers={"Host": HOST}).get_data(as_text=True)
    assert "Sleep well" in page and "Changed after" not in page


def test_restore_checks_the_schema_revision(install, databases, make_app, tmp_path):
    path = tmp_path / "backup.zip"
    assert run(install, "backup", path, "--format", "logical").exit_code == 0
    head = restore.describe(path).revision
    older = databases.new(migrated=False)
    db.upgrade(older, "0005")
    assert head != "0005"
    before = snapshot_or_none(older)
    result = run(make_app(DATABASE_URL=older, CHECK_SCHEMA=False), "restore", path)
    assert result.exit_code != 0
    message = " ".join(result.output.split())
    assert f"revision {head}" in message and "at 0005" in message and "db upgrade" in message
    assert snapshot_or_none(older) == before


def snapshot_or_none(url: str):
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text("SELECT key, value FROM install_state ORDER BY key"))]
    finally:
        engine.dispose()


def test_an_old_backup_goes_into_an_empty_database_at_its_own_revision(databases, make_app, tmp_path):
    old = databases.new(migrated=False)
    db.upgrade(old, "0005")
    old_app = make_app(DATABASE_URL=old, CHECK_SCHEMA=False)
    with old_app.app_context():
        sess = db.session()
        sess.execute(text("INSERT INTO site (slug, name, default_locale, locales, appearance, settings, created) "
                          "VALUES ('old', 'Old Clinic', 'en', '[\"en\"]', '{}', '{}', '2024-01-01 00:00:00')"))
        sess.commit()
    path = tmp_path / "old.zip"
    result = run(old_app, "backup", path, "--format", "logical")
    assert result.exit_code == 0, result.output
    empty = databases.new(migrated=False)
    target = make_app(DATABASE_URL=empty, CHECK_SCHEMA=False)
    result = run(target, "restore", path)
    assert result.exit_code == 0, result.output
    current, head = db.schema_status(target.extensions["clinicjournal"].engine)
    assert current == "0005" != head  # restored as it was; `db upgrade` brings it up to date
    assert run(target, "db", "upgrade").exit_code == 0
    with target.app_context():
        assert db.session().scalar(select(Site.name).where(Site.slug == "old")) == "Old Clinic"


def test_backup_does_not_overwrite_a_file_unless_forced(install, tmp_path):
    path = tmp_path / "keep.sqlite"
    path.write_text("precious")
    result = run(install, "backup", path)
    assert result.exit_code != 0 and "already exists" in result.output
    assert path.read_text() == "precious"
    assert run(install, "backup", path, "--force").exit_code == 0
    assert restore.describe(path).rows > 0
    result = run(install, "backup", tmp_path / "no-such-folder" / "b.sqlite")
    assert result.exit_code != 0 and "does not exist" in result.output


@pytest.mark.parametrize("content", [b"not a backup at all", b"PK\x03\x04truncated zip", b"SQLite format 3\x00" + b"\x00" * 50])
def test_restore_refuses_what_is_not_a_backup(install, database_url, tmp_path, content):
    path = tmp_path / "bogus.bin"
    path.write_bytes(content)
    before = snapshot(database_url)
    result = run(install, "restore", path, "--force")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert snapshot(database_url) == before


def test_a_restore_that_fails_half_way_changes_nothing(install, database_url, databases, make_app, tmp_path):
    """A reference pointing at an article the backup lacks: the database refuses it
    late in the restore, and the whole restore is rolled back."""
    path = tmp_path / "backup.zip"
    assert run(install, "backup", path, "--format", "logical").exit_code == 0
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "tables/reference.jsonl":
                rows = [json.loads(line) for line in data.splitlines()]
                rows[-1]["article_id"] = 999_999
                data = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
            dst.writestr(item, data)
    target = databases.new()  # migrated, empty
    target_app = make_app(DATABASE_URL=target, CHECK_SCHEMA=False)
    before = snapshot(target)
    result = run(target_app, "restore", broken)
    assert result.exit_code != 0
    assert "rolled back" in result.output and "Traceback" not in result.output
    assert snapshot(target) == before


def test_backup_while_the_site_is_being_written(install, database_url, tmp_path, write_article, backend):
    """An online backup: imports go on during it, and the copy is one consistent state."""
    import threading

    before = {name: len(rows) for name, rows in snapshot(database_url).items()}
    folder = tmp_path / "more"
    for n in range(30):
        write_article(folder, slug=f"extra-{n}", title=f"Extra {n}", body="Text. " * 200 + "\n")
    done = threading.Event()

    def writer():
        try:
            run(install, "content", "import", folder, "--site", "beta")
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    path = tmp_path / "online.zip"
    result = run(install, "backup", path, "--format", "logical")
    thread.join(timeout=60)
    assert result.exit_code == 0, result.output
    info = restore.describe(path)
    added = info.tables["article"] - before["article"]
    assert added in (0, 30)  # all of the import or none of it: never half
    assert info.tables["article_revision"] - before["article_revision"] == added


# -- optimistic locking -----------------------------------------------------------------------------

def test_the_second_of_two_concurrent_saves_is_refused(install, app):
    """Two editors open the same article; the first save wins, the second gets
    StaleDataError (which the admin turns into a conflict message) and changes nothing."""
    maker = app.extensions["clinicjournal"].sessionmaker
    first, second = maker(), maker()
    try:
        mine = first.scalar(select(Article).where(Article.slug == "sleep-well"))
        theirs = second.scalar(select(Article).where(Article.slug == "sleep-well"))
        assert mine.version == theirs.version
        mine.body = "The first editor's text.\n"
        theirs.body = "The second editor's text.\n"
        first.commit()
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
    finally:
        first.close()
        second.close()
    check = maker()
    try:
        article = check.scalar(select(Article).where(Article.slug == "sleep-well"))
        assert article.body == "The first editor's text.\n"
        assert article.version == mine.version
    finally:
        check.close()


def test_a_save_based_on_a_stale_copy_is_refused_even_after_a_reload_of_others(install, app):
    """The check is the version the editor started from, not a timestamp: a third save
    after a successful one still needs the current version."""
    maker = app.extensions["clinicjournal"].sessionmaker
    a, b = maker(), maker()
    try:
        one = a.scalar(select(Article).where(Article.slug == "about"))
        two = b.scalar(select(Article).where(Article.slug == "about"))
        one.title = "About (1)"
        a.commit()
        one.title = "About (2)"
        a.commit()  # the same editor saving twice is fine: the session knows the new version
        two.title = "About (stale)"
        with pytest.raises(StaleDataError):
            b.commit()
        b.rollback()
        b.expire_all()
        assert b.scalar(select(Article.title).where(Article.slug == "about")) == "About (2)"
    finally:
        a.close()
        b.close()

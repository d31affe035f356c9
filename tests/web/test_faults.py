"""Faults: the database gone, a connection killed, a plugin broken or slow, a disk
full or read-only during an import.

* A database that cannot be reached gives readers a localised 503 page with
  ``Retry-After``, quickly, and the app recovers by itself when it is back.
* A plugin that raises (or returns nonsense) never takes a page down; a slow one
  shows up with its time in ``clinicjournal plugins list`` and the trace log.
* An import into a read-only or full database says what to do, exits non-zero
  and leaves the database exactly as it was.

The real PostgreSQL server is never stopped: an unreachable server is a port
nothing listens on, a restart is ``pg_terminate_backend`` on the app's connections.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import time
import uuid
from pathlib import Path

import pytest
from catalog_support import translated
from conftest import parse_html, snapshot
from sqlalchemy import event, make_url, select, text
from sqlalchemy.exc import OperationalError

from clinicjournal import Contribution, HeadExtras, create_app, hookimpl
from clinicjournal.cli import main as cli_main
from clinicjournal.store import db
from clinicjournal.web.sites import SiteRegistry

HOST = "alpha.localhost"
FAST = 2.0  # seconds: the most a reader waits for the 503 page
READER_PATHS = ["/en/", "/en/first/", "/en/category/sleep-health/", "/en/search?q=sleep", "/sitemap.xml",
                "/en/feed.xml", "/"]


def german(message: str) -> str:
    return translated("de", message)


def assert_localised_503(response, lang: str = "de") -> None:
    try:
        assert response.status_code == 503, response.get_data(as_text=True)[:1500]
        assert int(response.headers["Retry-After"]) > 0
        assert response.mimetype == "text/html"
        doc = parse_html(response.get_data(as_text=True))
        assert doc.one("html").get("lang") == lang
        if lang == "de":
            assert doc.one("h1").text() == german("Temporarily unavailable") != "Temporarily unavailable"
        assert "Cache-Control" not in response.headers or "public" not in response.headers["Cache-Control"]
    finally:
        response.close()


def timed_get(client, path: str, **headers):
    started = time.perf_counter()
    response = client.get(path, headers={"Host": HOST, **headers})
    return response, time.perf_counter() - started


def config_for(url: str, tmp_path: Path, static_build_dir: Path, **extra) -> dict:
    return {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test", "INSTANCE_PATH": str(tmp_path),
            "STATIC_BUILD_DIR": str(static_build_dir), "CHECK_SCHEMA": False, "CACHE_TYPE": "null",
            "LOCALHOST_SITES": True, **extra}


@pytest.fixture
def site(create_site, publish):
    create_site("alpha", locales=("en", "de"))
    publish("alpha", {"slug": "first", "title": "First", "category": "sleep-health", "body": "Sleep well.\n"})
    return "alpha"


# -- (a) database unavailable -------------------------------------------------------------------

@pytest.mark.parametrize("url", ["postgresql://postgres@127.0.0.1:1/clinicjournal",
                                 "postgresql+psycopg://postgres@localhost:1/clinicjournal?sslmode=disable"])
def test_postgresql_that_refuses_connections_gives_a_fast_localised_503(url, tmp_path, static_build_dir):
    app = create_app(config_for(url, tmp_path, static_build_dir))
    try:
        client = app.test_client()
        for path in READER_PATHS + ["/admin/login"]:
            response, took = timed_get(client, path, **{"Accept-Language": "de"})
            assert took < FAST, (path, took)
            assert_localised_503(response)
        response, _took = timed_get(client, "/en/", **{"Accept-Language": "ar"})
        assert_localised_503(response, lang="ar")
    finally:
        app.extensions["clinicjournal"].engine.dispose()


def test_postgresql_connections_have_a_short_connect_timeout():
    seen = {}
    for url, expected in (("postgresql://postgres@127.0.0.1:1/x", db.CONNECT_TIMEOUT),
                          ("postgresql://postgres@127.0.0.1:1/x?connect_timeout=7", "7")):
        engine = db.make_engine(url)
        event.listen(engine, "do_connect", lambda _d, _r, _args, params: seen.update(params))
        with pytest.raises(OperationalError):
            engine.connect()
        engine.dispose()
        assert str(seen["connect_timeout"]) == str(expected)
        assert engine.pool._pre_ping  # a connection the server dropped is replaced, not used


def test_unroutable_postgresql_fails_within_the_connect_timeout(tmp_path, static_build_dir):
    # 192.0.2.0/24 is TEST-NET-1: never routed. The connection attempt is bounded
    # by CONNECT_TIMEOUT (or refused at once when the machine has no route at all).
    app = create_app(config_for("postgresql://postgres@192.0.2.1:5432/x", tmp_path, static_build_dir))
    try:
        response, took = timed_get(app.test_client(), "/en/", **{"Accept-Language": "de"})
        assert took < db.CONNECT_TIMEOUT + 1.5, took
        assert_localised_503(response)
    finally:
        app.extensions["clinicjournal"].engine.dispose()


def test_sqlite_that_cannot_be_opened_gives_a_503_and_recovers_by_itself(sqlite_template, tmp_path,
                                                                         static_build_dir):
    path = tmp_path / "journal.sqlite"
    shutil.copyfile(sqlite_template, path)
    app = create_app(config_for(f"sqlite:///{path}", tmp_path, static_build_dir))
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(cli_main, ["site", "create", "alpha", "--name", "Alpha", "--locale", "en",
                                          "--locale", "de"])
        assert result.exit_code == 0, result.output
        client = app.test_client()
        assert client.get("/en/", headers={"Host": HOST}).status_code == 200

        # The file disappears and something unreadable takes its place.
        app.extensions["clinicjournal"].engine.dispose()
        path.rename(tmp_path / "away.sqlite")
        path.mkdir()
        if os.geteuid() != 0:  # root reads anything; others also meet a file without permissions
            (tmp_path / "locked.sqlite").write_bytes(b"")
            (tmp_path / "locked.sqlite").chmod(0)
        for p in READER_PATHS:
            response, took = timed_get(client, p, **{"Accept-Language": "de"})
            assert took < FAST, (p, took)
            assert_localised_503(response)

        # Back again: the next request succeeds without a restart.
        path.rmdir()
        (tmp_path / "away.sqlite").rename(path)
        response = client.get("/en/", headers={"Host": HOST})
        assert response.status_code == 200
        response.close()
    finally:
        app.extensions["clinicjournal"].engine.dispose()


def test_site_registry_that_fails_to_load_gives_a_503_then_recovers(site, app, client, create_site,
                                                                    monkeypatch):
    assert client.get("/en/", headers={"Host": HOST}).status_code == 200
    create_site("beta")  # the configuration moves: the next request reloads the registry

    def broken(self, sess, plugins):
        raise OperationalError("SELECT site.id FROM site", {}, Exception("server closed the connection"))

    with monkeypatch.context() as patch:
        patch.setattr(SiteRegistry, "_load", broken)
        for path in ("/en/", "/en/first/", "/admin/login"):
            assert_localised_503(client.get(path, headers={"Host": HOST, "Accept-Language": "de"}))
    response = client.get("/en/", headers={"Host": "beta.localhost"})
    assert response.status_code == 200  # the reload is tried again, and now works
    response.close()


def test_a_failure_while_rendering_uses_the_503_page_without_plugins(site, app, client, monkeypatch):
    """The database dies after the site was resolved: the 503 page still renders in the
    site's chrome, and no plugin is asked to contribute to it."""
    from clinicjournal.web import articles

    calls = []

    class Watcher:
        @hookimpl
        def template_slot(self, slot, ctx):
            calls.append(slot)

    app.extensions["clinicjournal"].plugins.register(Watcher(), "watcher")

    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("terminating connection due to administrator command"))

    monkeypatch.setattr(articles, "listing", down)
    response = client.get("/de/", headers={"Host": HOST})
    assert "Alpha" in response.get_data(as_text=True)  # the site's own chrome, in the URL's language
    assert_localised_503(response)
    assert calls == []


# -- (b) recovery after the server drops every connection -------------------------------------

@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_connections_killed_under_load_recover_by_themselves(backend, database_url, make_app,
                                                                        postgres_admin, site):
    name = f"cjfault_{uuid.uuid4().hex[:10]}"
    url = make_url(database_url).update_query_dict({"application_name": name}).render_as_string(
        hide_password=False)
    app = make_app(DATABASE_URL=url, CACHE_TYPE="null")
    results: list[tuple[float, int, bool, float]] = []
    stop = threading.Event()
    started = time.perf_counter()

    def reader() -> None:
        client = app.test_client()
        paths = ["/en/", "/en/first/", "/de/", "/en/search?q=sleep"]
        n = 0
        while not stop.is_set():
            t0 = time.perf_counter()
            response = client.get(paths[n % len(paths)], headers={"Host": HOST})
            took = time.perf_counter() - t0
            results.append((t0 - started, response.status_code, "Retry-After" in response.headers, took))
            response.close()
            n += 1

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    killed = []
    try:
        for _ in range(3):
            time.sleep(0.6)
            with postgres_admin.connect() as conn:
                killed.append(conn.scalar(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :n"),
                    {"n": name}))
        last_kill = time.perf_counter() - started
        time.sleep(2.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert sum(killed) >= 3, killed  # the app's connections really were cut
    statuses = {status for _t, status, _ra, _took in results}
    assert statuses <= {200, 503}, statuses
    assert all(ra for _t, status, ra, _took in results if status == 503)
    assert max(took for *_rest, took in results) < FAST
    after = [status for t, status, _ra, _took in results if t > last_kill + 1.0]
    assert after and set(after) == {200}, after  # recovered within a second, by itself


# -- (c) plugins that fail or dawdle ------------------------------------------------------------

class Raises:
    """Raises in every per-site hook."""

    @hookimpl
    def categories(self, site, locale):
        raise RuntimeError("boom in categories")

    @hookimpl
    def template_slot(self, slot, ctx):
        raise RuntimeError(f"boom in {slot}")

    @hookimpl
    def head_extras(self, ctx):
        raise RuntimeError("boom in head")

    @hookimpl
    def html_transforms(self, site):
        raise RuntimeError("boom in transforms")


class Nonsense:
    """Returns values of the wrong shape from every hook."""

    @hookimpl
    def categories(self, site, locale):
        return 42

    @hookimpl
    def template_slot(self, slot, ctx):
        return Contribution(html=object(), priority="first") if slot == "sidebar" else Contribution(None)

    @hookimpl
    def head_extras(self, ctx):
        return "not head extras" if ctx.page == "article" else HeadExtras(
            links=[("canonical", "javascript:alert(1)", {})], stylesheets=["JaVaScRiPt:alert(2)"])

    @hookimpl
    def html_transforms(self, site):
        return [None, lambda html, ctx: None, lambda html, ctx: 5]


@pytest.mark.parametrize("plugin", [Raises, Nonsense])
def test_a_broken_plugin_never_takes_a_page_down(site, app, get_page, publish, plugin):
    plugins = app.extensions["clinicjournal"].plugins
    plugins.register(plugin(), "broken")
    publish("alpha", {"slug": "cited", "title": "Cited", "category": "sleep-health", "body": "Text [@r].\n",
                      "references": [{"key": "r", "title": "A source", "year": 2020}],
                      "faq": [{"q": "Q?", "a": "A."}], "takeaway": "Take it."})
    for path in ("/en/", "/en/cited/", "/en/category/sleep-health/", "/en/search?q=text", "/de/"):
        get_page(HOST, path)
    doc = get_page(HOST, "/en/cited/?again=1")
    for tag, cls in (("section", "faq"), ("aside", "takeaway"), ("section", "sources"), ("aside", "disclaimer")):
        assert doc.find(tag, cls=cls) is not None, cls  # every other plugin's part is there
    assert doc.one("h1").text() == "Cited"
    assert "javascript" not in "".join(n.get("href", "") for n in doc.find_all("link")).lower()
    get_page(HOST, "/en/no-such-page/", status=404)
    assert plugins.records["broken"].failures >= 3


class Slow:
    @hookimpl
    def template_slot(self, slot, ctx):
        if slot == "sidebar":
            time.sleep(0.06)
        return None


def test_a_slow_plugin_shows_its_time_in_plugins_list_and_the_trace(site, app, make_app, cli, monkeypatch,
                                                                    caplog):
    monkeypatch.setenv("CLINICJOURNAL_TRACE_PLUGINS", "1")
    traced = make_app()
    assert traced.config["TRACE_PLUGINS"]
    for each in (traced, app):  # the serving worker, and the app the CLI runs in
        each.extensions["clinicjournal"].plugins.register(Slow(), "slow")
    with caplog.at_level(logging.INFO, logger="clinicjournal.plugins"):
        response = traced.test_client().get("/en/first/", headers={"Host": HOST})
        assert response.status_code == 200
        response.close()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("hook template_slot plugin=slow")]
    timed = [float(m.group(1)) for line in lines if (m := re.search(r"slot='sidebar'.* ([\d.]+) ms$", line))]
    assert timed and max(timed) >= 60, lines

    listing = cli("plugins", "list", "--site", "alpha").output
    row = next(line for line in listing.splitlines() if re.match(r"\W*slow\b", line))
    match = re.search(r"slowest call (\d+) ms", row)
    assert match and int(match.group(1)) >= 60, row
    others = [line for line in listing.splitlines() if re.match(r"\W*(faq|references)\b", line)]
    assert others and not any("slowest call" in line for line in others)


# -- (d) read-only database and full disk during an import --------------------------------------


@pytest.fixture
def import_folder(site, publish, write_article, tmp_path):
    """An existing article changed, and a new long one: the import must write to several tables."""
    folder = tmp_path / "import-batch"
    write_article(folder, slug="first", title="First, changed", category="sleep-health", body="Changed.\n")
    write_article(folder, slug="second", title="Second", body=("A long paragraph of text. " * 400 + "\n\n") * 20)
    return folder


def run_import(app, folder: Path):
    return app.test_cli_runner().invoke(cli_main, ["content", "import", str(folder), "--site", "alpha"])


def assert_refused(result, *phrases: str) -> None:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    message = " ".join(result.output.split())
    assert "Nothing was imported" in message and "run the command again" in message, message
    for phrase in phrases:
        assert phrase in message, message


def with_options(url: str, option: str) -> str:
    parsed = make_url(url)
    options = " ".join(filter(None, [parsed.query.get("options", ""), option]))
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def test_import_into_a_read_only_database_changes_nothing(import_folder, database_url, backend, make_app):
    before = snapshot(database_url)
    if backend == "sqlite":
        read_only = "sqlite:///file:" + make_url(database_url).database + "?mode=ro&uri=true"
    else:
        read_only = with_options(database_url, "-cdefault_transaction_read_only=on")
    result = run_import(make_app(DATABASE_URL=read_only), import_folder)
    assert_refused(result, "read-only", "writable")
    assert snapshot(database_url) == before


def test_import_onto_a_full_disk_changes_nothing(import_folder, database_url, backend, app, make_app):
    before = snapshot(database_url)
    full = make_app()
    engine = full.extensions["clinicjournal"].engine
    if backend == "sqlite":
        engine.dispose()

        @event.listens_for(engine, "connect")
        def no_room_to_grow(dbapi_conn, _record):  # the disk is full: the file cannot grow by one page
            cur = dbapi_conn.cursor()
            pages = cur.execute("PRAGMA page_count").fetchone()[0]
            cur.execute(f"PRAGMA max_page_count = {pages}")
            cur.close()
    else:
        # What PostgreSQL reports when it cannot extend a table file, raised half-way
        # through the import (after the articles, at their revisions).
        with engine.begin() as conn:
            conn.execute(text("""
                CREATE FUNCTION cj_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  RAISE EXCEPTION 'could not extend file "base/16384/24576": No space left on device'
                    USING ERRCODE = 'disk_full';
                END $$"""))
            conn.execute(text("CREATE TRIGGER cj_disk_full BEFORE INSERT ON article_revision "
                              "FOR EACH ROW EXECUTE FUNCTION cj_disk_full()"))
        before = snapshot(database_url)
    result = run_import(full, import_folder)
    assert_refused(result, "disk holding the database is full", "Free some space")
    assert snapshot(database_url) == before
    with app.app_context():  # and the site still serves the old text
        from clinicjournal.store.models import Article

        titles = db.session().scalars(select(Article.title).order_by(Article.slug)).all()
    assert titles == ["First"]


def test_import_succeeds_once_the_problem_is_fixed(import_folder, database_url, make_app):
    """The same folder, the same command: after the refusal, a writable database takes it."""
    result = run_import(make_app(), import_folder)
    assert result.exit_code == 0, result.output
    counts = snapshot(database_url)
    assert len(counts["article"]) == 2

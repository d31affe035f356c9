"""Shared fixtures, in the style of the Flask tutorial.

Every test that asks for ``app`` (or ``database_url``) gets its own migrated
database, once per backend:

* SQLite always: the migrations run once per test process into a template file,
  and each test gets a copy of it in its own ``tmp_path``.
* PostgreSQL when ``CLINICJOURNAL_TEST_POSTGRES_URL`` is set: the migrations run
  once per test process into a template database, and each test gets its own
  database made with ``CREATE DATABASE ... TEMPLATE`` (a file-level copy, ~25 ms,
  instead of ~250 ms of migrations), dropped ``WITH (FORCE)`` afterwards. Names
  carry the xdist worker id and a random part, so workers and concurrent runs
  never share one. The server named by the URL is only used to create and drop
  these databases; nothing is written to the database in the URL itself.

With ``CLINICJOURNAL_REQUIRE_SERVICES=1`` (CI) a missing PostgreSQL URL, or a
missing Chromium for the browser test, fails instead of skipping.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator

from signoff_support import signoff_for

import pytest
import yaml
from html_support import Node, local_path, parse_html  # noqa: F401  (tests import them from here)
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from clinicjournal import create_app
from clinicjournal.cli import main as cli_main
from clinicjournal.store import db, manage

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
POSTGRES_URL = os.environ.get("CLINICJOURNAL_TEST_POSTGRES_URL", "").strip()
REQUIRE_SERVICES = os.environ.get("CLINICJOURNAL_REQUIRE_SERVICES", "") not in ("", "0")
REPO = Path(__file__).resolve().parents[1]


BACKENDS = [pytest.param("sqlite", id="sqlite")]
if POSTGRES_URL or REQUIRE_SERVICES:
    # Under REQUIRE_SERVICES the parameter exists even without a URL, so that the
    # missing server shows up as failures instead of silently shrinking the suite.
    BACKENDS.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))


def skip_or_fail(reason: str) -> None:
    """Skip, except in CI (``CLINICJOURNAL_REQUIRE_SERVICES=1``), where it fails."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (CLINICJOURNAL_REQUIRE_SERVICES=1 requires it)", pytrace=False)
    pytest.skip(reason)


def require_postgres_url() -> str:
    if not POSTGRES_URL:
        skip_or_fail("CLINICJOURNAL_TEST_POSTGRES_URL is not set; PostgreSQL tests need a server")
    return POSTGRES_URL


def worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


# -- databases -------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated to the latest revision, once per test process."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Any]:
    """An autocommit engine on the PostgreSQL server, for creating and dropping databases."""
    engine = create_engine(require_postgres_url(), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection problem means "no server"
        engine.dispose()
        skip_or_fail(f"cannot connect to PostgreSQL at {POSTGRES_URL}: {exc}")
    yield engine
    engine.dispose()


def postgres_url_for(database: str) -> str:
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


def create_database(admin, name: str, template: str = "template0") -> None:
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))


def drop_database(admin, name: str) -> None:
    with admin.connect() as conn:
        # FORCE ends connections a test left behind (a server thread, a subprocess).
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_template(postgres_admin) -> Iterator[str]:
    """A database migrated to the latest revision, once per test process; tests copy it."""
    name = f"cjt_tpl_{worker_id()}_{uuid.uuid4().hex[:10]}"
    create_database(postgres_admin, name)
    try:
        db.upgrade(postgres_url_for(name))  # NullPool inside: no connection stays open
        yield name
    finally:
        drop_database(postgres_admin, name)


class Databases:
    """Hands out isolated databases of one backend; drops them at teardown.

    ``Databases("postgresql", tmp_path, request).new()`` also works outside the
    ``backend`` parameter (tests that need PostgreSQL specifically).
    """

    def __init__(self, backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.backend, self.tmp_path, self.request = backend, tmp_path, request
        self.created: list[str] = []  # PostgreSQL database names, dropped by close()
        self.count = 0

    def new(self, migrated: bool = True) -> str:
        """URL of a new database; migrated to the latest revision, or empty with ``migrated=False``."""
        self.count += 1
        if self.backend == "sqlite":
            path = self.tmp_path / f"db{self.count}.sqlite"
            if migrated:
                shutil.copyfile(self.request.getfixturevalue("sqlite_template"), path)
            return f"sqlite:///{path}"
        admin = self.request.getfixturevalue("postgres_admin")
        template = self.request.getfixturevalue("postgres_template") if migrated else "template0"
        name = f"cjt_{worker_id()}_{uuid.uuid4().hex[:12]}"
        create_database(admin, name, template)
        self.created.append(name)
        return postgres_url_for(name)

    def close(self) -> None:
        if self.created:
            admin = self.request.getfixturevalue("postgres_admin")
            for name in self.created:
                drop_database(admin, name)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The database backend under test: "sqlite", and "postgresql" when configured."""
    if request.param == "postgresql":
        require_postgres_url()
    return request.param


@pytest.fixture
def databases(backend, tmp_path, request) -> Iterator[Databases]:
    dbs = Databases(backend, tmp_path, request)
    yield dbs
    dbs.close()


@pytest.fixture
def database_url(databases) -> str:
    """A fresh, migrated database for this test (parametrised over the backends)."""
    return databases.new()


@pytest.fixture(scope="session")
def static_build_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("static-build")


# -- the app ---------------------------------------------------------------------


def dispose(app) -> None:
    """Close the app's database connections (so its database can be dropped, files closed)."""
    state = app.extensions.get("clinicjournal")
    engine = getattr(state, "engine", None)
    if engine is not None:
        engine.dispose()


@pytest.fixture
def app_config(database_url, tmp_path, static_build_dir) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test",
        "INSTANCE_PATH": str(tmp_path),
        "STATIC_BUILD_DIR": str(static_build_dir),
        "CHECK_SCHEMA": True,
        "LOCALHOST_SITES": True,  # the tests reach each site as <slug>.localhost
    }


@pytest.fixture
def make_app(app_config) -> Iterator[Callable[..., Any]]:
    """Factory for more app instances on the same database (like more workers)."""
    made = []

    def make(**overrides):
        app = create_app({**app_config, **overrides})
        made.append(app)
        return app

    yield make
    for app in made:
        dispose(app)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def cli(runner, monkeypatch) -> Callable[..., Any]:
    """Run ``clinicjournal ARGS...`` against ``app``: ``cli("site", "list")``.

    The commands live on the ``clinicjournal`` group (not ``app.cli``), so the
    runner invokes that group with the test app as its script info.
    """
    monkeypatch.setenv("COLUMNS", "240")  # rich tables: no wrapping in captured output

    def invoke(*args, **kwargs):
        return runner.invoke(cli_main, [str(a) for a in args], **kwargs)

    return invoke


# -- content factories -------------------------------------------------------------


@pytest.fixture
def create_site(app) -> Callable[..., SimpleNamespace]:
    """``create_site("alpha", locales=("en", "de"), hosts=("journal.alpha.test",))``."""

    def create(slug: str, name: str | None = None, locales=("en",), hosts=(), appearance=None):
        with app.app_context():
            sess = db.session()
            site = manage.create_site(sess, slug, name or f"{slug.replace('-', ' ').title()} Clinic",
                                      list(locales), list(hosts), appearance)
            sess.commit()
            return SimpleNamespace(id=site.id, slug=site.slug, name=site.name, locales=list(site.locales),
                                   host=f"{slug}.localhost")

    return create


@pytest.fixture
def write_article(tmp_path) -> Callable[..., Path]:
    """Write an authoring-format file: ``write_article(folder, slug="x", title=..., body=...)``.

    ``locale``, ``title``, ``summary`` and ``published`` get defaults; pass ``None``
    to leave a field out. Front matter is written with ``yaml.safe_dump`` and the
    body follows a blank line, as authors usually write it.

    A ``reviewer`` with a ``reviewed`` date is written as the ``signoff`` block
    an export of a signed-off article carries (its hash computed from the
    text), unless ``signed=False``: then the bare fields, which give no sign-off.
    """

    def write(directory: Path | None = None, *, body: str = "Some text for the reader.\n",
              filename: str | None = None, signed: bool = True, **front: Any) -> Path:
        directory = Path(directory or tmp_path / "content")
        directory.mkdir(parents=True, exist_ok=True)
        slug = front.get("slug", "article")
        meta = {"slug": slug, "locale": "en", "title": f"Title of {slug}",
                "summary": f"Summary of {slug}.", "published": dt.date(2025, 1, 15)}
        meta.update(front)
        meta = {k: v for k, v in meta.items() if v is not None}
        text_ = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\n" + body
        if signed and meta.get("reviewer") and meta.get("reviewed") and "signoff" not in meta:
            meta["signoff"] = signoff_for(text_, meta.pop("reviewer"), meta.pop("reviewed"))
            text_ = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\n" + body
        path = directory / (filename or f"{slug}.{meta.get('locale', 'en')}.md")
        path.write_text(text_, encoding="utf-8")
        return path

    return write


@pytest.fixture
def import_content(cli) -> Callable[[Path, str], Any]:
    """``clinicjournal content import PATH --site SLUG``, asserting success."""

    def run(path: Path, site: str):
        result = cli("content", "import", path, "--site", site)
        assert result.exit_code == 0, result.output
        return result

    return run


@pytest.fixture
def publish(write_article, import_content, tmp_path) -> Callable[..., list[Path]]:
    """``publish("alpha", {"slug": "a", ...}, {"slug": "b", "body": ...})``: write the
    articles into a fresh folder and import it into the site with the real CLI."""
    batches = iter(range(1_000_000))

    def run(site: str, *docs: dict) -> list[Path]:
        folder = tmp_path / f"publish-{next(batches)}"
        paths = [write_article(folder, **doc) for doc in docs]
        import_content(folder, site)
        return paths

    return run


# -- HTML --------------------------------------------------------------------------

@pytest.fixture
def get_page(client) -> Callable[..., Node]:
    """``get_page("alpha.localhost", "/en/")`` → parsed document, after checking the status.

    The parsed document has ``.response`` and ``.url`` (absolute, for urljoin).
    """

    def get(host: str, path: str, status: int = 200, **kwargs) -> Node:
        # buffered: the app's iterator (e.g. a WhiteNoise file) is closed right away
        response = client.get(path, headers={"Host": host, **kwargs.pop("headers", {})}, buffered=True, **kwargs)
        assert response.status_code == status, (path, response.status_code, response.get_data(as_text=True)[:2000])
        doc = parse_html(response.get_data(as_text=True))
        doc.response = response
        doc.url = f"http://{host}{path}"
        return doc

    return get


@pytest.fixture
def html():
    """The HTML helpers: ``html.parse(markup)``, ``html.local_path(doc, href)``."""
    return SimpleNamespace(parse=parse_html, local_path=local_path)


@pytest.fixture
def postgres_url() -> str:
    """For tests marked ``postgres`` outside the backend parameter: skip (or fail in CI)."""
    return require_postgres_url()


# -- real servers and a real browser ---------------------------------------------------


@contextmanager
def serve(app, name: str = "test-server", quiet: bool = False) -> Iterator[int]:
    """Serve ``app`` over HTTP on 127.0.0.1 at a free port, in a thread; yields the port."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs) -> None:
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True,
                         request_handler=Quiet if quiet else WSGIRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def demo_app(folder: Path, sqlite_template: Path, static_build_dir: Path):
    """An app on a fresh SQLite copy in ``folder`` with `clinicjournal demo` loaded."""
    database = folder / "demo.sqlite"
    shutil.copyfile(sqlite_template, database)
    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": folder.name,
                      "INSTANCE_PATH": str(folder), "STATIC_BUILD_DIR": str(static_build_dir),
                      "LOCALHOST_SITES": True}, check_schema=True)
    result = app.test_cli_runner().invoke(cli_main, ["demo"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Debian Chromium per test process, driven by Playwright."""
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: what "nothing was written"
    and "a restore gives back the same" are compared against."""
    from sqlalchemy import select

    from clinicjournal.store.models import Base

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return {table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))]
                    for table in Base.metadata.sorted_tables}
    finally:
        engine.dispose()

"""Configuration: defaults → instance/config.py → CLINICJOURNAL_* environment; the secret key;
the schema check and ``clinicjournal db upgrade``."""

from __future__ import annotations

import gc
import stat
import warnings

import pytest
from click.testing import CliRunner
from conftest import dispose
from sqlalchemy import event, select
from sqlalchemy.pool import Pool

from clinicjournal import config as cj_config
from clinicjournal import create_app
from clinicjournal.cli import main as cli_main
from clinicjournal.store import db
from clinicjournal.store.db import SchemaOutOfDate
from clinicjournal.store.models import Site


@pytest.fixture
def clean_env(monkeypatch, tmp_path, static_build_dir):
    """No CLINICJOURNAL_* settings from the outside world; cwd in a tmp folder."""
    import os

    for name in list(os.environ):
        if name.startswith("CLINICJOURNAL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CLINICJOURNAL_STATIC_BUILD_DIR", str(static_build_dir))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(config: dict, **kwargs) -> str:
    """create_app(...) must raise SchemaOutOfDate; return its message.

    The half-built app's connection pool is collected here with ResourceWarning
    silenced, so it cannot surface in a later test (test_refused_start_leaves_no_open_connection
    checks that no connection is left open in the first place).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            create_app(config, **kwargs)
        except SchemaOutOfDate as exc:
            message = str(exc)
        else:
            pytest.fail("create_app accepted a database behind the migrations")
        gc.collect()
    return message


@pytest.fixture
def apps():
    made = []
    yield made
    for app in made:
        dispose(app)


def test_secret_key_is_generated_private_and_reused(clean_env, apps):
    instance = clean_env / "inst"
    # SQLite: one host, so the key may be made here (a shared database needs it configured)
    config = {"DATABASE_URL": f"sqlite:///{clean_env / 'one-host.sqlite'}", "INSTANCE_PATH": str(instance),
              "CHECK_SCHEMA": False}

    first = create_app(dict(config))
    apps.append(first)
    key_file = instance / cj_config.SECRET_FILE
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 32

    second = create_app(dict(config))
    apps.append(second)
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_a_shared_database_needs_the_secret_configured_not_made_per_host(clean_env, apps):
    from clinicjournal.store.startup import StartupError

    url = "postgresql+psycopg://nobody@127.0.0.1:1/journal"  # never connected to: refused before
    with pytest.raises(StartupError, match="same random value on every host"):
        create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(clean_env / "second-host")})
    assert not (clean_env / "second-host" / cj_config.SECRET_FILE).exists()
    # A single host that already has its key file (made before this rule) keeps using it.
    (clean_env / "first-host").mkdir()
    (clean_env / "first-host" / cj_config.SECRET_FILE).write_text("kept-key\n")
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(clean_env / "first-host"), "CHECK_SCHEMA": False})
    apps.append(app)
    assert app.config["SECRET_KEY"] == "kept-key"


def test_secret_key_differs_between_instances(clean_env, apps):
    keys = []
    for name in ("one", "two"):
        app = create_app({"DATABASE_URL": f"sqlite:///{clean_env / name}.sqlite", "INSTANCE_PATH": str(clean_env / name),
                          "CHECK_SCHEMA": False})
        apps.append(app)
        keys.append(app.config["SECRET_KEY"])
    assert keys[0] != keys[1]


def test_environment_is_honoured_without_test_config(clean_env, monkeypatch, apps, database_url):
    instance = clean_env / "from-env"
    monkeypatch.setenv("CLINICJOURNAL_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("CLINICJOURNAL_DATABASE_URL", database_url)
    monkeypatch.setenv("CLINICJOURNAL_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("CLINICJOURNAL_LOCALHOST_SITES", "true")  # the site is asked for as envsite.localhost

    app = create_app()
    apps.append(app)

    assert app.instance_path == str(instance.resolve())
    assert app.config["DATABASE_URL"] == database_url
    assert app.extensions["clinicjournal"].engine.url.render_as_string(hide_password=False) == db.normal_url(database_url)
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (instance / cj_config.SECRET_FILE).exists()  # a given key is not replaced by a file

    # The app really talks to that database: a site created there is served.
    with app.app_context():
        from clinicjournal.store import manage

        sess = db.session()
        manage.create_site(sess, "envsite", "Env Clinic", ["en"])
        sess.commit()
    response = app.test_client().get("/en/", headers={"Host": "envsite.localhost"})
    assert response.status_code == 200
    assert "Env Clinic" in response.get_data(as_text=True)


def test_defaults_then_instance_file_then_environment(clean_env, monkeypatch, apps, database_url):
    instance = clean_env / "layered"
    instance.mkdir()
    monkeypatch.setenv("CLINICJOURNAL_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("CLINICJOURNAL_DATABASE_URL", database_url)
    monkeypatch.setenv("CLINICJOURNAL_SECRET_KEY", "layered")

    app = create_app()
    apps.append(app)
    assert app.config["PER_PAGE"] == cj_config.DEFAULTS["PER_PAGE"]

    (instance / "config.py").write_text(f"PER_PAGE = {cj_config.DEFAULTS['PER_PAGE'] + 3}\n"
                                        "DEFAULT_SITE = 'from-file'\n")
    app = create_app()
    apps.append(app)
    assert app.config["PER_PAGE"] == cj_config.DEFAULTS["PER_PAGE"] + 3
    assert app.config["DEFAULT_SITE"] == "from-file"

    monkeypatch.setenv("CLINICJOURNAL_PER_PAGE", str(cj_config.DEFAULTS["PER_PAGE"] + 7))
    app = create_app()
    apps.append(app)
    assert app.config["PER_PAGE"] == cj_config.DEFAULTS["PER_PAGE"] + 7
    assert app.config["DEFAULT_SITE"] == "from-file"


def test_default_database_is_sqlite_in_the_instance_folder(clean_env, monkeypatch, apps):
    # cwd/instance is the default instance folder.
    app = create_app(check_schema=False)
    apps.append(app)
    instance = clean_env / "instance"
    assert app.instance_path == str(instance.resolve())
    expected = instance.resolve() / "clinicjournal.sqlite"
    assert app.config["DATABASE_URL"] == f"sqlite:///{expected}"

    result = app.test_cli_runner().invoke(cli_main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert expected.is_file()
    assert (instance / cj_config.SECRET_FILE).is_file()


def test_test_config_ignores_instance_file_and_environment(clean_env, monkeypatch, apps, database_url):
    instance = clean_env / "isolated"
    instance.mkdir()
    (instance / "config.py").write_text("PER_PAGE = 99\n")
    monkeypatch.setenv("CLINICJOURNAL_PER_PAGE", "98")
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "x"})
    apps.append(app)
    assert app.config["PER_PAGE"] == cj_config.DEFAULTS["PER_PAGE"]


# -- schema ---------------------------------------------------------------------------------


def test_unmigrated_database_is_refused_with_the_fix(databases, app_config, apps):
    url = databases.new(migrated=False)
    message = refused({**app_config, "DATABASE_URL": url}, check_schema=True)
    assert "clinicjournal db upgrade" in message

    # The same database is fine for the commands that fix it.
    app = create_app({**app_config, "DATABASE_URL": url}, check_schema=False)
    apps.append(app)
    current, head = db.schema_status(app.extensions["clinicjournal"].engine)
    assert current is None and head


def test_check_schema_setting_is_the_default(databases, app_config, apps):
    url = databases.new(migrated=False)
    refused({**app_config, "DATABASE_URL": url, "CHECK_SCHEMA": True})
    app = create_app({**app_config, "DATABASE_URL": url, "CHECK_SCHEMA": False})
    apps.append(app)


def test_db_upgrade_command_migrates_then_the_server_starts(databases, app_config, apps, monkeypatch):
    monkeypatch.setenv("COLUMNS", "240")
    url = databases.new(migrated=False)
    app = create_app({**app_config, "DATABASE_URL": url}, check_schema=False)
    apps.append(app)
    runner = app.test_cli_runner()

    status = runner.invoke(cli_main, ["db", "status"])
    assert status.exit_code == 0, status.output
    assert "clinicjournal db upgrade" in status.output

    result = runner.invoke(cli_main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    current, head = db.schema_status(app.extensions["clinicjournal"].engine)
    assert current == head
    assert head in result.output

    served = create_app({**app_config, "DATABASE_URL": url}, check_schema=True)
    apps.append(served)
    with served.app_context():
        assert db.session().scalars(select(Site)).all() == []

    again = runner.invoke(cli_main, ["db", "upgrade"])
    assert again.exit_code == 0, again.output


def test_run_command_says_the_schema_is_old_and_exits(databases, clean_env, monkeypatch):
    url = databases.new(migrated=False)
    monkeypatch.setenv("CLINICJOURNAL_DATABASE_URL", url)
    monkeypatch.setenv("CLINICJOURNAL_INSTANCE_PATH", str(clean_env / "inst"))
    monkeypatch.setenv("CLINICJOURNAL_SECRET_KEY", "x")

    def no_server(*args, **kwargs):  # werkzeug's, not ours: never start a real server here
        raise AssertionError("the server was started against an old schema")

    monkeypatch.setattr("flask.cli.run_simple", no_server)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        result = CliRunner().invoke(cli_main, ["run"])
        result.exc_info = result.exception = None
        gc.collect()
    assert result.exit_code != 0
    assert "clinicjournal db upgrade" in result.output
    assert "Traceback" not in result.output


def test_refused_start_leaves_no_open_connection(databases, app_config):
    url = databases.new(migrated=False)
    opened, closed = [], []

    def on_connect(dbapi_conn, _record):
        opened.append(id(dbapi_conn))

    def on_close(dbapi_conn, _record):
        closed.append(id(dbapi_conn))

    event.listen(Pool, "connect", on_connect)
    event.listen(Pool, "close", on_close)
    try:
        message = refused_keeping_garbage({**app_config, "DATABASE_URL": url}, check_schema=True)
        still_open = set(opened) - set(closed)
    finally:
        event.remove(Pool, "connect", on_connect)
        event.remove(Pool, "close", on_close)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
    assert "clinicjournal db upgrade" in message
    assert opened, "the schema check did not connect at all"
    assert not still_open


def refused_keeping_garbage(config: dict, **kwargs) -> str:
    try:
        create_app(config, **kwargs)
    except SchemaOutOfDate as exc:
        return str(exc)
    pytest.fail("create_app accepted a database behind the migrations")


def test_the_code_head_is_alembics_head():
    """The server finds the newest migration without Alembic: the same one Alembic finds."""
    from alembic.script import ScriptDirectory

    db.code_head.cache_clear()
    assert db.code_head() == ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_current_head()


def test_a_served_app_does_not_load_alembic(databases, tmp_path, static_build_dir):
    """Alembic, Mako and Pygments would stay in every worker's memory (~11 MB) for the start-up check."""
    import subprocess
    import sys

    url = databases.new(migrated=True)
    script = ("import sys; from clinicjournal import create_app; "
              f"create_app({{'DATABASE_URL': {url!r}, 'INSTANCE_PATH': {str(tmp_path)!r}, "
              f"'STATIC_BUILD_DIR': {str(static_build_dir)!r}, 'SECRET_KEY': 'x'}}, check_schema=True); "
              "print(sorted(m for m in ('alembic', 'mako', 'pygments') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"

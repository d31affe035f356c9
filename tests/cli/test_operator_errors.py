"""What an operator sees when configuration or database state is wrong: one
sentence that says what is wrong and what fixes it, a non-zero exit, and never
a traceback — from the CLI and from gunicorn workers alike.

Each case runs the installed ``clinicjournal`` command in a fresh folder, as an
operator would, with only CLINICJOURNAL_* variables of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from clinicjournal.store.db import code_head
from conftest import require_postgres_url

BIN = Path(sys.executable).parent
UNREACHABLE_PG = "postgresql+psycopg://nobody:hunter2@127.0.0.1:1/journal"


def operator(tmp_path, *args: str, env: dict[str, str] | None = None, tool: str = "clinicjournal",
             timeout: float = 60) -> subprocess.CompletedProcess:
    # COLUMNS too: output goes to a pipe, as when an operator pipes it to grep or a file.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CLINICJOURNAL_", "FLASK_")) and k != "COLUMNS"}
    clean.setdefault("CLINICJOURNAL_INSTANCE_PATH", str(tmp_path / "instance"))
    clean.update(env or {})
    return subprocess.run([str(BIN / tool), *args], cwd=tmp_path, env=clean, capture_output=True, text=True,
                          timeout=timeout)


def assert_sentence(result: subprocess.CompletedProcess, *needles: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    for needle in needles:
        assert needle in output, output


def not_a_folder(tmp_path) -> str:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return str(blocker / "instance")


CASES = [
    pytest.param(["site", "list"], {}, ["revision none (empty database)", "clinicjournal db upgrade"],
                 id="never-upgraded"),
    pytest.param(["content", "status", "--site", "x"], {}, ["clinicjournal db upgrade"], id="never-upgraded-content"),
    pytest.param(["user", "list"], {"CLINICJOURNAL_DATABASE_URL": "mysqlx://a/b", "CLINICJOURNAL_SECRET_KEY": "k"},
                 ["'mysqlx://a/b' is not a database URL", "postgresql+psycopg://"], id="unknown-url-scheme"),
    pytest.param(["site", "list"], {"CLINICJOURNAL_DATABASE_URL": UNREACHABLE_PG, "CLINICJOURNAL_SECRET_KEY": "k"},
                 ["cannot be reached", "DATABASE_URL is right"], id="unreachable-postgresql"),
    pytest.param(["db", "status"], {"CLINICJOURNAL_DATABASE_URL": UNREACHABLE_PG, "CLINICJOURNAL_SECRET_KEY": "k"},
                 ["cannot be reached"], id="unreachable-postgresql-db-status"),
    pytest.param(["site", "list"], {"CLINICJOURNAL_CACHE_TYPE": "redsi"},
                 ["CACHE_TYPE must be simple, redis or null, not 'redsi'", "CLINICJOURNAL_CACHE_TYPE"],
                 id="bad-cache-type"),
    pytest.param(["site", "list"], {"CLINICJOURNAL_INSTANCE_PATH": not_a_folder},
                 ["cannot be written to", "CLINICJOURNAL_INSTANCE_PATH"], id="unwritable-instance-folder"),
    pytest.param(["db", "status"], {"CLINICJOURNAL_DATABASE_URL": UNREACHABLE_PG},
                 ["CLINICJOURNAL_SECRET_KEY is not set", "same random value on every host"],
                 id="second-host-without-the-shared-secret"),
]


@pytest.mark.parametrize("args, env, needles", CASES)
def test_cli_says_what_is_wrong_and_what_fixes_it(tmp_path, args, env, needles):
    env = {k: v(tmp_path) if callable(v) else v for k, v in env.items()}
    result = operator(tmp_path, *args, env=env)
    assert_sentence(result, *needles)
    assert "hunter2" not in result.stdout + result.stderr, "a password in a message"


def test_a_schema_behind_the_code_is_named_with_its_revision(tmp_path):
    assert operator(tmp_path, "db", "upgrade", "0007").returncode == 0
    result = operator(tmp_path, "site", "list")
    assert_sentence(result, "is at revision 0007", f"needs {code_head()}", "clinicjournal db upgrade")


def test_a_table_the_code_expects_but_the_database_lacks_is_a_sentence(tmp_path):
    """A database changed behind the migrations' back (a table dropped by hand): the
    command that trips over it says to upgrade instead of printing SQL errors."""
    assert operator(tmp_path, "db", "upgrade").returncode == 0
    import sqlite3

    with sqlite3.connect(tmp_path / "instance" / "clinicjournal.sqlite") as conn:
        conn.execute("ALTER TABLE site RENAME TO site_renamed_by_hand")
    result = operator(tmp_path, "site", "list")
    assert_sentence(result, "does not match this version of clinicjournal", "clinicjournal db upgrade")


def test_commands_that_need_no_current_schema_still_run(tmp_path):
    result = operator(tmp_path, "db", "status")
    assert result.returncode == 0 and "run `clinicjournal db upgrade`" in result.stdout, result.stderr
    assert operator(tmp_path, "--version").stdout.strip().startswith("clinicjournal ")
    history = operator(tmp_path, "db", "history")
    assert history.returncode == 0 and "0001" in history.stdout and code_head() in history.stdout, history.stderr


def test_help_lists_commands_even_when_the_configuration_is_broken(tmp_path):
    result = operator(tmp_path, "--help", env={"CLINICJOURNAL_CACHE_TYPE": "redsi"})
    assert "Traceback" not in result.stderr
    assert "CACHE_TYPE must be" in result.stderr and "Commands:" in result.stdout
    assert " shell " not in result.stdout and " routes " not in result.stdout and "--app" not in result.stdout


def test_a_dotenv_file_in_the_current_folder_configures_the_command(tmp_path):
    (tmp_path / ".env").write_text(f"CLINICJOURNAL_INSTANCE_PATH={tmp_path / 'from-dotenv'}\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CLINICJOURNAL_", "FLASK_"))}
    result = subprocess.run([str(BIN / "clinicjournal"), "db", "upgrade"], cwd=tmp_path, env=clean,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-dotenv" / "clinicjournal.sqlite").is_file()


@pytest.mark.parametrize("setup, needles", [
    pytest.param([], ["revision none (empty database)", "clinicjournal db upgrade"], id="never-upgraded"),
    pytest.param(["db", "upgrade", "0007"], ["is at revision 0007", "clinicjournal db upgrade"], id="behind"),
])
def test_gunicorn_stops_with_the_sentence_and_no_traceback(tmp_path, setup, needles):
    if setup:
        assert operator(tmp_path, *setup).returncode == 0
    result = operator(tmp_path, "--workers", "1", "--bind", "127.0.0.1:0", "--no-control-socket",
                      "clinicjournal.wsgi:application", tool="gunicorn", timeout=60)
    assert_sentence(result, *needles)


@pytest.mark.postgres
def test_a_postgres_url_without_a_driver_name_uses_psycopg(tmp_path):
    url = "postgres://" + require_postgres_url().split("://", 1)[1]
    result = operator(tmp_path, "db", "status", env={"CLINICJOURNAL_DATABASE_URL": url,
                                                      "CLINICJOURNAL_SECRET_KEY": "k"})
    assert result.returncode == 0, result.stderr


def test_piped_tables_print_whole_values(tmp_path):
    host = "journal.harbourview-family-clinic-and-community-health-network.example.org"
    assert operator(tmp_path, "db", "upgrade").returncode == 0
    created = operator(tmp_path, "site", "create", "harbourview", "--name", "Harbourview Family Clinic",
                       "--locale", "en", "--host", host)
    assert created.returncode == 0, created.stderr
    listed = operator(tmp_path, "site", "list")
    row = next(line for line in listed.stdout.splitlines() if "harbourview" in line and "│" in line)
    assert host in row and "harbourview.localhost" in row and "…" not in listed.stdout


def test_user_create_checks_the_address_before_asking_for_a_password(cli):
    result = cli("user", "create", "not-an-email")
    assert result.exit_code != 0
    assert "'not-an-email' is not an e-mail address" in result.output
    assert "Password" not in result.output

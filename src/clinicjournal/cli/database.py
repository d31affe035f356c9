"""``clinicjournal db ...``: the database schema, through Alembic's migrations."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..store import db
from .base import console, fail, main, table


@main.group("db")
def db_group() -> None:
    """Database schema (Alembic migrations): upgrade, status, history, downgrade."""


def _engine():
    return current_app.extensions["clinicjournal"].engine


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to REVISION (default: the latest)."""
    db.upgrade(current_app.config["DATABASE_URL"], revision)
    current, head = db.schema_status(_engine())
    console.print(f"Database is at revision {current} (latest: {head}).")


@db_group.command("status")
@with_appcontext
def db_status() -> None:
    """Show the database's revision and the code's."""
    current, head = db.schema_status(_engine())
    table("Schema", ["database", "code", "state"],
          [[current or "empty", head, "up to date" if current == head else "run `clinicjournal db upgrade`"]])


@db_group.command("history")
@with_appcontext
def db_history() -> None:
    """List the code's migrations, oldest first, marking the database's revision."""
    current, _head = db.schema_status(_engine())
    rows = [[rev, down or "—", what, "← database" if rev == current else ""]
            for rev, down, what in db.migration_history()]
    table("Migrations", ["revision", "after", "what it changes", ""], rows)
    if current is None:
        console.print("The database is empty: `clinicjournal db upgrade` applies every migration.")


@db_group.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def db_downgrade(revision: str, yes: bool) -> None:
    """Take the schema back to REVISION (see `db history`); data in what it removes is lost.

    For going back to an older release of clinicjournal: downgrade with the new
    release installed, then install the old one. Make a backup first.
    """
    known = {rev for rev, _down, _what in db.migration_history()} | {"base"}
    if revision not in known:
        fail(f"no migration {revision!r}; `clinicjournal db history` lists them (or use 'base' for an empty schema)")
    current, _head = db.schema_status(_engine())
    if not yes and not click.confirm(f"Downgrade the schema from {current} to {revision}? Tables and columns "
                                     "added since are dropped with their data (`clinicjournal backup` first)"):
        fail("nothing changed")
    db.downgrade(current_app.config["DATABASE_URL"], revision)
    current, head = db.schema_status(_engine())
    console.print(f"Database is at revision {current or 'base (empty)'} (latest: {head}). "
                  "Servers of the newer release refuse to start until `clinicjournal db upgrade`.")

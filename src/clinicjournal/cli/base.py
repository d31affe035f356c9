"""The ``clinicjournal`` command group and what every command module shares.

Output meant for people is aligned tables (rich); long work shows a progress
bar; every error says what to do next and exits non-zero.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from ..store import db


class _Console:
    """A rich Console made on each use, so the terminal width (or ``COLUMNS``) is
    read when a command prints, not when the module was imported."""

    def __getattr__(self, name):
        return getattr(Console(highlight=False), name)


console = _Console()


def _create_app():
    from .. import create_app
    from ..store.db import SchemaOutOfDate

    # Only a command that serves requests insists on an up-to-date schema;
    # `db upgrade` and friends must run against an old one.
    ctx = click.get_current_context(silent=True)
    serving = ctx is not None and ctx.info_name == "run"
    try:
        return create_app(check_schema=serving)
    except SchemaOutOfDate as exc:
        raise click.ClickException(str(exc)) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """clinicjournal: multi-site journal server for health clinics."""


def fail(message: str) -> None:
    raise click.ClickException(message)


def table(title: str, columns: list[str], rows: list[list]) -> None:
    t = Table(title=title, title_justify="left", header_style="bold")
    for col in columns:
        t.add_column(col)
    for row in rows:
        # Cells hold people's text (site names, errors): never read it as markup.
        t.add_row(*("" if v is None else escape(str(v)) for v in row))
    console.print(t)


def progress() -> Progress:
    return Progress(console=Console(highlight=False), transient=False)


def session():
    return db.session()


# -- db ---------------------------------------------------------------------------

@main.group("db")
def db_group() -> None:
    """Database schema (Alembic migrations)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to REVISION (default: the latest)."""
    url = current_app.config["DATABASE_URL"]
    db.upgrade(url, revision)
    current, head = db.schema_status(current_app.extensions["clinicjournal"].engine)
    console.print(f"Database is at revision {current} (latest: {head}).")


@db_group.command("status")
@with_appcontext
def db_status() -> None:
    """Show the database's revision and the code's."""
    current, head = db.schema_status(current_app.extensions["clinicjournal"].engine)
    table("Schema", ["database", "code", "state"],
          [[current or "empty", head, "up to date" if current == head else "run `clinicjournal db upgrade`"]])


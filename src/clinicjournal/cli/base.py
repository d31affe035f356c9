"""The ``clinicjournal`` command group and what every command module shares.

Output meant for people is aligned tables (rich); long work shows a progress
bar; every error says what to do next and exits non-zero.
"""

from __future__ import annotations

import os
import sys

import click
from flask.cli import FlaskGroup, ScriptInfo
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from .. import __version__
from ..store import db
from ..store.startup import StartupError


def _make_console() -> Console:
    # Piped or redirected (no terminal, no COLUMNS): print whole values, never
    # cut at rich's default 80 columns ("harbourview.local…").
    if "COLUMNS" in os.environ or sys.stdout.isatty():
        return Console(highlight=False)
    return Console(highlight=False, width=100_000)


class _Console:
    """A rich Console made on each use, so the terminal width (or ``COLUMNS``) is
    read when a command prints, not when the module was imported."""

    def __getattr__(self, name):
        return getattr(_make_console(), name)


console = _Console()

#: Commands that must work on a database whose schema is not the code's (or
#: that need no database): everything else checks it first and says to run
#: `clinicjournal db upgrade` instead of failing on a missing table.
ANY_SCHEMA = {"db", "demo", "backup", "restore", "translate"}

#: Commands that serve (or set up) development: they switch LOCALHOST_SITES on, so
#: http://<slug>.localhost:5000/ reaches each site as their output says, and
#: OPERATOR_HINTS, so the unknown-host page says how to connect a host.
LOCALHOST_COMMANDS = {"run", "demo"}


def _create_app():
    from .. import create_app

    ctx = click.get_current_context(silent=True)
    path = ctx.command_path.split()[1:] if ctx is not None else []
    check = bool(path) and path[0] not in ANY_SCHEMA
    try:
        app = create_app(check_schema=check)
    except StartupError as exc:
        raise click.ClickException(str(exc)) from None
    if path and path[0] in LOCALHOST_COMMANDS:
        app.config["LOCALHOST_SITES"] = True
        app.config["OPERATOR_HINTS"] = True
    return app


def _database_problem(exc: SQLAlchemyError) -> str:
    """A sentence for a database error that reached a command."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    lowered = detail.lower()
    if "no such table" in lowered or "no such column" in lowered or "does not exist" in lowered \
            or "undefined" in lowered:
        return (f"the database schema does not match this version of clinicjournal ({detail}). "
                "Run `clinicjournal db upgrade`, then run the command again.")
    return db.describe_write_error(exc)


class _ClinicJournalGroup(FlaskGroup):
    """Flask's CLI group, with sentences instead of tracebacks for configuration
    and database problems (also while listing commands for --help)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except StartupError as exc:
            raise click.ClickException(str(exc)) from None
        except SQLAlchemyError as exc:
            raise click.ClickException(_database_problem(exc)) from None

    def _app_commands(self, ctx, look_up):
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except click.ClickException as exc:
            click.secho(f"Error: {exc.format_message()}\n", err=True, fg="red")
            return None
        return look_up(app)

    def list_commands(self, ctx):
        self._load_plugin_commands()
        names = set(click.Group.list_commands(self, ctx))
        names.update(self._app_commands(ctx, lambda app: app.cli.list_commands(ctx)) or ())
        return sorted(names)

    def get_command(self, ctx, name):
        self._load_plugin_commands()
        found = click.Group.get_command(self, ctx, name)
        if found is not None:
            return found
        return self._app_commands(ctx, lambda app: app.cli.get_command(ctx, name))


@click.group(cls=_ClinicJournalGroup, create_app=_create_app, add_version_option=False)
@click.version_option(__version__, "--version", prog_name="clinicjournal", message="%(prog)s %(version)s")
def main() -> None:
    """clinicjournal: multi-site journal server for health clinics.

    Settings come from instance/config.py, CLINICJOURNAL_* environment
    variables and a .env file in the current folder (or --env-file).
    """


# Flask's developer tools stay available but out of an operator's help.
for _param in main.params:
    if _param.name in ("app", "debug"):
        _param.hidden = True
for _name in ("shell", "routes"):
    main.commands[_name].hidden = True


def fail(message: str) -> None:
    raise click.ClickException(message)


def table(title: str, columns: list[str], rows: list[list]) -> None:
    t = Table(title=title, title_justify="left", header_style="bold")
    for col in columns:
        t.add_column(col, overflow="fold")  # a long host name wraps; it is never cut
    for row in rows:
        # Cells hold people's text (site names, errors): never read it as markup.
        t.add_row(*("" if v is None else escape(str(v)) for v in row))
    console.print(t)


def progress() -> Progress:
    return Progress(console=_make_console(), transient=False)


def session():
    return db.session()

"""``clinicjournal translate export | grant | revoke``: the browser edits
(:mod:`clinicjournal.i18n.layer`) and the developers' files meeting.

``export`` writes a catalog with the browser edits applied, so they can be
committed upstream; ``grant`` lets an account edit the shared catalogs of a
language in the browser (a network admin's decision, made by an operator).
(``translate update`` marks a browser edit whose source changed as fuzzy, never
dropping it: see translate.py.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from rich.markup import escape

from ..admin import accounts, catalog_grants
from ..i18n.transfer import export
from ..store import manage
from .base import console, fail, session
from .catalog_files import plugin_target
from .translate import translate_group


@translate_group.command("export")
@click.argument("locale")
@click.option("--plugin", "plugin", metavar="NAME", default="core", show_default=True,
              help="The catalog: 'core' or a plugin's name.")
@click.option("--site", "site_slug", metavar="SLUG", help="Also apply this site's own wording.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (default: standard output). Use the catalog's own .po to commit the edits.")
@with_appcontext
def export_cmd(locale: str, plugin: str, site_slug: str | None, output: Path | None) -> None:
    """Write LOCALE's .po of a catalog with the translations edited in the browser applied."""
    target = plugin_target(plugin)
    sess = session()
    site_id = None
    if site_slug:
        try:
            site_id = manage.get_site(sess, site_slug).id
        except manage.ConfigError as exc:
            fail(str(exc))
    data = export(target.directory, sess, target.name, locale, site_id)
    if output is None:
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    console.print(f"Wrote {escape(str(output))} ({target.name}, {locale}).")


def _account(sess, email: str):
    try:
        return accounts.get_user(sess, email)
    except accounts.AccountError as exc:
        fail(str(exc))


@translate_group.command("grant")
@click.argument("email")
@click.argument("locale")
@with_appcontext
def grant_cmd(email: str, locale: str) -> None:
    """Let EMAIL edit the shared (install-wide) catalogs of LOCALE in the browser."""
    sess = session()
    user = _account(sess, email)
    offered = catalog_grants.shared_locales()
    if locale not in offered:
        fail(f"There is no shared {locale!r} catalog: the languages are {', '.join(offered)}. "
             "Check the code (e.g. de, not de-DE), or add the language first (docs/translators.md).")
    catalog_grants.grant(sess, user, locale, None)
    sess.commit()
    console.print(f"{escape(user.email)} may now edit the shared {escape(locale)} translations.")


@translate_group.command("revoke")
@click.argument("email")
@click.argument("locale")
@with_appcontext
def revoke_cmd(email: str, locale: str) -> None:
    """Take back ``grant``."""
    sess = session()
    user = _account(sess, email)
    catalog_grants.revoke(sess, user, locale, None)
    sess.commit()
    console.print(f"{escape(user.email)} no longer edits the shared {escape(locale)} translations.")


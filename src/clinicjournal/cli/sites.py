"""``clinicjournal site ...`` and ``clinicjournal demo``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.markup import escape
from sqlalchemy import select

from ..store import audit
from ..store.hosts import normalise_host
from ..store.manage import (
    ConfigError,
    add_host,
    add_locale,
    create_site,
    get_site,
    remove_host,
    remove_locale,
    rename_site,
)
from ..store.models import Site
from .base import console, fail, main, session, table


@main.group("site")
def site_group() -> None:
    """Clinic sites: create, list and rename them, add and remove host names and languages."""


def changed(slug: str, change):
    """``(session, site, result)`` of ``change(session, site)`` on the site SLUG, not yet
    committed; a refusal (no such site, bad input) ends the command with its reason."""
    sess = session()
    try:
        site = get_site(sess, slug)
        return sess, site, change(sess, site)
    except ConfigError as exc:
        fail(str(exc))


@site_group.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The clinic's name as readers see it.")
@click.option("--locale", "locales", multiple=True, required=True,
              help="A language the site publishes in; repeat for more. The first is the default.")
@click.option("--host", "hosts", multiple=True, help="A host name that reaches the site; repeatable.")
@click.option("--primary", help="Main colour, like #1f5f8b.")
@click.option("--accent", help="Accent colour, like #2f8f6f.")
@with_appcontext
def site_create(slug, name, locales, hosts, primary, accent) -> None:
    """Create the site SLUG. It is also reachable at SLUG.localhost for development."""
    sess = session()
    appearance = {k: v for k, v in {"primary": primary, "accent": accent}.items() if v}
    try:
        site = create_site(sess, slug, name, list(locales), list(hosts), appearance)
    except ConfigError as exc:
        fail(str(exc))
    audit.record(sess, audit.CLI, "site.created", site=site, target=slug, name=name, locales=list(locales),
                 hosts=list(hosts))
    sess.commit()
    console.print(f"Created site [bold]{slug}[/] ({', '.join(locales)}). "
                  f"Try http://{slug}.localhost:5000/ after `clinicjournal run`.")


@site_group.command("list")
@with_appcontext
def site_list() -> None:
    """List every site with its languages and host names."""
    sites = session().scalars(select(Site).order_by(Site.slug)).all()
    if not sites:
        console.print("No sites yet. Create one with `clinicjournal site create SLUG --name NAME "
                      "--locale en`, or load the demo with `clinicjournal demo`.")
        return
    table("Sites", ["slug", "name", "default", "locales", "hosts"],
          [[s.slug, s.name, s.default_locale, ", ".join(s.locales),
            ", ".join([h.name for h in s.hosts] + [f"{s.slug}.localhost"])] for s in sites])


@site_group.command("add-host")
@click.argument("slug")
@click.argument("host")
@with_appcontext
def site_add_host(slug: str, host: str) -> None:
    """Make HOST (e.g. journal.example.org) reach the site SLUG."""
    sess, site, row = changed(slug, lambda sess, site: add_host(sess, site, host))
    audit.record(sess, audit.CLI, "site.host_added", site=site, target=row.name)
    sess.commit()
    console.print(f"{host} now reaches site {slug}.")


@site_group.command("add-locale")
@click.argument("slug")
@click.argument("locale")
@with_appcontext
def site_add_locale(slug: str, locale: str) -> None:
    """Let the site SLUG publish in LOCALE too."""
    sess, site, _ = changed(slug, lambda sess, site: add_locale(sess, site, locale))
    audit.record(sess, audit.CLI, "site.locale_added", site=site, target=locale)
    sess.commit()
    console.print(f"Site {slug} now serves {locale}.")


@site_group.command("remove-host")
@click.argument("slug")
@click.argument("host")
@with_appcontext
def site_remove_host(slug: str, host: str) -> None:
    """Stop HOST from reaching the site SLUG (SLUG.localhost always stays)."""
    sess, site, _ = changed(slug, lambda sess, site: remove_host(sess, site, host))
    name = normalise_host(host)
    audit.record(sess, audit.CLI, "site.host_removed", site=site, target=name)
    sess.commit()
    console.print(f"{name} no longer reaches site {slug}.")


@site_group.command("rename")
@click.argument("slug")
@click.argument("new_name")
@click.option("--slug", "new_slug", help="A new slug too: the site then answers at NEW_SLUG.localhost "
                                         "and its admin moves to /admin/NEW_SLUG/.")
@with_appcontext
def site_rename(slug: str, new_name: str, new_slug: str | None) -> None:
    """Give the site SLUG the display name NEW_NAME (and, with --slug, a new slug)."""
    old_name = None

    def rename(sess, site):
        nonlocal old_name
        old_name = site.name
        rename_site(sess, site, new_name, new_slug)

    sess, site, _ = changed(slug, rename)
    audit.record(sess, audit.CLI, "site.renamed", site=site, target=site.slug, old_slug=slug, old_name=old_name,
                 name=site.name)
    sess.commit()
    if site.slug != slug:
        console.print(f"Site {slug} is now {site.slug} ({escape(site.name)}); try http://{site.slug}.localhost:5000/ "
                      f"({slug}.localhost no longer reaches it).")
    else:
        console.print(f"Site {slug} is now called {escape(site.name)}.")


@site_group.command("remove-locale")
@click.argument("slug")
@click.argument("locale")
@with_appcontext
def site_remove_locale(slug: str, locale: str) -> None:
    """Stop the site SLUG publishing in LOCALE (refused while articles use it)."""
    sess, site, _ = changed(slug, lambda sess, site: remove_locale(sess, site, locale))
    audit.record(sess, audit.CLI, "site.locale_removed", site=site, target=locale)
    sess.commit()
    console.print(f"Site {slug} no longer serves {locale}.")


@main.command("demo")
@click.option("--serve", is_flag=True, help="Start the development server afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo(serve: bool, host: str, port: int) -> None:
    """Create the demo clinic sites with their articles (safe to run again)."""
    from .demo import load_demo

    sites = load_demo(current_app)
    console.print("\nThe demo sites are ready:")
    table("Open in a browser", ["site", "URL"],
          [[name, f"http://{slug}.localhost:{port}/"] for slug, name in sites])
    console.print(f"With curl: curl -H 'Host: {sites[0][0]}.localhost' http://127.0.0.1:{port}/en/")
    if serve:
        from werkzeug.serving import run_simple

        from ..store import db

        db.check_schema(current_app.extensions["clinicjournal"].engine)
        console.print("Serving; press Ctrl+C to stop. For production use gunicorn (see README).")
        run_simple(host, port, current_app._get_current_object(), threaded=True)

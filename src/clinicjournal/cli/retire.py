"""``content archive``, ``content delete`` and ``site delete``: retiring what
readers see, with the same rules as the admin (live articles are not deleted;
deleting asks for the slug to be typed) and an audit event for each."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from rich.markup import escape
from sqlalchemy import select

from ..content import retiring
from ..store import audit, removal
from ..store.manage import ConfigError, get_site
from ..store.models import Article
from .base import console, fail, session, table
from .content import content_group
from .sites import site_group


def _confirmed(slug: str, given: str | None, what: str) -> None:
    """The operator typed ``slug`` (``--confirm`` or at the prompt), or the command ends."""
    if given is None:
        if not sys.stdin.isatty():
            fail(f"Deleting {what} cannot be undone: pass --confirm {slug} to say so.")
        given = click.prompt(f"Deleting {what} cannot be undone. Type {slug} to confirm", default="",
                             show_default=False)
    if given != slug:
        fail(f"You typed {given!r}, not {slug!r}; nothing was deleted.")


def _article(sess, site_slug: str, address: str) -> tuple:
    try:
        site = get_site(sess, site_slug)
    except ConfigError as exc:
        fail(str(exc))
    locale, _, slug = address.strip("/").partition("/")
    article = sess.scalar(select(Article).where(Article.site_id == site.id, Article.locale == locale,
                                                Article.slug == slug)) if slug else None
    if article is None:
        fail(f"Site {site_slug} has no article {address!r}; give it as LOCALE/SLUG, e.g. en/flu-jabs "
             f"(`clinicjournal content status --site {site_slug}` lists them).")
    return site, article


@content_group.command("archive")
@click.argument("address", metavar="LOCALE/SLUG")
@click.option("--site", "site_slug", required=True, help="Slug of the site.")
@with_appcontext
def content_archive(address: str, site_slug: str) -> None:
    """Take LOCALE/SLUG off the public site for good: its address answers 410 Gone."""
    sess = session()
    site, article = _article(sess, site_slug, address)
    if article.status == retiring.ARCHIVED:
        fail(f"{address} is archived already.")
    retiring.archive(sess, article)
    audit.record(sess, audit.CLI, "article.archived", site=site, target=f"{article.locale}/{article.slug}")
    sess.commit()
    console.print(f"Archived {address}: readers following a link to it are told it was withdrawn.")


@content_group.command("delete")
@click.argument("address", metavar="LOCALE/SLUG")
@click.option("--site", "site_slug", required=True, help="Slug of the site.")
@click.option("--all-languages", is_flag=True, help="Delete every language version of the article.")
@click.option("--confirm", "typed", metavar="SLUG", help="The article's slug, to confirm without a prompt.")
@with_appcontext
def content_delete(address: str, site_slug: str, all_languages: bool, typed: str | None) -> None:
    """Delete LOCALE/SLUG for good, with its revisions, sources and old addresses."""
    sess = session()
    site, article = _article(sess, site_slug, address)
    doomed = retiring.language_versions(sess, article) if all_languages else [article]
    live = retiring.still_live(doomed)
    if live:
        fail(f"Readers still see {', '.join(live)}: run `clinicjournal content archive --site {site_slug} "
             f"{live[0]}` (or unpublish it in the admin) first; nothing was deleted.")
    _confirmed(article.slug, typed, f"{len(doomed)} article version(s)")
    done = retiring.delete_recorded(sess, audit.CLI, site, article, doomed)
    sess.commit()
    table(f"Deleted from {site_slug}", ["article", "revisions", "sources", "old addresses"],
          [[", ".join(done.articles), done.revisions, done.references, done.redirects]])


@site_group.command("delete")
@click.argument("slug")
@click.option("--confirm", "typed", metavar="SLUG", help="The site's slug, to confirm without a prompt.")
@with_appcontext
def site_delete(slug: str, typed: str | None) -> None:
    """Delete the site SLUG with all its articles, hosts, plugin settings and roles."""
    sess = session()
    try:
        site = get_site(sess, slug)
    except ConfigError as exc:
        fail(str(exc))
    contents = removal.contents(sess, site)
    console.print(f"Site {slug} ({escape(site.name)}): {contents.articles} article(s), {contents.revisions} "
                  f"revision(s), {contents.members} member(s). Make a backup first if you may want it back: "
                  f"`clinicjournal backup PATH`, e.g. `clinicjournal backup before-deleting-{slug}.backup`.")
    _confirmed(slug, typed, f"the site {slug}")
    name = site.name
    removal.delete_site(sess, site)
    audit.record(sess, audit.CLI, "site.deleted", target=slug, name=name, articles=contents.articles,
                 hosts=contents.hosts)
    sess.commit()
    console.print(f"Deleted the site {slug} ({escape(name)}).")

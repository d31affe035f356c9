"""``clinicjournal content ...``: import and export in the authoring format."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.markup import escape
from sqlalchemy.exc import DBAPIError

from ..content import media
from ..content.authoring import AuthoringError
from ..content.documents import (
    ImportFailed,
    check_against_site,
    export_site,
    find_files,
    import_documents,
    in_file_order,
    read_files,
)
from ..content.media_files import export_media, import_media
from ..store import audit, people
from ..store.db import describe_write_error
from ..store.manage import ConfigError, get_site
from ..web.sites import to_view
from .base import console, fail, main, progress, session, table


@main.group("content")
def content_group() -> None:
    """Articles and pages in the authoring format (Markdown with YAML front matter)."""


def known_categories(view) -> set[str]:
    """Category slugs any installed plugin offers the site (enabled there or not:
    an article keeps its category while the plugin is switched off)."""
    plugins = current_app.extensions["clinicjournal"].plugins
    slugs = set()
    for result in plugins.call("categories", None, view.slug, site=view, locale=view.default_locale):
        try:
            slugs.update(c.slug for c in result.value)
        except Exception as exc:  # a plugin's malformed answer must not stop every import
            plugins.record_failure(result.plugin, "categories", view.slug, exc)
    return slugs


def import_path(site_slug: str, path: Path, show_progress: bool = True):
    """Parse, check and import; :raise ImportFailed: with every problem, nothing written."""
    sess = session()
    site = get_site(sess, site_slug)
    files = find_files(path)
    if not files:
        raise ConfigError(f"no .md files in {path}")
    if show_progress:
        with progress() as bar:
            task = bar.add_task(f"Reading {len(files)} file(s)", total=len(files))
            parsed = read_files(files, lambda _p: bar.advance(task))
    else:
        parsed = read_files(files)
    plugins = current_app.extensions["clinicjournal"].plugins
    view = to_view(site, plugins)

    def plugin_checks(doc) -> list[str]:
        return [message for result in plugins.call("validate_article", view.enabled_plugins, site.slug,
                                                   article=doc, site=view) for message in result.value]

    # The folder's own images first: its articles may name them.
    errors = import_media(sess, site, path, current_app.config.get("MEDIA_MAX_PIXELS", 40_000_000))
    errors += [problem for item in parsed for problem in item.problems]
    errors += check_against_site(parsed, site, known_categories(view), plugin_checks,
                                 people=people.slugs(sess, site.id))
    errors += media_problems(sess, site, parsed)
    if errors:
        sess.rollback()  # nothing of the folder stays, its images neither
        raise ImportFailed(in_file_order(errors, files))
    docs = [item.doc for item in parsed]
    try:
        report = import_documents(sess, site, docs)
        if report.created or report.updated:
            audit.record(sess, audit.CLI, "content.imported", site=site, target=str(path),
                         created=report.created, updated=report.updated)
        sess.commit()
    except Exception:
        sess.rollback()
        raise
    return report


def media_problems(sess, site, parsed) -> list[AuthoringError]:
    """An image key (``image:`` or ``media:key`` in the body) the site's library lacks,
    named with its line, as an unknown citation key is."""
    errors = []
    for item in parsed:
        doc = item.doc
        if doc is None:
            continue
        for key in media.missing_keys(sess, site.id, doc.body, doc.extra):
            hero = key == media.hero_key(doc.extra)
            if hero:
                line = item.line_of(media.HERO)
            else:
                at = next((i for i, text in enumerate(doc.body.splitlines()) if f"media:{key}" in text), 0)
                line = doc.body_line + at
            errors.append(AuthoringError(media.missing_message(key), source=item.source, line=line,
                                         field=media.HERO if hero else "body"))
    return errors


def print_problems(errors) -> int:
    """Print ``errors`` (grouped by file) as ``file:line: field: message`` lines, the
    messages of one file aligned, a blank line between files; returns the number of files."""
    files = 0
    for _source, group in groupby(errors, key=lambda e: e.source):
        group = list(group)
        places = [f"{e.source}:{e.line}:" if e.line else f"{e.source}:" for e in group]
        width = max(len(place) for place in places)
        if files:
            console.print()
        files += 1
        for place, error in zip(places, group):
            what = f"{error.field}: " if error.field else ""
            # The author's own text may contain [brackets]: never read it as markup.
            console.print(f"[red]error[/] {escape(place.ljust(width))} {escape(what + error.message)}",
                          soft_wrap=True)
    return files


@content_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--site", "site_slug", required=True, help="Slug of the site to import into.")
@with_appcontext
def content_import(path: Path, site_slug: str) -> None:
    """Import PATH (one .md file, or a folder of them) into a site.

    Re-importing updates articles by (site, locale, slug). If any file has a
    problem, every problem is listed and nothing is imported.
    """
    try:
        report = import_path(site_slug, path)
    except DBAPIError as exc:  # read-only database, full disk, lock, server gone...
        fail(f"Nothing was imported: {describe_write_error(exc)} The database is unchanged.")
    except (ConfigError, FileNotFoundError) as exc:
        fail(str(exc))
    except ImportFailed as exc:
        files = print_problems(exc.errors)
        fail(f"{len(exc.errors)} problem(s) found in {files} file(s); nothing was imported. Fix the files "
             "and run the import again.")
    def names(labels: list[str]) -> str:
        return ", ".join(labels[:6]) + (" …" if len(labels) > 6 else "")

    table(f"Imported into {site_slug}", ["result", "count", "articles"],
          [["created", len(report.created), names(report.created)],
           ["updated", len(report.updated), names(report.updated)],
           ["waiting", len(report.waiting), names(report.waiting)],
           ["unchanged", len(report.unchanged), ""]])
    if report.waiting:
        console.print(f"{len(report.waiting)} published article(s) kept what readers see: the files' text waits "
                      "in the admin (Articles, “Changes waiting”) for a medical sign-off and publishing. A file "
                      "published with a signoff block whose hash matches its text goes live at once.")
    if report.unreviewed:
        console.print(f"[yellow]{len(report.unreviewed)} article(s) went live without a medical sign-off[/] "
                      f"({escape(names(report.unreviewed))}): readers see no “Medically reviewed” line, and the "
                      "admin lists them under Medical review → Overdue.")
    if report.signoff_dropped:
        console.print(f"[yellow]{len(report.signoff_dropped)} sign-off(s) not taken[/] "
                      f"({escape(names(report.signoff_dropped))}): the text changed after it was signed off (the "
                      "hash does not match). Have a reviewer sign off the new text in the admin.")
    if report.aliases_refused:
        console.print(f"[yellow]{len(report.aliases_refused)} old address(es) not taken[/] "
                      f"({escape(names(report.aliases_refused))}): an article of the site answers there itself. "
                      "Rename that article or drop the alias from the file.")


@content_group.command("export")
@click.option("--site", "site_slug", required=True, help="Slug of the site to export.")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def content_export(site_slug: str, folder: Path) -> None:
    """Write every article of a site into FOLDER as <locale>/<slug>.md, and its images into FOLDER/media."""
    sess = session()
    try:
        site = get_site(sess, site_slug)
    except ConfigError as exc:
        fail(str(exc))
    with progress() as bar:
        task = bar.add_task("Exporting", total=None)
        written = export_site(sess, site, folder, lambda _p: bar.advance(task))
        written += export_media(sess, site, folder)
        bar.update(task, total=len(written))
    console.print(f"Wrote {len(written)} file(s) to {folder}.")


@content_group.command("status")
@click.option("--site", "site_slug", required=True, help="Slug of the site.")
@with_appcontext
def content_status(site_slug: str) -> None:
    """Per article: languages present, missing, and translations outdated since when."""
    from ..content.translations_status import site_status
    from ..i18n import short_date_for

    sess = session()
    try:
        site = get_site(sess, site_slug)
    except ConfigError as exc:
        fail(str(exc))
    states = site_status(sess, site)
    table(f"Translations on {site_slug} (source language: {site.default_locale})",
          ["article", "present", "missing", "outdated"],
          [[s.translation_key, ", ".join(s.present), ", ".join(s.missing) or "-",
            ", ".join(f"{loc} since {short_date_for(when, 'en')} {when:%H:%M} UTC" for loc, when in s.outdated.items()) or "-"]
           for s in states])
    outdated = sum(len(s.outdated) for s in states)
    if outdated:
        console.print(f"{outdated} translation(s) are older than their {site.default_locale} original: "
                      "update them, then re-import.")

"""``clinicjournal translate ...``: the translators' workflow over the UI catalogs.

A catalog is a ``translations/`` folder: a template ``messages.pot`` (the
English strings marked in the code, written by ``extract``) and one
``<locale>/LC_MESSAGES/messages.po`` per language (started by ``init``, kept in
step with the code by ``update``, checked by ``check``). The server reads the
``.po`` files themselves (:mod:`clinicjournal.i18n.catalogs`): nothing is compiled.
The core's is at the repository root; each plugin keeps its own beside its
code, extracted from that plugin's folder only. All use the gettext domain
``messages`` and are merged at runtime (see :mod:`clinicjournal.i18n`).

Babel's Python API does the work (no ``pybabel`` subprocess). ``babel.cfg``
says which files hold strings; ``check`` lists every entry whose translation
breaks a placeholder or a plural form, naming the file, line and entry (the
server leaves exactly those entries out).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click
from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from flask.cli import with_appcontext
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from ..i18n.catalogs import plural_rule_problem
from ..i18n.checks import (
    Problem,
    check_catalog,
    count,
    is_translated,
    message_key,
    messages_of,
    placeholders,
    shown_path,
)
from ..i18n.sources import applied, edits_of
from ..i18n.transfer import mark_source_changes
from ..store import db
from .base import console, fail, main, table
from .catalog_files import (
    COPYRIGHT,
    Target,
    _po_bytes,
    _read,
    _reference_plural_forms,
    catalog_options,
    core_target,
    extract,
    installed,
    selected,
    sync_template,
    uncatalogued_plugins,
    write_if_changed,
)

FUZZY_SHOWN = 5  # per catalog file; the rest are counted


# -- commands -----------------------------------------------------------------------

@main.group("translate")
def translate_group() -> None:
    """UI translations: extract, init LOCALE, update, check, stats.

    Each works on every catalog (the core's and each plugin's) unless given
    --plugin NAME or --dir PATH. The everyday round: `translate update` after
    the code changed, translate the .po files, then `translate check` and
    `translate stats`. See docs/translators.md.
    """


@translate_group.command("extract")
@catalog_options()
@with_appcontext
def extract_cmd(plugin: str | None, all_: bool, directory: Path | None) -> None:
    """Write the template (messages.pot) from the strings marked in the code."""
    rows = []
    for target in selected(plugin, all_, directory):
        old = {message_key(m) for m in messages_of(_read(target.pot))} if target.pot.exists() else set()
        template, written = sync_template(target)
        new = {message_key(m) for m in messages_of(template)}
        rows.append([target.name, shown_path(target.pot), len(new), len(new - old), len(old - new),
                     "written" if written else "unchanged"])
    table("Templates", ["catalog", "template", "strings", "new", "removed", "file"], rows)


@translate_group.command("init")
@click.argument("locale")
@catalog_options()
@with_appcontext
def init_cmd(locale: str, plugin: str | None, all_: bool, directory: Path | None) -> None:
    """Start a catalog for a new language LOCALE (de, pt_BR, ar, ...)."""
    try:
        parsed = Locale.parse(locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        fail(f"{locale!r} is not a locale Babel knows; use a language code such as de, es, pt_BR or ar")
    name = str(parsed)
    targets = selected(plugin, all_, directory)
    rows, plural_forms = [], Catalog(locale=name).plural_forms
    for target in targets:
        po = target.po(name)
        if po.exists():
            if len(targets) == 1:
                fail(f"{shown_path(po)} already exists; to bring it up to date run `clinicjournal translate update"
                     f"{_option_text(plugin, all_, directory)}`")
            rows.append([target.name, shown_path(po), "", "already there: skipped"])
            continue
        template, _written = sync_template(target)
        catalog = Catalog(locale=name, project=target.project, version=target.version,
                          copyright_holder=COPYRIGHT, charset="utf-8", fuzzy=False,
                          language_team=f"{parsed.english_name} <LL@li.org>",
                          revision_date=datetime.now(timezone.utc))
        reference = _reference_plural_forms(target, name)
        if reference:  # the merged catalogs of one language share one plural rule
            catalog.mime_headers = [("Plural-Forms", reference)]
        catalog.update(template, no_fuzzy_matching=True)
        plural_forms = catalog.plural_forms
        write_if_changed(po, _po_bytes(catalog))
        rows.append([target.name, shown_path(po), len(messages_of(catalog)), "created"])
    table(f"New catalogs for {name} ({parsed.english_name})", ["catalog", "file", "strings", "result"], rows)
    console.print(escape(f"Plural forms: {plural_forms} — translate each msgstr[n] (see docs/translators.md)."))


def _drop_confirmed_previous(catalog: Catalog) -> None:
    """Babel reads the ``#| msgid`` lines that ``update`` writes above a fuzzy entry
    back as ordinary comments; once a translator has confirmed the entry they are
    stale, so they go. They go from the first ``| msgid`` to the end: written back
    as comments they are wrapped, so a continuation line need not start with ``|``,
    and Babel keeps a translator's own comments before them."""
    for message in messages_of(catalog):
        if message.fuzzy:
            continue
        for at, comment in enumerate(message.user_comments):
            if comment.startswith(("| msgid ", "| msgctxt ")):
                message.user_comments = message.user_comments[:at]
                break


def _option_text(plugin, all_, directory) -> str:
    return f" --plugin {plugin}" if plugin else " --all" if all_ else f" --dir {directory}" if directory else ""


@translate_group.command("update")
@catalog_options()
@click.option("--drop-obsolete", is_flag=True, help="Delete entries the code no longer uses instead of keeping "
                                                    "them as #~ comments.")
@with_appcontext
def update_cmd(plugin: str | None, all_: bool, directory: Path | None, drop_obsolete: bool) -> None:
    """Re-extract the strings and merge them into every language's .po.

    New strings arrive untranslated (or fuzzy, with a guess from a similar old
    string); strings the code dropped become obsolete.
    """
    rows = []
    for target in selected(plugin, all_, directory):
        template, _written = sync_template(target)
        locales = target.locales()
        if not locales:
            rows.append([target.name, "—", "", "", "", f"no languages yet: run `clinicjournal translate init "
                                                         f"LOCALE{_option_text(plugin, all_, directory)}`"])
        for locale in locales:
            po = target.po(locale)
            catalog = _read(po, locale)
            _drop_confirmed_previous(catalog)
            before = {message_key(m) for m in messages_of(catalog)}
            catalog.update(template, no_fuzzy_matching=False, update_header_comment=False, keep_user_comments=True)
            after = {message_key(m): m for m in messages_of(catalog)}
            new = set(after) - before
            fuzzy = sum(1 for k in new if after[k].fuzzy)
            written = write_if_changed(po, _po_bytes(catalog, ignore_obsolete=drop_obsolete))
            rows.append([target.name, locale, len(new), fuzzy, len(before - set(after)),
                         "updated" if written else "unchanged"])
        _browser_edits_after_update(target, template)
    table("Catalogs updated from the code", ["catalog", "locale", "new", "of them fuzzy", "no longer used", "file"], rows)
    console.print("Next: translate the new and fuzzy entries, then `clinicjournal translate stats`.")


def _browser_edits(target: Target, locale: str) -> dict:
    """The install-wide browser edits of one catalog ({} when the database has none or
    cannot be read: the files alone are counted then)."""
    try:
        return edits_of(db.session(), target.name, locale, None)
    except SQLAlchemyError:
        db.session().rollback()
        return {}


def _browser_edits_after_update(target: Target, template: Catalog) -> None:
    """Browser edits (rows, not in the .po) whose source changed become fuzzy, listed;
    none is dropped (see clinicjournal.i18n.transfer.mark_source_changes)."""
    sess = db.session()
    try:
        changed = mark_source_changes(sess, target.name, template)
        sess.commit()
    except SQLAlchemyError:  # no database (a plugin author's checkout): the files are all there is
        sess.rollback()
        return
    if changed:
        table(f"Browser edits of {target.name} whose source changed (kept, marked fuzzy)",
              ["msgid", "what happened"], [[m[:60], what] for m, what in changed])


def catalog_problems(target: Target, locale: str) -> list[Problem]:
    """What ``check`` reports and the server leaves out for one ``.po``."""
    po = target.po(locale)
    catalog = _read(po, locale)
    problems = check_catalog(catalog, po, _reference_plural_forms(target, locale))
    rule = plural_rule_problem(catalog, po, locale)
    return problems + ([rule] if rule else [])


@translate_group.command("check")
@catalog_options()
@with_appcontext
def check_cmd(plugin: str | None, all_: bool, directory: Path | None) -> None:
    """Check every .po as the server will read it; writes nothing.

    Each entry whose translation breaks a placeholder or a plural form is listed
    (file, line, entry): the server leaves it out, so readers see the English,
    until it is fixed. Fuzzy entries are reported and left out too (readers see
    the English until a translator confirms them). Exits non-zero on a problem.
    """
    rows, failing = [], 0
    for target in selected(plugin, all_, directory, writes=False):
        for locale in target.locales():
            po = target.po(locale)
            catalog = _read(po, locale)
            problems = catalog_problems(target, locale)
            fuzzy = [m for m in messages_of(catalog) if m.fuzzy]
            for m in fuzzy[:FUZZY_SHOWN]:
                console.print(f"[yellow]fuzzy, left out[/] {escape(str(Problem(po, m.lineno, message_key(m)[0], 'needs review')))}",
                              soft_wrap=True)
            if len(fuzzy) > FUZZY_SHOWN:
                console.print(f"[yellow]fuzzy, left out[/] {escape(shown_path(po))}: {len(fuzzy) - FUZZY_SHOWN} more; "
                              "`translate stats` counts them", soft_wrap=True)
            for problem in problems:
                console.print(f"[red]error[/] {escape(str(problem))}", soft_wrap=True)
            usable = sum(1 for m in messages_of(catalog) if not m.fuzzy and is_translated(m))
            failing += bool(problems)
            rows.append([target.name, locale, usable - len({p.lineno for p in problems if p.msgid}), len(fuzzy),
                         f"{len(problems)} problem(s)" if problems else "ok"])
    table("Catalogs as the server reads them", ["catalog", "locale", "translations used", "fuzzy left out", "result"],
          rows)
    if failing:
        fail(f"{failing} catalog(s) have problems; the server shows the English for each entry listed above. "
             "Use exactly the placeholders of the original (like %(name)s: same names, none left out or added) "
             "and every plural form, then run `clinicjournal translate check` again.")


# Older docs and scripts say `translate compile`: the same check, as nothing is compiled any more.
translate_group.add_command(click.Command("compile", callback=check_cmd.callback, params=check_cmd.params,
                                          help="The same as `translate check`.", hidden=True))


@translate_group.command("stats")
@catalog_options()
@click.option("--fail-under", type=click.IntRange(0, 100), metavar="PERCENT",
              help="Exit with an error if any catalog is less translated than this (for CI). Catalogs "
                   "inside installed packages are shown but not held to it.")
@with_appcontext
def stats_cmd(plugin: str | None, all_: bool, directory: Path | None, fail_under: int | None) -> None:
    """How complete each catalog is, per language, against the strings in the code now."""
    targets = selected(plugin, all_, directory, writes=False)
    # A plugin is shown in the core's languages too: a missing .po there means
    # readers of that language see the plugin's strings in English.
    core_locales = core_target().locales() if not directory else []
    rows, below = [], []
    for target in targets:
        source = extract(target)
        locales = sorted(set(target.locales()) | set(core_locales))
        for locale in locales:
            po = target.po(locale)
            catalog = _read(po, locale) if po.exists() else None
            edited = _browser_edits(target, locale)
            if edited:  # what readers get, as the Translations screen counts it
                catalog = applied(target.directory, locale, [edited], source)
            counts = count(catalog, source)
            notes = []
            if catalog is None:
                notes.append("not in this installed package" if installed(target) else "no .po yet: translate init")
            elif counts.not_in_po:
                notes.append(f"{counts.not_in_po} new in the code: translate update")
            if edited:
                notes.append(f"{len(edited)} changed in the browser: translate export")
            if catalog is not None and counts.unused:
                notes.append(f"{counts.unused} no longer used")
            if catalog is not None and (broken := catalog_problems(target, locale)):
                lines = ", ".join(str(p.lineno) for p in broken[:3]) + (", …" if len(broken) > 3 else "")
                notes.append(f"{len(broken)} left out by the server (lines {lines}): translate check")
            rows.append([target.name, locale, counts.translated, counts.fuzzy, counts.untranslated,
                         f"{counts.percent}%", "; ".join(notes)])
            if fail_under is not None and counts.percent < fail_under and not installed(target):
                below.append(f"{target.name}/{locale}")
        if not locales:
            rows.append([target.name, "—", 0, 0, len(messages_of(source)), "", "no languages yet: translate init"])
    if not directory and not plugin:
        for target in uncatalogued_plugins():
            rows.append([target.name, "—", 0, 0, len(messages_of(extract(target))), "",
                         "no catalog yet: translate init --plugin"])
    columns = ["catalog", "locale", "translated", "fuzzy", "untranslated", "percent"]
    if any(r[-1] for r in rows):
        columns.append("note")
    else:
        rows = [r[:-1] for r in rows]
    table("Translation status (against the strings in the code now)", columns, rows)
    if below:
        fail(f"below {fail_under}%: {', '.join(below)}")


__all__ = ["translate_group", "check_catalog", "placeholders", "count", "extract", "Target"]

"""Translations: the interface's catalogs, edited in the browser.

``/admin/<site>/translations`` lists each catalog (the core's and each plugin's)
per language of the site with its progress; a catalog's page lists its messages
with filters and search; a message's page edits it. ``scope=shared`` works on the
install-wide catalog, ``scope=site`` on this site's own wording (an override shown
over the shared text). Who may do which: catalog_screen.py.
"""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from ..i18n import edits, text_direction
from ..i18n.sources import edits_of, shipped
from ..store import audit, db
from . import bp, catalog_screen
from .catalog_screen import (
    FILTERS,
    Row,
    directory_or_404,
    may_edit,
    plural_forms,
    require_edit,
    with_tokens,
)
from .roles import route
from .ui import plugin_title

PAGE = 100


def catalog_title(name: str) -> str:
    return _("The journal itself") if name == "core" else plugin_title(name)


@route(bp, "/<site>/translations", "translations.edit")
def translations():
    """Every catalog in every language of the site, with its progress figures."""
    site = g.admin_site
    locales = [loc for loc in site.locales if may_edit("site", loc) or may_edit("shared", loc)]
    if not locales:
        abort(403)
    tables = []
    for name in catalog_screen.directories():
        figures = []
        for locale in locales:
            found, counts, _view = catalog_screen.rows(name, locale, "shared")
            own = len(edits_of(db.session(), name, locale, site.id))
            figures.append((locale, counts, own, may_edit("shared", locale), may_edit("site", locale)))
        tables.append((name, catalog_title(name), figures))
    return render_template("admin/translations.html", site=site, tables=tables)


def _scope() -> str:
    return request.values.get("scope", "site")


@route(bp, "/<site>/translations/<catalog>/<locale>", "translations.edit")
def translation_list(catalog: str, locale: str):
    """The messages of one catalog and language, filtered and searched."""
    scope = _scope()
    require_edit(scope, locale)
    which = request.args.get("filter", "all")
    if which not in FILTERS:
        which = "all"
    query = request.args.get("q", "")[:200]
    found, counts, _view = catalog_screen.rows(catalog, locale, scope)
    shown = catalog_screen.matching(found, which, query)
    return render_template("admin/translation_list.html", site=g.admin_site, catalog=catalog,
                           title=catalog_title(catalog), locale=locale, scope=scope, rows=shown[:PAGE],
                           more=max(0, len(shown) - PAGE), counts=counts, which=which, query=query,
                           filters=FILTERS, direction=text_direction(locale), with_tokens=with_tokens)


def _message_or_404(catalog: str, locale: str, scope: str) -> Row:
    msgid, ctxt = request.values.get("msgid", ""), request.values.get("ctx", "")
    found, _counts, _view = catalog_screen.rows(catalog, locale, scope)
    for row in found:
        if row.msgid == msgid and (row.source.context or "") == ctxt:
            return row
    abort(404)


def _baseline(catalog: str, locale: str, scope: str, row: Row) -> tuple[list[str], bool]:
    """What the message said before this scope's first edit: the .po's text, or for a
    site's own wording the shared text."""
    if scope == "site":
        return list(row.strings), row.fuzzy
    files = shipped(directory_or_404(catalog), locale)
    message = files.get(row.msgid, row.source.context) if files is not None else None
    return edits.baseline_of(message)


@route(bp, "/<site>/translations/<catalog>/<locale>/message", "translations.edit", methods=["GET", "POST"])
def translation_edit(catalog: str, locale: str):
    """One message: a field per plural form, the checks of `translate check` on save,
    the revisions with a revert button each."""
    scope = _scope()
    require_edit(scope, locale)
    row = _message_or_404(catalog, locale, scope)
    forms = plural_forms(locale) if row.source.pluralizable else []
    values, fuzzy = list(row.strings), row.fuzzy
    problems: dict[int, list[str]] = {}
    conflict = None
    status = 200
    version = row.edit.version if row.edit is not None else 0
    if request.method == "POST":
        count = len(forms) if forms else 1
        values = [request.form.get(f"s{i}", "") for i in range(count)]
        fuzzy = request.form.get("fuzzy") == "1"
        try:
            expected = int(request.form.get("version", "0") or 0)
        except ValueError:
            abort(400)
        sess = db.session()
        try:
            edits.save(sess, catalog=catalog, locale=locale, site_id=g.admin_site.id if scope == "site" else None,
                              source=row.source, strings=values, fuzzy=fuzzy, expected_version=expected,
                              actor=g.user, baseline=_baseline(catalog, locale, scope, row))
            audit.record(sess, g.user, "translation.changed", site=g.admin_site if scope == "site" else None,
                         target=row.msgid, catalog=catalog, locale=locale, scope=scope)
            sess.commit()
        except edits.Refused as refused:
            sess.rollback()
            problems, status = refused.problems, 422
        except (edits.StaleEdit, StaleDataError) as exc:
            sess.rollback()
            current = getattr(exc, "current", None) or edits.find(
                sess, catalog, locale, g.admin_site.id if scope == "site" else None, row.msgid, row.source.context or "")
            conflict, status = current, 409
            version = current.version if current is not None else 0
        else:
            flash(_("Translation saved. Readers see it on their next page."), "success")
            return redirect(url_for("admin.translation_edit", catalog=catalog, locale=locale, scope=scope,
                                    msgid=row.msgid, ctx=row.source.context or ""))
    history = edits.history(db.session(), row.edit) if row.edit is not None else []
    return render_template("admin/translation_edit.html", site=g.admin_site, catalog=catalog,
                           title=catalog_title(catalog), locale=locale, scope=scope, row=row, forms=forms,
                           values=values, fuzzy=fuzzy, problems=problems, conflict=conflict, version=version,
                           history=history, direction=text_direction(locale), with_tokens=with_tokens), status


@route(bp, "/<site>/translations/<catalog>/<locale>/revert", "translations.edit", methods=["POST"])
def translation_revert(catalog: str, locale: str):
    """Save an earlier revision's text again (a new revision: nothing is lost)."""
    scope = _scope()
    require_edit(scope, locale)
    row = _message_or_404(catalog, locale, scope)
    if row.edit is None:
        abort(404)
    try:
        revision = edits.revision_of(db.session(), row.edit, int(request.form.get("revision", "")))
    except ValueError:
        revision = None
    if revision is None:
        abort(404)
    sess = db.session()
    try:
        edits.save(sess, catalog=catalog, locale=locale, site_id=g.admin_site.id if scope == "site" else None,
                   source=row.source, strings=list(revision.strings), fuzzy=revision.fuzzy,
                   expected_version=row.edit.version, actor=g.user, note=f"revert to {revision.id}")
        audit.record(sess, g.user, "translation.reverted", site=g.admin_site if scope == "site" else None,
                     target=row.msgid, catalog=catalog, locale=locale, scope=scope, revision=revision.id)
        sess.commit()
    except edits.Refused:
        sess.rollback()
        flash(_("That earlier text no longer passes the checks (the source changed); edit it instead."), "error")
    else:
        flash(_("The earlier translation is back."), "success")
    return redirect(url_for("admin.translation_edit", catalog=catalog, locale=locale, scope=scope,
                            msgid=row.msgid, ctx=row.source.context or ""))


@route(bp, "/<site>/translations/<catalog>/<locale>/download", "translations.edit")
def translation_download(catalog: str, locale: str):
    """The catalog as a .po with the browser edits of this scope applied."""
    from ..i18n.transfer import po_bytes

    scope = _scope()
    require_edit(scope, locale)
    _found, _counts, view = catalog_screen.rows(catalog, locale, scope)
    name = f"{catalog}-{locale}{'-' + g.admin_site.slug if scope == 'site' else ''}.po"
    return Response(po_bytes(view), mimetype="text/x-gettext-translation",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})



MAX_UPLOAD = 2_000_000  # bytes: the core catalog is about 150 kB


@route(bp, "/<site>/translations/<catalog>/<locale>/upload", "translations.edit", methods=["POST"])
def translation_upload(catalog: str, locale: str):
    """Take a .po entry by entry; show what was taken and what was refused, and why."""
    from ..i18n.transfer import upload

    scope = _scope()
    require_edit(scope, locale)
    directory = directory_or_404(catalog)
    file = request.files.get("po")
    data = file.read(MAX_UPLOAD + 1) if file is not None else b""
    back = url_for("admin.translation_list", catalog=catalog, locale=locale, scope=scope)
    if not data or len(data) > MAX_UPLOAD:
        flash(_("Choose a .po file (at most 2 MB) in the field “Upload a .po file”."), "error")
        return redirect(back)
    sess = db.session()
    try:
        report = upload(sess, directory, catalog, locale, g.admin_site.id if scope == "site" else None, data, g.user)
    except (ValueError, UnicodeDecodeError) as exc:
        sess.rollback()
        return render_template("admin/translation_upload.html", site=g.admin_site, catalog=catalog,
                               title=catalog_title(catalog), locale=locale, scope=scope, report=None,
                               error=str(exc), back=back), 422
    if report.taken:
        audit.record(sess, g.user, "translation.uploaded", site=g.admin_site if scope == "site" else None,
                     target=file.filename or "", catalog=catalog, locale=locale, scope=scope,
                     file=file.filename or "", taken=len(report.taken), refused=len(report.refused))
    sess.commit()
    return render_template("admin/translation_upload.html", site=g.admin_site, catalog=catalog,
                           title=catalog_title(catalog), locale=locale, scope=scope, report=report, error=None,
                           back=back)

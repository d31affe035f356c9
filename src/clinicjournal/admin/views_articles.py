"""Articles of a site: the list, the editor with its preview, upload and
download in the authoring format, and the revision history."""

from __future__ import annotations

import difflib
import re

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from ..content import publishing, revisions, slugs
from ..content.authoring import (
    AuthoringError,
    extra_problem,
    parse_document,
    uncited_keys,
)
from ..content.documents import exported
from ..content.writing import dump_document
from ..mail import notify
from ..mail.compose import send_in_background
from ..store import audit, db
from ..store.models import Article, AuditEvent, Revision, utcnow
from ..web.pagebits import site_categories
from ..web.scope import forget_page_scope
from . import bp, editing, editor_page, translating
from .links import link_problems
from .roles import (
    article_or_404,
    can,
    can_edit_locale,
    require_edit,
    revision_or_404,
    route,
)
from .standing import standing_of
from .ui import page_number, plugins, public_url, site_view

STATUSES = ("draft", "review", "waiting", "scheduled", "published", "expired", "archived")


def status_label(status: str) -> str:
    return {"draft": _("Draft"), "review": _("In review"), "scheduled": _("Scheduled"),
            "published": _("Published"), "expired": _("Unpublished (expired)"),
            "waiting": _("Changes waiting"), "archived": _("Archived")}.get(status, status)


@route(bp, "/<site>/articles/", "articles.view")
def articles():
    """Articles of the site, filtered by status, language and a title search."""
    site, sess = g.admin_site, db.session()
    status = request.args.get("status", "")
    locale = request.args.get("locale", "")
    q = request.args.get("q", "").strip()[:200]
    where = [Article.site_id == site.id]
    if status in STATUSES:
        where.append(publishing.state_filter(status, utcnow()))
    if locale in site.locales:
        where.append(Article.locale == locale)
    if q:
        where.append(Article.title.icontains(q, autoescape=True))
    per_page = current_app.config["ADMIN_PER_PAGE"]
    page = page_number()
    total = sess.scalar(select(func.count()).select_from(Article).where(*where)) or 0
    rows = sess.scalars(select(Article).where(*where).order_by(Article.modified.desc(), Article.id.desc())
                        .limit(per_page).offset((page - 1) * per_page)).all()
    return render_template("admin/articles.html", site=site, rows=rows, total=total, page=page,
                           pages=max(1, -(-total // per_page)), status=status, locale=locale, q=q,
                           statuses=STATUSES, signed_off=editing.signed_off, state_of=publishing.public_state,
                           waiting=publishing.changes_waiting,
                           review_required=lambda a: publishing.review_required(site, a.kind))


def _categories(site) -> dict:
    """Categories offered by the plugins enabled on the site (slug → Category)."""
    return site_categories(site_view(site))


def _editor(article, values, *, checked=None, conflict=False, status=200, translation=None):
    site = g.admin_site
    locked = article is not None and not (can("articles.edit") and can_edit_locale(article.locale))
    uncited = checked.uncited if checked else []
    citations = checked.citations if checked else []
    doc = checked.doc if checked else None
    if article is not None and checked is None:
        doc = publishing.working_copy(db.session(), article)
        citations = editing.citation_problems(doc.body, doc.references, doc.faq)
        uncited = uncited_keys(doc)
    links = link_problems(db.session(), site, doc) if doc is not None else []
    locales = list(site.locales) if can_edit_locale(site.default_locale) else \
        [loc for loc in site.locales if loc != site.default_locale]
    versions, sent_back = [], None
    if article is not None:
        sent_back = _sent_back_note(site, article)
        versions = db.session().execute(
            select(Article.id, Article.locale, Article.status).where(
                Article.site_id == site.id, Article.translation_key == article.translation_key,
                Article.id != article.id).order_by(Article.locale)).all()
    return render_template(
        "admin/article_edit.html", site=site, article=article, values=values,
        errors=checked.errors if checked else [], citations=citations, uncited=uncited, links=links,
        conflict=conflict, locked=locked, categories=_categories(site), locales=locales, versions=versions,
        sent_back=sent_back, translation=translation,
        standing=standing_of(site, article) if article is not None else None,
        public_url=public_url(site, article.locale, article.slug) if article is not None else None,
        status_label=status_label, **editor_page.extras(site, values, checked.errors if checked else []),
    ), status


def _sent_back_note(site, article):
    """The reviewer's note when the article's last workflow step was "sent back to draft"."""
    if article.workflow == "review":
        return None
    last = db.session().scalar(
        select(AuditEvent).where(AuditEvent.site_id == site.id,
                                 AuditEvent.target == f"{article.locale}/{article.slug}",
                                 AuditEvent.action.in_(("article.sent_back", "article.submitted")))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(1))
    if last is None or last.action != "article.sent_back" or not (last.detail or {}).get("note"):
        return None
    return last


def _blank_values(site) -> dict:
    locale = request.args.get("locale", "")
    return {"title": "", "summary": "", "body": "", "category": "", "translation_key": "", "slug": "",
            "locale": locale if locale in site.locales else site.default_locale, "kind": "article",
            "published": "", "updated": "", "author": g.user.name, "takeaway": "", "faq": [],
            "references": "", "version": ""}


@route(bp, "/<site>/articles/new", "articles.edit", methods=["GET", "POST"])
def article_new():
    """A new draft; ``?from=<id>&locale=xx`` starts a translation of an article."""
    site = g.admin_site
    if request.method == "GET":
        values = _blank_values(site)
        found = translating.translation(db.session(), site, request.args.get("from"), values["locale"])
        if found is not None:
            values = translating.start_values(found, values)
        if not can_edit_locale(values["locale"]):
            values["locale"] = next((loc for loc in site.locales if can_edit_locale(loc)), values["locale"])
        return _editor(None, values, translation=found)
    values = editing.values_from_form(request.form)
    values["slug"] = values["slug"] or slugs.propose(values["title"], values["locale"])  # as the editor proposes
    require_edit(values["locale"] or site.default_locale)
    sess = db.session()
    checked = editing.check(values, site=site, article=None, sess=sess, categories=set(_categories(site)))
    if checked.errors:
        return _editor(None, values, checked=checked, status=422, translation=translating.of_form(db.session(), site, values))
    article = editing.save(sess, site, None, checked.doc, g.user, note="created")
    audit.record(sess, g.user, "article.created", site=site, target=f"{article.locale}/{article.slug}")
    sess.commit()
    flash(_("Draft created."), "success")
    return redirect(url_for("admin.article_edit", article_id=article.id))


@route(bp, "/<site>/articles/<int:article_id>", "articles.view", methods=["GET", "POST"])
def article_edit(article_id: int):
    """The editor (read-only for members who may not edit this article).

    Saving checks the version the form was loaded at: if someone else saved in
    between, nothing is written and the form keeps the editor's text (409).
    """
    site = g.admin_site
    article = article_or_404(article_id)
    if request.method == "GET":
        return _editor(article, editing.values_from_article(db.session(), article))
    require_edit(article.locale)
    values = editing.values_from_form(request.form)
    require_edit(values["locale"] or article.locale)
    sess = db.session()
    if values["version"] != str(article.version):
        return _conflict(article, values)
    checked = editing.check(values, site=site, article=article, sess=sess, categories=set(_categories(site)))
    if checked.errors:
        return _editor(article, values, checked=checked, status=422)
    label = f"{checked.doc.locale}/{checked.doc.slug}"
    try:
        editing.save(sess, site, article, checked.doc, g.user, note="edited")
        audit.record(sess, g.user, "article.saved", site=site, target=label)
        submitted = request.form.get("action") == "submit"
        if submitted:
            editing.submit(sess, article, g.user, site_view(site), plugins())
            audit.record(sess, g.user, "article.submitted", site=site, target=label)
        sess.commit()
    except StaleDataError:
        sess.rollback()
        return _conflict(article_or_404(article_id), values)
    except editing.WorkflowError as exc:
        sess.rollback()
        article = article_or_404(article_id)
        flash(_("Not sent for review: %(reason)s", reason=str(exc)), "error")
        return _editor(article, values, checked=checked, status=422)
    flash(_("Saved and sent for review.") if submitted else _("Saved."), "success")
    if submitted:
        send_in_background(notify.review_requests(site, article, g.user), f"review requests for article {article.id}")
    return redirect(url_for("admin.article_edit", article_id=article.id))


def _conflict(article, values):
    db.session().refresh(article)
    values = {**values, "version": str(article.version)}
    return _editor(article, values, conflict=True, status=409)


# -- preview -----------------------------------------------------------------------

BANNER = re.compile(r"(<body[^>]*>)", re.I)


@route(bp, "/<site>/articles/<int:article_id>/preview", "articles.view", methods=["GET", "POST"])
def article_preview(article_id: int):
    """The article as readers will see it: GET shows the saved text, POST the
    editor's unsaved values. Rendered by the reader's own templates and plugins."""
    site = g.admin_site
    article = article_or_404(article_id)
    if request.method == "GET":
        doc = publishing.working_copy(db.session(), article)
    else:
        require_edit(article.locale)
        values = editing.values_from_form(request.form)
        checked = editing.check(values, site=site, article=article, sess=db.session(),
                                categories=set(_categories(site)))
        if checked.errors:
            return _editor(article, values, checked=checked, status=422)
        doc = checked.doc
    return _render_preview(site, article, doc)


@route(bp, "/<site>/articles/preview", "articles.edit", methods=["POST"])
def article_preview_new():
    """Preview of a new article's unsaved values."""
    site = g.admin_site
    values = editing.values_from_form(request.form)
    require_edit(values["locale"] or site.default_locale)
    checked = editing.check(values, site=site, article=None, sess=db.session(),
                            categories=set(_categories(site)))
    if checked.errors:
        return _editor(None, values, checked=checked, status=422, translation=translating.of_form(db.session(), site, values))
    return _render_preview(site, None, checked.doc)


def _render_preview(site, stored, doc, banner: str | None = None):
    """Render a transient copy (never added to the session) through the reader's pipeline,
    with ``banner`` (admin HTML, in the admin's language) on top: by default the preview's."""
    from ..content.publishing import apply
    from ..web.reader import render_article

    view = site_view(site)
    if doc.locale not in view.locales:
        abort(404)
    item = Article(id=None, site_id=site.id, locale=doc.locale, slug=doc.slug, version=None,
                   # a fresh time, so no render cache mistakes it for a stored version
                   modified=utcnow(), content_changed=utcnow())
    apply(item, doc)
    if banner is None:
        banner = render_template("admin/_preview_banner.html", ui_locale=g.locale)  # in the admin's language
    g.pop("_translations", None)  # the request's cached catalog (i18n.py) is the admin's language
    forget_page_scope()
    g.site, g.locale = view, doc.locale
    with force_locale(doc.locale):
        html = render_article(item)
    g.pop("_translations", None)
    forget_page_scope()
    return BANNER.sub(lambda m: m.group(1) + banner, html, count=1)


# -- upload and download ---------------------------------------------------------------

@route(bp, "/<site>/articles/<int:article_id>/download", "articles.view")
def article_download(article_id: int):
    """The article as an authoring-format file."""
    article = article_or_404(article_id)
    return Response(dump_document(exported(db.session(), article, working=True)), mimetype="text/markdown",
                    headers={"Content-Disposition":
                             f'attachment; filename="{article.slug}.{article.locale}.md"'})


@route(bp, "/<site>/articles/upload", "articles.edit", methods=["POST"])
def article_upload():
    """Create or update one article from an uploaded ``.md`` file.

    The file's status, schedule and sign-off are not taken over: the file
    becomes the working copy (a new article's draft), and what readers see
    changes only by review and publishing, as for any other edit.
    """
    site, sess = g.admin_site, db.session()
    upload = request.files.get("file")
    limit = current_app.config["ADMIN_UPLOAD_MAX_BYTES"]
    raw = upload.read(limit + 1) if upload else b""
    try:
        if not upload or not upload.filename:
            raise AuthoringError(_("Choose a .md file to upload."))
        if len(raw) > limit:
            raise AuthoringError(_("The file is larger than %(kb)d kB.", kb=limit // 1000))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise AuthoringError(_("The file is not UTF-8 text; save it as UTF-8 and upload it again.")) from None
        parsed = parse_document(text, source=upload.filename)
    except AuthoringError as exc:
        flash(_("Upload refused: %(error)s", error=str(exc)), "error")
        return redirect(url_for("admin.articles"))
    require_edit(parsed.locale)
    article = sess.scalar(select(Article).where(Article.site_id == site.id, Article.locale == parsed.locale,
                                                Article.slug == parsed.slug))
    values = editing.values_from_data(parsed)
    checked = editing.check(values, site=site, article=article, sess=sess, categories=set(_categories(site)))
    if checked.errors:
        flash(_("Upload refused: %(error)s", error="; ".join(p.message for p in checked.errors)), "error")
        return redirect(url_for("admin.articles"))
    doc = checked.doc
    kept = publishing.working_copy(sess, article).extra if article is not None else {}
    doc.extra = {**kept, **parsed.extra}
    too_large = extra_problem(doc.extra)  # the file's unknown fields and those the article keeps
    if too_large:
        flash(_("Upload refused: %(error)s", error=f"{upload.filename}: {too_large}"), "error")
        return redirect(url_for("admin.articles"))
    article = editing.save(sess, site, article, doc, g.user, note=f"uploaded {upload.filename}")
    audit.record(sess, g.user, "article.uploaded", site=site, target=f"{article.locale}/{article.slug}",
                 file=upload.filename)
    sess.commit()
    flash(_("Uploaded %(file)s.", file=upload.filename), "success")
    return redirect(url_for("admin.article_edit", article_id=article.id))


# -- revisions ------------------------------------------------------------------------

@route(bp, "/<site>/articles/<int:article_id>/revisions/", "articles.view")
def article_revisions(article_id: int):
    article = article_or_404(article_id)
    history = revisions.history(db.session(), article.id)
    return render_template("admin/revisions.html", site=g.admin_site, article=article, history=history,
                           count=len(history), note_label=editing.note_label)


@route(bp, "/<site>/articles/<int:article_id>/revisions/<int:revision_id>", "articles.view")
def article_revision(article_id: int, revision_id: int):
    """One revision as an authoring document, with its differences from the current text."""
    article = article_or_404(article_id)
    revision = revision_or_404(article, revision_id)
    number = _number(article, revision)
    old = dump_document(revisions.from_snapshot(revision.data))
    now = dump_document(publishing.working_copy(db.session(), article))
    diff = list(difflib.unified_diff(old.splitlines(), now.splitlines(), _("this revision"), _("current text"),
                                     lineterm="", n=2))
    return render_template("admin/revision.html", site=g.admin_site, article=article, revision=revision,
                           number=number, document=old, diff=diff, note_label=editing.note_label,
                           may_restore=can("articles.edit") and can_edit_locale(article.locale))


def _number(article: Article, revision: Revision) -> int:
    return db.session().scalar(select(func.count()).select_from(Revision).where(
        Revision.article_id == article.id, Revision.id <= revision.id)) or 1


@route(bp, "/<site>/articles/<int:article_id>/revisions/<int:revision_id>/restore", "articles.edit",
       methods=["POST"])
def article_restore(article_id: int, revision_id: int):
    """Restore a revision's content as a new save (refused if the article changed meanwhile)."""
    site, sess = g.admin_site, db.session()
    article = article_or_404(article_id)
    require_edit(article.locale)
    revision = revision_or_404(article, revision_id)
    if request.form.get("version") != str(article.version):
        flash(_("The article changed since you opened this page; nothing was restored. Look at the "
                "current text, then try again."), "error")
        return redirect(url_for("admin.article_revision", article_id=article.id, revision_id=revision.id))
    number = _number(article, revision)
    try:
        editing.restore(sess, site, article, revision.data, g.user, number)
        audit.record(sess, g.user, "article.restored", site=site, target=f"{article.locale}/{article.slug}",
                     revision=number)
        sess.commit()
    except StaleDataError:
        sess.rollback()
        flash(_("Someone saved the article at the same moment; nothing was restored."), "error")
        return redirect(url_for("admin.article_revision", article_id=article_id, revision_id=revision_id))
    flash(_("Revision %(num)d restored. Check the text, then send it for review again if needed.", num=number),
          "success")
    return redirect(url_for("admin.article_edit", article_id=article.id))

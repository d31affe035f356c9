"""What the article editor asks the server while someone types: a slug for the
title, the live preview, the readability figure with word count and reading
time, the references' YAML as rows, and autosave.

Every answer comes from the code readers' pages and saves use (the slug
proposal, the reader's renderer and sanitiser, the reading-time formula, the
checker), so the editor never shows a figure the site would not. Each POST
carries the editor form's CSRF token and is role-checked like the editor.
"""

from __future__ import annotations

from flask import g, jsonify, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.orm.exc import StaleDataError

from ..content import readability, slugs
from ..content.render import count_words, reading_minutes
from ..i18n import language_here, text_direction
from ..store import db
from ..web.assets import static_url
from . import bp, editing, reference_rows
from .autosave import autosave
from .roles import article_or_404, require_edit, route
from .views_articles import _categories, _render_preview


def _article_of_form():
    """The article the posted editor form belongs to (None for a new one)."""
    raw = request.form.get("article_id") or ""
    return article_or_404(int(raw)) if raw.isdigit() else None


def _checked(article):
    values = editing.values_from_form(request.form)
    require_edit(values["locale"] or (article.locale if article is not None else g.admin_site.default_locale))
    return editing.check(values, site=g.admin_site, article=article, sess=db.session(),
                         categories=set(_categories(g.admin_site)))


@route(bp, "/<site>/editor/slug", "articles.edit")
def editor_slug():
    """``{"slug": ...}`` proposed for ``?title=`` in ``?locale=`` (empty when none transliterates)."""
    return jsonify(slug=slugs.propose(request.args.get("title", "")[:300], request.args.get("locale", "")))


def field_labels() -> dict[str, str]:
    """The editor's field labels (the checker's problems name fields by their keys)."""
    return {"title": _("Title"), "summary": _("Summary"), "body": _("Body (Markdown)"), "slug": _("Slug"),
            "locale": _("Language"), "category": _("Category"), "published": _("Publication date"),
            "updated": _("Last updated"), "author": _("Author"), "translation_key": _("Translation key"),
            "kind": _("Type"), "takeaway": _("Key takeaway")}


@route(bp, "/<site>/editor/preview", "articles.edit", methods=["POST"])
def editor_preview():
    """The editor's unsaved text rendered as readers will see it (for the live preview
    beside the editor), or a short page listing what stops it from rendering (marked
    by ``X-Preview-Problems``; a 200 still, as the page is an answer the frame shows)."""
    article = _article_of_form()
    checked = _checked(article)
    if checked.errors:
        labels = field_labels()
        items = "".join(f"<li>{escape(labels[p.field] + ': ' if p.field in labels else '')}{escape(p.message)}</li>"
                        for p in checked.errors)
        page = (f'<!doctype html><html lang="{escape(g.locale)}" dir="{text_direction(g.locale)}"><meta charset="utf-8">'
                f'<title>{escape(_("Preview"))}</title><link rel="stylesheet" href="{static_url("css/admin-preview.css")}">'
                f'<body class="admin-preview-problems"><p><strong>{escape(_("The preview waits until these are fixed:"))}'
                f'</strong></p><ul>{items}</ul></body></html>')
        return page, 200, {"Content-Type": "text/html; charset=utf-8", "X-Preview-Problems": str(len(checked.errors))}
    return _render_preview(g.admin_site, article, checked.doc)


def stats(body: str, locale: str) -> dict:
    """Word count, reading time and readability of ``body`` (JSON for the editor)."""
    site = g.admin_site
    words = count_words(body)
    measured = readability.measure(body, locale)
    target = readability.target_grade(site)
    language = language_here(locale)
    level, figure = "none", ""
    if not measured.formula:
        text = _("No plain-language formula for %(language)s: check the reading level by reading it aloud "
                 "or with a reader.", language=language)
    elif measured.grade is None and measured.ease is None:
        text = _("Write a few sentences to see the reading level.")
    elif measured.grade is not None:
        figure = format_decimal(measured.grade, format="0.0")
        level = "ok" if measured.grade <= target else "high"
        text = _("Reading level: grade %(grade)s (%(formula)s, %(language)s). Target: grade %(target)d or "
                 "lower.", grade=figure, formula=measured.formula, language=language, target=target)
    else:
        figure = format_decimal(measured.ease, format="0")
        level = "ok" if measured.ease >= 60 else "high"
        text = _("Reading ease: %(ease)s of 100 (%(formula)s, %(language)s; higher is easier, 60 or more is "
                 "plain language). There is no school-grade formula for this language.",
                 ease=figure, formula=measured.formula, language=language)
    return {"words": words, "minutes": reading_minutes(words), "level": level, "figure": figure,
            "target": target, "readability": text}


@route(bp, "/<site>/editor/readability", "articles.edit", methods=["POST"])
def editor_readability():
    """``stats()`` of the posted ``body`` in ``locale``."""
    locale = request.form.get("locale") or g.admin_site.default_locale
    require_edit(locale)
    return jsonify(stats((request.form.get("body") or "")[:400_000], locale))


@route(bp, "/<site>/editor/references", "articles.edit", methods=["POST"])
def editor_references():
    """The posted YAML ``references`` as rows (for switching from YAML to rows);
    422 with a message when it cannot be shown as rows."""
    rows = reference_rows.rows_of((request.form.get("references") or "").replace("\r\n", "\n"))
    if rows is None:
        return jsonify(error=_("These references cannot be shown as rows (the YAML is not valid, or uses a "
                               "field the rows do not have). Fix them in the YAML box.")), 422
    return jsonify(rows=rows)


@route(bp, "/<site>/articles/<int:article_id>/autosave", "articles.edit", methods=["POST"])
def article_autosave(article_id: int):
    """Save the editor's working copy (see admin/autosave.py).

    Answers ``{"version": n}``; 409 when the article was saved since the form's
    version (nothing written: the editor stops autosaving and says so); 422
    with the problems when the text cannot be saved yet (the editor retries later).
    """
    article = article_or_404(article_id)
    require_edit(article.locale)
    sess = db.session()
    conflict = _("Not saved automatically: someone else saved this article after you opened it. Your text is "
                 "still in the form; copy what you need, then reload the page.")
    if (request.form.get("version") or "") != str(article.version):
        return jsonify(conflict=conflict), 409
    checked = _checked(article)
    if checked.errors:
        return jsonify(problems=[p.message for p in checked.errors]), 422
    try:
        autosave(sess, article, checked.doc, g.user)
        sess.commit()
    except StaleDataError:
        sess.rollback()
        return jsonify(conflict=conflict), 409
    return jsonify(version=article.version, saved=_("Saved automatically at %(time)s UTC.",
                                                    time=article.modified.strftime("%H:%M:%S")))

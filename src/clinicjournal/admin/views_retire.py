"""Retiring content: archive (410 Gone), delete with typed confirmation, the
site's list of old addresses (slug redirects), and deleting a whole site."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..content import publishing, redirects, retiring
from ..i18n import language_name
from ..store import audit, db, removal
from ..store.models import Article, SlugRedirect
from . import bp
from .editing import WorkflowError
from .roles import article_or_404, can, route
from .ui import form_text
from .views_review import workflow_step


@route(bp, "/<site>/articles/<int:article_id>/archive", "articles.publish", methods=["POST"])
def article_archive(article_id: int):
    """Take an article off the public site for good: its address answers 410 Gone."""
    def run(sess, site, article):
        if article.status == retiring.ARCHIVED:
            raise WorkflowError(_("The article is archived already."))
        retiring.archive(sess, article)
    return workflow_step(article_id, "article.archived", run,
                 _("Archived: its address now tells readers the article was withdrawn."))


@route(bp, "/<site>/articles/<int:article_id>/delete", "articles.delete", methods=["GET", "POST"])
def article_delete(article_id: int):
    """Delete an article for good, after the slug is typed to confirm. Live
    articles are refused: readers would lose a page without notice."""
    site, sess = g.admin_site, db.session()
    article = article_or_404(article_id)
    versions = retiring.language_versions(sess, article)
    error = None
    if request.method == "POST":
        everything = request.form.get("scope") == "all"
        doomed = versions if everything else [article]
        live = retiring.still_live(doomed)
        if form_text("confirm") != article.slug:
            error = _("Type the slug %(slug)s exactly to confirm; nothing was deleted.", slug=article.slug)
        elif live:
            error = _("Readers still see %(list)s: unpublish or archive it first; nothing was deleted.",
                      list=", ".join(live))
        else:
            try:
                done = retiring.delete_recorded(sess, g.user, site, article, doomed)
                sess.commit()
            except StaleDataError:
                sess.rollback()
                error = _("Someone saved the article at the same moment; nothing was deleted.")
            else:
                flash(ngettext("Deleted %(list)s, with %(num)d saved revision.",
                               "Deleted %(list)s, with %(num)d saved revisions.", done.revisions,
                               list=", ".join(done.articles)), "success")
                return redirect(url_for("admin.articles"))
    return render_template("admin/article_delete.html", site=site, article=article, error=error,
                           others=[v for v in versions if v.id != article.id],
                           live=publishing.is_live(article), state_of=publishing.public_state), 422 if error else 200


@route(bp, "/<site>/redirects", "articles.view", methods=["GET", "POST"])
def redirects_page():
    """Old addresses of the site's articles, each answering 301 to the article's
    current one. Editors add one (an article's address before the journal moved
    here, say) or remove one."""
    site, sess = g.admin_site, db.session()
    error, form = None, {"locale": site.default_locale, "old_slug": "", "target": ""}
    if request.method == "POST":
        if not can("articles.publish"):
            abort(403)
        form = {name: form_text(name) for name in form}
        target = sess.scalar(select(Article).where(Article.site_id == site.id, Article.locale == form["locale"],
                                                   Article.slug == form["target"]))
        problem = "no-article" if target is None else redirects.add_alias(sess, target, form["old_slug"])
        if problem is None:
            audit.record(sess, g.user, "redirect.added", site=site, target=f"{form['locale']}/{form['old_slug']}",
                         to=f"{target.locale}/{target.slug}")
            sess.commit()
            flash(_("/%(locale)s/%(old)s/ now leads to /%(locale)s/%(new)s/.", locale=form["locale"],
                    old=form["old_slug"], new=target.slug), "success")
            return redirect(url_for("admin.redirects_page"))
        error = {"no-article": _("No article in this language has the slug %(slug)s.", slug=form["target"]),
                 "not-a-slug": _("An old address is a slug: lower-case letters, digits and hyphens."),
                 "taken": _("An article answers at %(slug)s itself; a redirect there would never be used.",
                            slug=form["old_slug"])}[problem]
    rows = sess.execute(select(SlugRedirect, Article).join(Article, Article.id == SlugRedirect.article_id)
                        .where(SlugRedirect.site_id == site.id)
                        .order_by(SlugRedirect.locale, SlugRedirect.old_slug)).all()
    return render_template("admin/redirects.html", site=site, rows=rows, error=error, form=form,
                           may_change=can("articles.publish"), state_of=publishing.public_state,
                           locale_options=[(code, f"{language_name(code)} ({code})") for code in site.locales]
                           ), 422 if error else 200


@route(bp, "/<site>/redirects/<int:redirect_id>/remove", "articles.publish", methods=["POST"])
def redirect_remove(redirect_id: int):
    site, sess = g.admin_site, db.session()
    row = sess.scalar(select(SlugRedirect).where(SlugRedirect.id == redirect_id, SlugRedirect.site_id == site.id))
    if row is None:
        abort(404)
    audit.record(sess, g.user, "redirect.removed", site=site, target=f"{row.locale}/{row.old_slug}")
    sess.delete(row)
    sess.commit()
    flash(_("/%(locale)s/%(old)s/ no longer leads anywhere; readers following it get “not found”.",
            locale=row.locale, old=row.old_slug), "success")
    return redirect(url_for("admin.redirects_page"))


@route(bp, "/<site>/delete", "network", methods=["GET", "POST"])
def site_delete():
    """Delete a whole site (network admins), after its slug is typed to confirm."""
    site, sess = g.admin_site, db.session()
    error = None
    if request.method == "POST":
        if form_text("confirm") != site.slug:
            error = _("Type the slug %(slug)s exactly to confirm; nothing was deleted.", slug=site.slug)
        else:
            slug, name = site.slug, site.name
            removed = removal.delete_site(sess, site)
            audit.record(sess, g.user, "site.deleted", target=slug, name=name, articles=removed.articles,
                         hosts=removed.hosts)
            sess.commit()
            flash(ngettext("The site %(name)s (%(slug)s) was deleted with its %(num)d article.",
                           "The site %(name)s (%(slug)s) was deleted with its %(num)d articles.", removed.articles,
                           name=name, slug=slug), "success")
            return redirect(url_for("admin.home"))
    return render_template("admin/site_delete.html", site=site, error=error,
                           contents=removal.contents(sess, site)), 422 if error else 200

"""The admin's front pages: the sites a user works on, creating sites (network
admins), and each site's dashboard."""

from __future__ import annotations

import datetime as dt

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..content import publishing
from ..store import audit, db, manage
from ..store.models import Article, utcnow
from . import activity, bp
from .roles import SIGNED_IN, can, managed_sites, route
from .ui import form_text


@route(bp, "/", SIGNED_IN)
def home():
    """The sites the signed-in user can manage, with their roles there."""
    user = g.user
    sites = managed_sites(user)
    if len(sites) == 1 and not user.is_network_admin:
        return redirect(url_for("admin.dashboard", site=sites[0].slug))
    roles = {}
    for m in user.memberships:
        roles.setdefault(m.site_id, []).append(m.role)
    return render_template("admin/home.html", sites=sites, roles=roles)


@route(bp, "/sites/new", "network", methods=["GET", "POST"])
def site_new():
    """Create a site (network admins)."""
    form = {"slug": "", "name": "", "locales": "en", "hosts": ""}
    error = None
    if request.method == "POST":
        form = {k: form_text(k) for k in form}
        sess = db.session()
        try:
            site = manage.create_site(sess, form["slug"], form["name"],
                                      [c.strip() for c in form["locales"].replace(",", " ").split()],
                                      [h.strip() for h in form["hosts"].replace(",", " ").split()])
            audit.record(sess, g.user, "site.created", site=site, target=site.slug, name=site.name,
                         locales=site.locales, hosts=[h.name for h in site.hosts])
            sess.commit()
        except manage.ConfigError as exc:
            sess.rollback()
            error = str(exc)
        else:
            flash(_("Site %(name)s created.", name=site.name), "success")
            return redirect(url_for("admin.dashboard", site=site.slug))
    return render_template("admin/site_new.html", form=form, error=error), 422 if error else 200


@route(bp, "/<site>/", "site.view")
def dashboard():
    """A site's overview: articles by status and what needs attention."""
    from .views_review import review_queue

    site, sess = g.admin_site, db.session()
    # the same filters as the article list's, so each number is the list its link opens
    now = utcnow()
    counts = {state: sess.scalar(select(func.count()).select_from(Article).where(
        Article.site_id == site.id, publishing.state_filter(state, now))) or 0
        for state in ("draft", "review", "waiting", "scheduled", "published", "expired")}
    queue = review_queue(sess, site)
    events = activity.describe(sess, audit.events(sess, site.id, per_page=8)[0]) if can("audit.view") else []
    return render_template("admin/dashboard.html", site=site, counts=counts, queue=queue, events=events,
                           today=dt.date.today())

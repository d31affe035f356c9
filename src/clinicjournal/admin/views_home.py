"""The admin's front pages: the sites a user works on, creating sites and
accounts (network admins), and each site's dashboard."""

from __future__ import annotations

import datetime as dt

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..content import publishing
from ..store import audit, db, manage
from ..store.models import Article, utcnow
from . import accounts, bp
from .auth import password_hasher
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


@route(bp, "/accounts", "network", methods=["GET", "POST"])
def accounts_page():
    """Every account; network admins create new ones here."""
    sess = db.session()
    form = {"email": "", "name": "", "network_admin": False}
    error = None
    if request.method == "POST":
        form = {"email": form_text("email"), "name": form_text("name"),
                "network_admin": request.form.get("network_admin") == "1"}
        password, confirm = request.form.get("password", ""), request.form.get("password_confirm", "")
        try:
            if password != confirm:
                raise accounts.AccountError(_("The two passwords are not the same."))
            user = accounts.create_user(sess, form["email"], password, name=form["name"],
                                        network_admin=form["network_admin"], ph=password_hasher())
            audit.record(sess, g.user, "user.created", target=user.email,
                         network_admin=user.is_network_admin)
            sess.commit()
        except accounts.AccountError as exc:
            sess.rollback()
            error = str(exc)
        else:
            flash(_("Account %(email)s created. Give it roles on a site's Members page.", email=user.email),
                  "success")
            return redirect(url_for("admin.accounts_page"))
    return render_template("admin/accounts.html", users=accounts.list_users(sess), form=form, error=error,
                           slugs=accounts.site_slugs(sess)), 422 if error else 200


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
    events = audit.events(sess, site.id, per_page=8)[0] if can("audit.view") else []
    return render_template("admin/dashboard.html", site=site, counts=counts, queue=queue, events=events,
                           today=dt.date.today())

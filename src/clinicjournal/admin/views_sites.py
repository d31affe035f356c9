"""A site's settings (name and tagline per language, colours, logo, languages,
review interval), its host names (network admins) and its members (site admins)."""

from __future__ import annotations

from babel.numbers import get_decimal_symbol
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..content import publishing, readability
from ..i18n import language_here, language_name
from ..mail.accounts import role_words as role_label
from ..mail.compose import send_in_background
from ..store import audit, db, manage
from ..store.models import Membership, User
from ..web.colours import MIN_CONTRAST, contrast_on_white, shown
from ..web.sites import own_name, tagline_in
from . import accounts, bp, invitations, site_form
from .roles import membership_or_404, route
from .ui import form_text

COLOURS_AND_LOGO = ("primary", "accent", "logo")


def _name_locales(site) -> list[str]:
    """The languages that may have a name of their own: all but the default, whose
    name is the site's name (what every language without its own shows)."""
    return [code for code in site.locales if code != site.default_locale]


def _settings_form(site) -> dict:
    """The settings form's fields: one tagline field per language (``tagline:de``)
    and a name field for each language but the default (``name:de``)."""
    look = site.appearance or {}
    return {
        "name": site.name,
        **{f"name:{code}": own_name(look, code) for code in _name_locales(site)},
        **{f"tagline:{code}": tagline_in(look, site.default_locale, code) for code in site.locales},
        "primary": look.get("primary", ""),
        "accent": look.get("accent", ""),
        # an image of the media library by its key; a logo address typed before the
        # library existed stays as it is until another logo is chosen
        "logo": look.get("logo_key") or look.get("logo", ""),
        "locales": " ".join(site.locales),
        "default_locale": site.default_locale,
        "review_interval_days": str(manage.review_interval_days(site)),
        "readability_grade": str(readability.target_grade(site)),
        "review_pages": "1" if publishing.review_required(site, "page") else "",
        "four_eyes": "1" if publishing.four_eyes(site) else "",
    }


@route(bp, "/<site>/settings", "site.settings", methods=["GET", "POST"])
def settings():
    """Edit the site's name, appearance, languages and review interval."""
    site, sess = g.admin_site, db.session()
    form, error = _settings_form(site), None
    if request.method == "POST":
        before = _settings_form(site)
        form = {k: form_text(k) for k in form}
        form["locales"] = " ".join(site_form.chosen(request.form, site))
        for key in ("primary", "accent"):
            form[key] = site_form.kept_colour(key, form[key], before[key])
        try:
            site_form.check_contrast(before["primary"], form["primary"])
            manage.update_site(sess, site, name=form["name"],
                               appearance={**{k: form[k] for k in COLOURS_AND_LOGO},
                                           **site_form.logo(sess, site, form["logo"], before["logo"]),
                                           "name": {code: form[f"name:{code}"] for code in _name_locales(site)},
                                           "tagline": {code: form[f"tagline:{code}"] for code in site.locales}},
                               settings={"review_interval_days": form["review_interval_days"] or None,
                                         "readability_grade": form["readability_grade"] or None,
                                         "review_pages": form["review_pages"] == "1",
                                         "four_eyes": form["four_eyes"] == "1"})
            manage.set_locales(sess, site, form["locales"].split(), form["default_locale"] or None)
            changed = {k: v for k, v in _settings_form(site).items() if before.get(k) != v}
            if changed:
                audit.record(sess, g.user, "site.changed", site=site, target=site.slug, changes=changed)
            sess.commit()
        except manage.ConfigError as exc:
            sess.rollback()
            error = str(exc)
        else:
            flash(_("Settings saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("admin.settings"))
    locale_options = [(code, f"{language_name(code)} ({code})") for code in site.locales]
    codes = form["locales"].split()
    colours = {key: shown(key, form[key]) for key in ("primary", "accent")}
    return render_template("admin/site_settings.html", site=site, form=form, error=error,
                           locale_options=locale_options, languages=site_form.choices(site, codes, g.locale),
                           other_languages=site_form.typed(site, codes), colours=colours,
                           contrast=contrast_on_white(colours["primary"]), min_contrast=MIN_CONTRAST,
                           ratio_text=site_form.ratio_text,
                           logo_options=site_form.logo_options(sess, site, form["logo"]),
                           decimal=get_decimal_symbol(g.locale)), 422 if error else 200


@route(bp, "/<site>/hosts", "site.hosts", methods=["POST"])
def hosts():
    """Add or remove a host name (network admins): ``add=<host>`` or ``remove=<host>``."""
    site, sess = g.admin_site, db.session()
    try:
        if form_text("add"):
            row = manage.add_host(sess, site, form_text("add"))
            audit.record(sess, g.user, "site.host_added", site=site, target=row.name)
            message = _("%(host)s now reaches this site.", host=row.name)
        elif form_text("remove"):
            manage.remove_host(sess, site, form_text("remove"))
            audit.record(sess, g.user, "site.host_removed", site=site, target=form_text("remove"))
            message = _("%(host)s no longer reaches this site.", host=form_text("remove"))
        else:
            raise manage.ConfigError(_("Enter a host name such as journal.example.org."))
        sess.commit()
    except manage.ConfigError as exc:
        sess.rollback()
        flash(str(exc), "error")
    else:
        flash(message, "success")
    return redirect(url_for("admin.settings") + "#hosts")


@route(bp, "/<site>/members", "members.manage", methods=["GET", "POST"])
def members():
    """The site's members and their roles; give a role to an e-mail address
    (an invitation when it has no account yet)."""
    site, sess = g.admin_site, db.session()
    error, form = None, {"email": "", "role": "editor", "locales": []}
    if request.method == "POST":
        form = {"email": form_text("email"), "role": form_text("role"),
                "locales": [code for code in request.form.getlist("locales") if code]}
        try:
            user, granted, message = invitations.add_member(sess, form["email"], site, form["role"],
                                                            inviter=g.user.name or g.user.email,
                                                            locales=form["locales"])
            if granted:
                audit.record(sess, g.user, "member.granted", site=site, target=user.email, role=form["role"],
                             **({"locales": form["locales"]} if form["locales"] else {}))
            sess.commit()
        except accounts.AccountError as exc:
            sess.rollback()
            error = str(exc)
        else:
            if granted:
                flash(_("%(email)s is now %(role)s on this site.", email=user.email,
                        role=role_label(form["role"])), "success")
            else:
                flash(_("%(email)s already has that role.", email=user.email), "info")
            send_in_background([message] if message else [], f"the new-member message for {site.slug}")
            return redirect(url_for("admin.members"))
    rows = sess.execute(select(Membership, User).join(User, User.id == Membership.user_id)
                        .where(Membership.site_id == site.id).order_by(User.email, Membership.role)).all()
    return render_template("admin/members.html", site=site, rows=rows, form=form, error=error,
                           role_options=[(r, role_label(r)) for r in accounts.ROLES],
                           language_options=[(code, language_here(code)) for code in site.locales]
                           ), 422 if error else 200


@route(bp, "/<site>/members/<int:membership_id>/revoke", "members.manage", methods=["POST"])
def member_revoke(membership_id: int):
    """Remove one role of one member (the membership must belong to this site).

    The site's last site admin keeps the role (the page says to give it to another
    account first), so a site admin cannot lock the site out of its own admin.
    """
    site, sess = g.admin_site, db.session()
    membership = membership_or_404(membership_id)
    user = sess.get(User, membership.user_id)
    if user is None:
        abort(404)
    try:
        accounts.revoke(sess, user, site, membership.role)
    except accounts.AccountError as exc:
        sess.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.members"))
    audit.record(sess, g.user, "member.revoked", site=site, target=user.email, role=membership.role)
    sess.commit()
    flash(_("%(email)s is no longer %(role)s on this site.", email=user.email, role=role_label(membership.role)),
          "success")
    return redirect(url_for("admin.members"))

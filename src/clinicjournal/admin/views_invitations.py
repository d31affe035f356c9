"""Invitations in the browser: a network admin invites from the Accounts page;
the person invited chooses a password from the mailed link and is signed in."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..mail.compose import send_quietly
from ..store import audit, db
from ..store.models import Site
from . import accounts, bp, invitations, tokens
from .roles import PUBLIC, route
from .ui import form_text
from .views_password import password_from_link


@bp.context_processor
def _invitation_roles() -> dict:
    """The roles the Accounts page's invitation form offers (it is also rendered by views_home)."""
    return {"account_roles": accounts.ROLES}


def accounts_page_context(sess) -> dict:
    """What the Accounts page shows besides its forms."""
    return {"users": accounts.list_users(sess), "slugs": accounts.site_slugs(sess)}


@route(bp, "/accounts/invite", "network", methods=["POST"])
def account_invite():
    """Invite someone by e-mail (network admins), optionally with a role on a site."""
    sess = db.session()
    form = {"email": form_text("email"), "name": form_text("name"), "site": form_text("site"),
            "role": form_text("role"), "network_admin": request.form.get("network_admin") == "1"}
    site = sess.scalar(select(Site).where(Site.slug == form["site"])) if form["site"] else None
    try:
        if form["site"] and site is None:
            raise accounts.AccountError(_("Choose one of the sites in the list."))
        user = invitations.invite(sess, form["email"], name=form["name"], site=site, role=form["role"] or None,
                                  network_admin=form["network_admin"])
        message = invitations.invitation_message(sess, user, inviter=g.user.name or g.user.email, site=site,
                                                 role=form["role"] or None)
        audit.record(sess, g.user, "user.invited", site=site, target=user.email, role=form["role"] or None,
                     network_admin=user.is_network_admin)
        sess.commit()
    except accounts.AccountError as exc:
        sess.rollback()
        return render_template("admin/accounts.html", form=form, error=str(exc),
                               **accounts_page_context(sess)), 422
    send_invitation(user, message)
    return redirect(url_for("admin.accounts_page"))


def send_invitation(user, message) -> None:
    """Send an invitation (committed already) now, and say whether it went: the
    network admin waits for the answer, so a refused mail is told at once."""
    if send_quietly([message], "an invitation"):
        flash(ngettext("Invitation sent to %(email)s. The link in it works for %(num)d day.",
                       "Invitation sent to %(email)s. The link in it works for %(num)d days.",
                       current_app.config["INVITATION_DAYS"], email=user.email), "success")
    else:
        flash(_("The account for %(email)s is ready, but the invitation could not be sent: the mail server "
                "refused it. Check the mail settings (see the deployment guide), then invite the same address "
                "again.", email=user.email), "error")


@route(bp, "/welcome/<token>", PUBLIC, methods=["GET", "POST"])
def accept_invitation(token: str):
    """Accept an invitation: choose a name and a password, then be signed in.

    :raise 404: for a link that is unknown, used, expired, or whose account
        already has a password or was disabled.
    """
    return password_from_link(token, tokens.INVITATION, action="user.invitation_accepted", takes_name=True,
                              success=_("Welcome! Your password is set and you are signed in."))

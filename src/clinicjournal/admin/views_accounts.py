"""Accounts, for network admins: the list, and one page per account to rename it,
disable or enable it, mail it a password-reset link or send its invitation again.

The rules are the ones ``clinicjournal user ...`` applies (:mod:`.accounts`);
this module only asks for them, records each step in the audit log and says
what happened. Nobody's password is shown or set here: a reset link lets its
owner choose one.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from ..i18n import language_here
from ..mail.compose import send_quietly
from ..store import audit, db
from ..store.models import User
from . import accounts, bp, catalog_grants, invitations, sessions, tokens
from .roles import route
from .ui import form_text
from .views_invitations import accounts_page_context, send_invitation
from .views_password import reset_message


@route(bp, "/accounts", "network")
def accounts_page():
    """Every account, and the form that invites new people (network admins)."""
    form = {"email": "", "name": "", "site": "", "role": "", "network_admin": False}
    return render_template("admin/accounts.html", form=form, error=None, **accounts_page_context(db.session()))


def _user_or_404(user_id: int) -> User:
    user = db.session().get(User, user_id)
    if user is None:
        abort(404)
    return user


def _page(user: User, *, error: str | None = None, members_site: str | None = None,
          name: str | None = None, name_error: str | None = None):
    """The account's page; with a refusal (``error``, or ``name_error`` for the
    name field, which keeps what was typed) it answers 422."""
    sess = db.session()
    status = 422 if error or name_error else 200
    return render_template(
        "admin/account.html", account=user, error=error, members_site=members_site,
        name=user.name if name is None else name, name_error=name_error,
        pending=invitations.is_pending(user), invitation=tokens.pending_invitation(sess, user),
        session_count=len(sessions.of_user(sess, user)),
        shared_languages=[(code, language_here(code)) for code in catalog_grants.shared_locales()],
        shared_granted=catalog_grants.granted(sess, user)), status


def rename_from_form(user: User, done: str):
    """Set ``user``'s full name from the form's ``name`` field, audited; flashes
    ``done`` (or "Nothing changed."). Returns the refusal in words, or None."""
    sess, before = db.session(), user.name
    try:
        changed = accounts.set_name(user, form_text("name"))
    except accounts.AccountError as exc:
        sess.rollback()
        return str(exc)
    if changed:
        audit.record(sess, g.user, "user.renamed", target=user.email, before=before, after=user.name)
        sess.commit()
    flash(done if changed else _("Nothing changed."), "success")
    return None


@route(bp, "/accounts/<int:user_id>", "network")
def account_page(user_id: int):
    """One account: its state, roles and sessions, and what a network admin can do with it."""
    return _page(_user_or_404(user_id))


def _back(user: User):
    return redirect(url_for("admin.account_page", user_id=user.id))


@route(bp, "/accounts/<int:user_id>/name", "network", methods=["POST"])
def account_rename(user_id: int):
    """Change the account's full name: what readers see on the articles it signs off."""
    user = _user_or_404(user_id)
    typed = form_text("name")
    refused = rename_from_form(user, _("%(email)s is now called %(name)s.", email=user.email, name=typed))
    return _page(user, name=typed, name_error=refused) if refused else _back(user)


def _set_active(user_id: int, active: bool):
    sess, user = db.session(), _user_or_404(user_id)
    try:
        changed = accounts.set_active(sess, user, active, by=g.user)
    except accounts.LastSiteAdmin as exc:
        sess.rollback()
        return _page(user, error=str(exc), members_site=exc.site_slug)
    except accounts.AccountError as exc:
        sess.rollback()
        return _page(user, error=str(exc))
    if changed:
        audit.record(sess, g.user, "user.enabled" if active else "user.disabled", target=user.email)
    sess.commit()
    if not changed:
        flash(_("Nothing changed."), "info")
    elif active:
        flash(_("%(email)s can sign in again.", email=user.email), "success")
    else:
        flash(_("%(email)s can no longer sign in, and every session of the account has ended. Its roles and "
                "its work are kept.", email=user.email), "success")
    return _back(user)


@route(bp, "/accounts/<int:user_id>/disable", "network", methods=["POST"])
def account_disable(user_id: int):
    """Stop the account signing in and end its sessions (refused for a site's last
    site admin, and for the network admin's own account)."""
    return _set_active(user_id, False)


@route(bp, "/accounts/<int:user_id>/enable", "network", methods=["POST"])
def account_enable(user_id: int):
    """Let a disabled account sign in again."""
    return _set_active(user_id, True)


def _refuse_mail(user: User) -> str | None:
    """Why no mailed link can open ``user``'s account now, or None."""
    if not user.active:
        return _("%(email)s is disabled, so a link would not open the account; enable it first.", email=user.email)
    return None


@route(bp, "/accounts/<int:user_id>/password-reset", "network", methods=["POST"])
def account_password_reset(user_id: int):
    """Mail the account the single-use link "Forgot your password?" sends."""
    sess, user = db.session(), _user_or_404(user_id)
    refused = _refuse_mail(user) or (invitations.is_pending(user) and _(
        "%(email)s has not chosen a password yet; send the invitation again instead.", email=user.email))
    if refused:
        return _page(user, error=refused)
    message = reset_message(sess, user, sent_by=g.user.name or g.user.email)
    audit.record(sess, g.user, "user.password_reset_sent", target=user.email)
    sess.commit()
    if send_quietly([message], "a password-reset link"):
        flash(ngettext("A link to choose a new password was sent to %(email)s. It works once, for %(num)d minute; "
                       "until it is used the password stays as it is.",
                       "A link to choose a new password was sent to %(email)s. It works once, for %(num)d minutes; "
                       "until it is used the password stays as it is.",
                       int(current_app.config["PASSWORD_RESET_MINUTES"]), email=user.email), "success")
    else:
        flash(_("The link for %(email)s could not be sent: the mail server refused it. Check the mail settings "
                "(see the deployment guide), then try again.", email=user.email), "error")
    return _back(user)


@route(bp, "/accounts/<int:user_id>/invitation", "network", methods=["POST"])
def account_reinvite(user_id: int):
    """Send the invitation again, with a new link, to an account that has not chosen a password yet."""
    sess, user = db.session(), _user_or_404(user_id)
    refused = _refuse_mail(user) or (not invitations.is_pending(user) and _(
        "%(email)s has already chosen a password, so there is no invitation to send; send a password-reset "
        "link instead.", email=user.email))
    if refused:
        return _page(user, error=refused)
    message = invitations.reinvitation_message(sess, user, inviter=g.user.name or g.user.email)
    audit.record(sess, g.user, "user.invitation_resent", target=user.email)
    sess.commit()
    send_invitation(user, message)
    return _back(user)


@route(bp, "/accounts/<int:user_id>/shared-translations", "network", methods=["POST"])
def account_shared_translations(user_id: int):
    """The languages of the shared catalogs this account may edit (the Translations screens)."""
    user, sess = _user_or_404(user_id), db.session()
    changed = catalog_grants.set_granted(sess, user, set(request.form.getlist("locales")), catalog_grants.shared_locales(), g.user)
    sess.commit()
    flash(_("Saved: %(email)s edits the shared translations of the languages ticked.", email=user.email)
          if changed else _("Nothing changed."), "success")
    return _back(user)

"""Your account, for every signed-in user: your full name, your password, your
notifications (:mod:`.views_notifications`) and your sessions.

Each session listed is one of the user's own rows in ``admin_session``; ending
one looks it up by id *and* user, so another person's session id is a 404.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from ..store import audit, db
from . import accounts, auth, bp, sessions
from .roles import SIGNED_IN, route
from .ui import form_text
from .views_accounts import rename_from_form
from .views_notifications import notification_choices

#: (what a User-Agent header contains, the name to show), first match wins: Edge
#: and Opera also say "Chrome", Chrome also says "Safari", Android also "Linux".
BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
           ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device_of(user_agent: str) -> str:
    """A browser's User-Agent header in words a person recognises: "Firefox on Windows"."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in SYSTEMS if mark in user_agent), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown browser")


def _page(*, name: str | None = None, name_error: str | None = None, current_error: str | None = None,
          new_error: str | None = None):
    sess, user = db.session(), g.user
    rows = [(row, device_of(row.user_agent or "")) for row in sessions.of_user(sess, user)]
    status = 422 if name_error or current_error or new_error else 200
    return render_template("admin/your_account.html", name=user.name if name is None else name,
                           name_error=name_error, current_error=current_error, new_error=new_error,
                           sessions=rows, this_session=g.admin_session.id,
                           **notification_choices(sess, user)), status


def _back():
    # to the top of the page, where the message saying what happened is
    return redirect(url_for("admin.your_account"))


@route(bp, "/account", SIGNED_IN)
def your_account():
    """The signed-in user's name, password, notifications and sessions."""
    return _page()


@route(bp, "/account/name", SIGNED_IN, methods=["POST"])
def your_name():
    """Change your own full name."""
    typed = form_text("name")
    refused = rename_from_form(g.user, _("Your name is now %(name)s.", name=typed))
    return _page(name=typed, name_error=refused) if refused else _back()


@route(bp, "/account/password", SIGNED_IN, methods=["POST"])
def your_password():
    """Change your own password: the current one first, then the new one twice.
    Every other session ends; this one stays signed in."""
    sess, user = db.session(), g.user
    refused = auth.confirm_password(sess, user, request.form.get("current_password", ""))
    if refused:
        try:
            sess.commit()  # the failure counts, though nothing else changes
        except IntegrityError:  # another worker counted the same key first
            sess.rollback()
        return _page(current_error=refused)
    password = request.form.get("password", "")
    try:
        if password != request.form.get("password_confirm", ""):
            raise accounts.AccountError(_("The two passwords are not the same."))
        accounts.set_password(user, password, auth.password_hasher(), keep_session=session.get("sid"))
    except accounts.AccountError as exc:
        sess.rollback()
        return _page(new_error=str(exc))
    audit.record(sess, user, "user.password_changed", target=user.email)
    sess.commit()
    flash(_("Your password is changed. Every other session of your account has ended; this one stays "
            "signed in."), "success")
    return _back()


@route(bp, "/account/sessions/<int:session_id>/end", SIGNED_IN, methods=["POST"])
def your_session_end(session_id: int):
    """End one of your own sessions (ending this one signs you out).

    :raise 404: for a session that is not yours, or no longer exists.
    """
    sess, user = db.session(), g.user
    this = session_id == g.admin_session.id
    if not sessions.end_one(sess, user, session_id):
        abort(404)
    audit.record(sess, user, "user.session_ended", target=user.email, this_session=this)
    sess.commit()
    if this:
        session.clear()
        flash(_("You are signed out."), "success")
        return redirect(url_for("admin.login"))
    flash(_("That session has ended: the browser that used it is signed out."), "success")
    return _back()


@route(bp, "/account/sessions/end-others", SIGNED_IN, methods=["POST"])
def your_sessions_end_others():
    """End every session of yours but this one."""
    sess, user = db.session(), g.user
    ended = sessions.end_all(sess, user, keep=session.get("sid"))
    audit.record(sess, user, "user.signed_out_others", target=user.email, sessions=ended)
    sess.commit()
    flash(ngettext("%(num)d other session ended; this one stays signed in.",
                   "%(num)d other sessions ended; this one stays signed in.", ended) if ended
          else _("You had no other sessions."), "success")
    return _back()

""""Forgot your password?": a mailed, single-use link to choose a new one.

The answer to a request is the same page, in the same time, whether or not an
account uses the address: for an unknown address the same message is still
composed (and dropped), and a real one is handed to the mail server in a
thread of its own (``send_in_background``), so a slow SMTP server does not tell
either. Requests are counted in ``login_throttle``: past
``PASSWORD_RESET_MAX_PER_ACCOUNT`` within the window an address gets no more
mail (the page still reads the same), past ``PASSWORD_RESET_MAX_PER_ADDRESS`` a
client address gets a 429.

A link works for ``PASSWORD_RESET_MINUTES``, once, and not after the password
changed in any way (admin/tokens.py). Using it ends every session of the account
and signs this browser in.
"""

from __future__ import annotations

import datetime as dt
import logging
import math

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_mailman import EmailMultiAlternatives
from sqlalchemy.exc import IntegrityError

from ..mail import accounts as letters
from ..mail import links, preferences
from ..mail.compose import compose, send_in_background
from ..store import audit, db
from ..store.models import LoginThrottle, User, utcnow
from . import accounts, bp, tokens
from .auth import begin_session, password_hasher
from .roles import PUBLIC, route
from .ui import form_text

log = logging.getLogger("clinicjournal.admin")


def _count(sess, key: str, limit: int, now: dt.datetime) -> bool:
    """Count one request against ``key``; True when it is over ``limit`` in the window."""
    window = dt.timedelta(minutes=current_app.config["PASSWORD_RESET_WINDOW_MINUTES"])
    row = sess.get(LoginThrottle, key[:400])
    if row is None:
        row = LoginThrottle(key=key[:400], failures=0, first_failure=now)
        sess.add(row)
    if row.first_failure < now - window:
        row.failures, row.first_failure = 0, now
    row.failures += 1
    return row.failures > limit


def _too_many(now: dt.datetime):
    window = current_app.config["PASSWORD_RESET_WINDOW_MINUTES"]
    response = current_app.make_response((render_template(
        "admin/forgot_password.html", email="", sent=False,
        error=ngettext("Too many requests for new passwords came from your network. Please try again in %(num)d "
                       "minute.", "Too many requests for new passwords came from your network. Please try again "
                       "in %(num)d minutes.", window)), 429))
    response.headers["Retry-After"] = str(math.ceil(window * 60))
    return response


@route(bp, "/password/forgot", PUBLIC, methods=["GET", "POST"])
def forgot_password():
    """Ask for a link to choose a new password.

    :raise 429: when the client address asked too often.
    """
    if request.method == "GET":
        return render_template("admin/forgot_password.html", email=request.args.get("email", "")[:320],
                               sent=False, error=None)
    cfg, sess, now = current_app.config, db.session(), utcnow()
    typed = form_text("email")[:320]
    email = accounts.normalise_email(typed)
    if not accounts.EMAIL.match(email):
        return render_template("admin/forgot_password.html", email=typed, sent=False,
                               error=_("Enter the e-mail address you sign in with.")), 422
    if _count(sess, f"reset-addr:{request.remote_addr or '?'}", cfg["PASSWORD_RESET_MAX_PER_ADDRESS"], now):
        sess.commit()
        return _too_many(now)
    quiet = _count(sess, f"reset-email:{email}", cfg["PASSWORD_RESET_MAX_PER_ACCOUNT"], now)
    user = accounts.find_user(sess, email)
    real = user is not None and user.active and not quiet
    # The same work for an address without an account: a stand-in is written to, and dropped.
    message = reset_message(sess, user if real else User(email=email, name=""), stored=real)
    audit.record(sess, email, "user.password_reset_requested", target=email, address=request.remote_addr,
                 mailed=real)
    try:
        sess.commit()
    except IntegrityError:  # another worker counted the same key first: answer alike, send nothing
        sess.rollback()
        real = False
    send_in_background([message] if real else [], "a password-reset link")
    return render_template("admin/forgot_password.html", email=typed, sent=True,
                           minutes=int(cfg["PASSWORD_RESET_MINUTES"]), error=None)


def reset_message(sess, user: User, *, stored: bool = True, sent_by: str | None = None) -> EmailMultiAlternatives:
    """A new single-use link to choose a password for ``user`` and the mail that
    carries it, in their language; commit, then send it. The link is stored only
    when ``stored`` (a stand-in for an unknown address is composed alike and
    dropped). ``sent_by`` names the network admin who sent it, for the mail."""
    minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
    token = tokens.new_token()
    if stored:
        tokens.store(sess, user, tokens.RESET, token, dt.timedelta(minutes=minutes))
    link = links.admin_url("admin.reset_password", token=token)
    locale = preferences.locale_for(sess, user if stored else None)
    return compose(user.email, locale, lambda: letters.password_reset(user, link, minutes, sent_by=sent_by))


def _no_referrer(response):
    response.headers["Referrer-Policy"] = "no-referrer"  # the token must not leak to linked sites
    return response


def password_from_link(token: str, purpose: str, *, action: str, success: str, takes_name: bool, **detail):
    """The page a mailed link opens (an invitation or a reset): choose a password
    (and a name, for an invitation), then be signed in with a fresh session.

    :raise 404: for a link that is unknown, used, expired or outdated by a password change.
    """
    sess = db.session()
    found = tokens.find(sess, token, purpose)
    if found is None:
        return _no_referrer(current_app.make_response((render_template("admin/link_expired.html", kind=purpose),
                                                       404)))
    row, user = found
    error, name = None, user.name
    if request.method == "POST":
        password, confirm = request.form.get("password", ""), request.form.get("password_confirm", "")
        try:
            if password != confirm:
                raise accounts.AccountError(_("The two passwords are not the same."))
            if takes_name:
                name = form_text("name")[:200]
                user.name = name or user.name
            accounts.set_password(user, password, password_hasher())  # ends every session of the account
        except accounts.AccountError as exc:
            sess.rollback()
            error = str(exc)
        else:
            if not tokens.use(sess, row):  # another tab used it first
                sess.rollback()
                return password_from_link(token, purpose, action=action, success=success, takes_name=takes_name)
            audit.record(sess, user, action, target=user.email, **detail)
            begin_session(sess, user)
            flash(success, "success")
            return redirect(url_for("admin.home"))
    return _no_referrer(current_app.make_response((render_template(
        "admin/set_password.html", kind=purpose, user=user, name=name, error=error), 422 if error else 200)))


@route(bp, "/password/reset/<token>", PUBLIC, methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password with a mailed link; signs in and ends every other session.

    :raise 404: for a link that is unknown, used, expired or outdated by a password change.
    """
    return password_from_link(
        token, tokens.RESET, action="user.password_reset", takes_name=False, address=request.remote_addr,
        success=_("Your new password is set and you are signed in. Every other session of your account has ended."))

"""Signing in and out, the session cookie, and the login throttle.

* The session cookie is HttpOnly and SameSite=Lax, and Secure whenever the
  request came over HTTPS (with ``PROXY_FIX`` set, as told by the proxy's
  X-Forwarded-Proto).
* The cookie carries only a token for a row in ``admin_session``
  (:mod:`.sessions`): signing out deletes it, so a copy of the cookie taken
  before opens nothing afterwards; "Sign out everywhere", a password change,
  a lost role or a disabled account delete the user's other rows too. A
  session ends after ``ADMIN_SESSION_HOURS``, or ``ADMIN_IDLE_MINUTES``
  without a request.
* "Forgot your password?" (:mod:`.views_password`) and invitations
  (:mod:`.views_invitations`) end in :func:`begin_session` too, once their
  single-use link (:mod:`.tokens`) has set the password.
* Failed sign-ins within ``LOGIN_WINDOW_MINUTES`` are counted per (account,
  client address), per account and per client address (table
  ``login_throttle``, shared by every worker). Past a key's threshold, sign-in
  for that key waits 30 s, and twice as long after each further failure: up to
  ``LOGIN_LOCK_MINUTES`` for one account from one address (someone's typos lock
  only themselves, not colleagues behind the clinic's shared address) and for
  one address (``LOGIN_ADDRESS_MAX_FAILURES``, high for shared NATs), but at
  most ``LOGIN_ACCOUNT_MAX_DELAY_SECONDS`` for an account from everywhere, so
  an attacker who knows an address can slow its owner down, never lock them out.
"""

from __future__ import annotations

import datetime as dt
import math

from flask import (
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from ..store import audit, db
from ..store.models import LoginThrottle, User, utcnow
from . import accounts, bp, sessions
from .roles import PUBLIC, SIGNED_IN, route


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with ``Secure`` set for HTTPS requests.

    The cookie's signer is only built when a request sends a session cookie:
    Flask builds it for every request, and reader pages (most requests) never
    have one.
    """

    def open_session(self, app, request):
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)


def password_hasher():
    state = current_app.extensions["clinicjournal"]
    if state.password_hasher is None:
        state.password_hasher = accounts.hasher(current_app.config["ARGON2_PARAMETERS"])
    return state.password_hasher


def load_user() -> None:
    """Set ``g.user`` from the session (``None`` when signed out, ended or expired),
    and ``g.admin_session`` to its row (the "this session" of "Your account")."""
    g.user = None
    if "sid" not in session:
        return  # signed out (the session may still hold a CSRF secret for the sign-in form)
    sess = db.session()
    row = sessions.current(sess, session["sid"])
    user = sess.get(User, row.user_id) if row is not None else None
    if user is None or not user.active:
        session.clear()
        return
    g.user, g.admin_session = user, row


def to_login():
    """Where a signed-out visitor goes: the sign-in page, then back to the page they wanted."""
    if request.method == "GET":
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    flash(_("Your session has ended. Please sign in again."), "error")
    return redirect(url_for("admin.login"))


def _safe_next(target: str | None) -> str:
    """``target`` when it is a path inside the admin, else the admin's home page.

    Control characters and spaces are refused too: a CR/LF in ``next=`` would
    otherwise reach the Location header (a 500, or a header injection).
    """
    if target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target \
            and target.isprintable() and not any(c.isspace() for c in target):
        return target
    return url_for("admin.home")


# -- throttling -----------------------------------------------------------------

FIRST_DELAY_SECONDS = 30


def _throttle_rules(email: str) -> list[tuple[str, int, int]]:
    """(key, failures allowed, longest wait in seconds) for a sign-in as ``email``."""
    cfg = current_app.config
    address = request.remote_addr or "?"
    lock = cfg["LOGIN_LOCK_MINUTES"] * 60
    return [(f"pair:{email}|{address}"[:400], cfg["LOGIN_MAX_FAILURES"], lock),
            (f"email:{email}"[:400], cfg["LOGIN_ACCOUNT_MAX_FAILURES"], cfg["LOGIN_ACCOUNT_MAX_DELAY_SECONDS"]),
            (f"addr:{address}"[:400], cfg["LOGIN_ADDRESS_MAX_FAILURES"], lock)]


def _throttle_keys(email: str) -> list[str]:
    return [key for key, _limit, _longest in _throttle_rules(email)]


def locked_until(sess, keys: list[str], now: dt.datetime) -> dt.datetime | None:
    rows = [sess.get(LoginThrottle, key) for key in keys]
    until = [r.locked_until for r in rows if r is not None and r.locked_until and r.locked_until > now]
    return max(until) if until else None


def note_failure(sess, email: str, now: dt.datetime) -> bool:
    """Count a failed sign-in against each key; returns True when one now has to wait."""
    window = dt.timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    waiting = False
    for key, limit, longest in _throttle_rules(email):
        row = sess.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, first_failure=now)
            sess.add(row)
        if row.first_failure < now - window:
            row.failures, row.first_failure, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            seconds = min(longest, FIRST_DELAY_SECONDS * 2 ** min(row.failures - limit, 20))
            row.locked_until = now + dt.timedelta(seconds=seconds)
            waiting = True
    return waiting


def clear_failures(sess, keys: list[str]) -> None:
    for key in keys:
        row = sess.get(LoginThrottle, key)
        if row is not None:
            sess.delete(row)


def confirm_password(sess, user: User, password: str) -> str | None:
    """``None`` when ``password`` is ``user``'s own; else the refusal, in words.

    A wrong password counts as a failed sign-in (the caller commits), so that a
    session left open on a shared computer does not give whoever finds it
    unlimited guesses at the password behind it.
    """
    keys, now = _throttle_keys(user.email), utcnow()
    until = locked_until(sess, keys, now)
    if until is None:
        if accounts.verify_password(user, password, password_hasher()):
            clear_failures(sess, keys[:2])  # as a sign-in does: not the address's count
            return None
        if note_failure(sess, user.email, now):
            sess.flush()
            until = locked_until(sess, keys, now)
    if until is None:
        return _("That is not your current password.")
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return ngettext("Too many wrong passwords. For your security, try again in %(num)d minute.",
                    "Too many wrong passwords. For your security, try again in %(num)d minutes.", minutes)


# -- views ----------------------------------------------------------------------

def _locked_response(until: dt.datetime):
    seconds = max(1, math.ceil((until - utcnow()).total_seconds()))
    minutes = math.ceil(seconds / 60)
    message = ngettext("Too many failed sign-in attempts. For your security, signing in is paused for "
                       "%(num)d more minute (until %(time)s UTC). If you forgot your password, "
                       "choose “Forgot your password?” below to get a link by e-mail.",
                       "Too many failed sign-in attempts. For your security, signing in is paused for "
                       "%(num)d more minutes (until %(time)s UTC). If you forgot your password, "
                       "choose “Forgot your password?” below to get a link by e-mail.", minutes, time=until.strftime("%H:%M"))
    response = current_app.make_response((render_template("admin/login.html", error=message,
                                                          email=request.form.get("email", "")), 429))
    response.headers["Retry-After"] = str(seconds)
    return response


@route(bp, "/login", PUBLIC, methods=["GET", "POST"])
def login():
    """Sign in with e-mail and password.

    :raise 429: while the e-mail address or the client address is locked.
    """
    if request.method == "GET":
        if g.user is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("admin/login.html", email="", error=None)
    sess = db.session()
    email = accounts.normalise_email(request.form.get("email", ""))
    password = request.form.get("password", "")
    keys = _throttle_keys(email)
    now = utcnow()
    until = locked_until(sess, keys, now)
    if until is not None:
        return _locked_response(until)
    user = accounts.find_user(sess, email) if email else None
    if not accounts.verify_password(user, password, password_hasher()):
        try:
            just_locked = note_failure(sess, email, now)
            if just_locked:
                audit.record(sess, email or "?", "user.locked_out", target=email,
                             address=request.remote_addr)
            sess.commit()
        except IntegrityError:  # another worker counted the same key first
            sess.rollback()
            just_locked = False
        if just_locked:
            return _locked_response(locked_until(sess, keys, now) or now)
        return render_template("admin/login.html", email=email,
                               error=_("That e-mail address and password do not match an account.")), 200
    clear_failures(sess, keys[:2])  # not the address's count: one good sign-in must not reset it
    audit.record(sess, user, "user.signed_in", target=user.email, address=request.remote_addr)
    begin_session(sess, user)
    return redirect(_safe_next(request.args.get("next")))


def begin_session(sess, user: User) -> None:
    """Sign ``user`` in on this browser and commit: after a password, an accepted
    invitation or a used reset link."""
    user.last_login = utcnow()
    token = sessions.start(sess, user)
    sess.commit()
    session.clear()  # a fresh session: nothing from before sign-in carries over
    session["sid"] = token


@route(bp, "/logout", SIGNED_IN, methods=["POST"])
def logout():
    """Sign out; with ``everywhere``, end every other session of this account too."""
    sess = db.session()
    if request.form.get("everywhere"):
        ended = sessions.end_all(sess, g.user)
        audit.record(sess, g.user, "user.signed_out_everywhere", target=g.user.email, sessions=ended)
        message = _("You are signed out on every device.")
    else:
        sessions.end(sess, session.get("sid"))
        message = _("You are signed out.")
    sess.commit()
    session.clear()
    flash(message, "success")
    return redirect(url_for("admin.login"))

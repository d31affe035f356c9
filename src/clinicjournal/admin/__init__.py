"""The browser administration at ``/admin/``: accounts, sites, plugins, articles,
medical review and the audit log.

Modules: ``auth`` (sign-in, sessions, throttling), ``roles`` (who may do what on
which site), ``accounts`` (users and memberships, shared with the CLI),
``editing`` (the article editor's form ↔ authoring format, and the workflow),
and one ``views_*`` module per area. Every state-changing request is checked
for a CSRF token (Flask-WTF) before any view runs.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Flask, current_app, g, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.exc import DBAPIError

from ..i18n import language_here

bp = Blueprint("admin", __name__, url_prefix="/admin")
log = logging.getLogger("clinicjournal.admin")

UI_LOCALES = ["en", "de", "es", "fr", "ar"]
# A first word that is a word (letters, then a space, punctuation or the end).
FIRST_WORD_OF_LETTERS = re.compile(r"[^\W\d_]+[,.:;!?]?(?:\s|$)")

DEFAULTS = {
    "UI_LOCALES": UI_LOCALES,
    # Number of trusted reverse proxies in front of the app: their
    # X-Forwarded-For / X-Forwarded-Proto are believed (client address for the
    # login throttle; HTTPS for Secure cookies). 0: trust no header.
    "PROXY_FIX": 0,
    "ARGON2_PARAMETERS": {},
    # The sign-in throttle (admin/auth.py): failures within the window, counted per
    # (account, address), per account and per address, each with its own threshold;
    # past it, sign-in waits 30 s, then twice as long after each further failure.
    "LOGIN_MAX_FAILURES": 5,  # one account from one address: a person's own typos
    "LOGIN_ACCOUNT_MAX_FAILURES": 20,  # one account from anywhere: a guessing attack
    "LOGIN_ADDRESS_MAX_FAILURES": 50,  # one address: a clinic's shared NAT has many people
    "LOGIN_WINDOW_MINUTES": 15,
    "LOGIN_LOCK_MINUTES": 15,  # the longest wait, for an account from one address and for an address
    "LOGIN_ACCOUNT_MAX_DELAY_SECONDS": 60,  # the longest wait an attacker can impose on an account
    "ADMIN_SESSION_HOURS": 12,  # a staff session ends this long after sign-in
    "ADMIN_IDLE_MINUTES": 60,  # ... or after this long without a request
    "ADMIN_PER_PAGE": 50,
    "ADMIN_UPLOAD_MAX_BYTES": 1_000_000,
    # The media library (views_media.py): the largest image file accepted, in bytes
    # (it must fit in MAX_CONTENT_LENGTH, the whole request: raise both for larger
    # photos), and the most pixels, checked from the header before decoding, so a
    # small file that would take gigabytes of memory (a decompression bomb) is refused.
    "MEDIA_UPLOAD_MAX_BYTES": 3_500_000,
    "MEDIA_MAX_PIXELS": 40_000_000,
    # A CSRF token lives as long as the admin session (an editor may write for
    # more than an hour before saving).
    "WTF_CSRF_TIME_LIMIT": None,
}


def init_app(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from . import (  # noqa: F401  # noqa: F401
        auth,
        roles,
        ui,
        views_accounts,
        views_articles,
        views_audit,
        views_editor,
        views_home,
        views_invitations,
        views_media,
        views_notifications,
        views_password,
        views_people,
        views_plugins,
        views_retire,
        views_review,
        views_sites,
        views_translations,
        views_your_account,
    )

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    # Session cookie: HttpOnly, SameSite=Lax, Secure whenever the request is HTTPS.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.session_interface = auth.SessionInterface()
    # CSRF: checked by the admin's before_request (csrf.protect()), not app-wide,
    # so plugins' own routes are unaffected; reader pages are GET-only.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    state = app.extensions["clinicjournal"]
    state.csrf = CSRFProtect(app)
    state.password_hasher = None  # built on first use from ARGON2_PARAMETERS
    proxies = int(app.config["PROXY_FIX"] or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.register_blueprint(bp)
    from .views_articles import status_label
    from .views_sites import role_label

    app.jinja_env.filters["sentence"] = sentence
    app.jinja_env.filters["language_here"] = language_here
    app.jinja_env.globals.update(can=roles.can, role_label=role_label, status_label=status_label,
                                 admin_sites=roles.managed_sites, can_edit_locale=roles.can_edit_locale,
                                 public_site_url=lambda site: ui.public_url(site, site.default_locale))


@bp.url_value_preprocessor
def _pull_site(endpoint, values) -> None:
    from ..i18n import negotiate

    g.admin_site_slug = (values or {}).pop("site", None)
    # The admin speaks the user's language (among the shipped catalogs), not the site's.
    g.locale = negotiate(current_app.config["UI_LOCALES"], "en")


@bp.url_defaults
def _add_site(endpoint, values) -> None:
    site = g.get("admin_site")
    if site is not None and "site" not in values and current_app.url_map.is_endpoint_expecting(endpoint, "site"):
        values["site"] = site.slug


@bp.before_request
def _guard():
    from ..store import db
    from . import auth, roles

    # The admin's own words come from the catalogs too: read the config generation (one
    # query) so that a translation saved on another worker is shown here on this click.
    state = current_app.extensions["clinicjournal"]
    state.sites.refresh(db.session(), state.plugins)
    auth.load_user()
    if request.method in current_app.config["WTF_CSRF_METHODS"]:
        current_app.extensions["clinicjournal"].csrf.protect()
    if g.user is None and roles.REQUIRED.get(request.endpoint or "") != roles.PUBLIC:
        return auth.to_login()
    roles.authorise(request.endpoint, g.admin_site_slug)
    return None


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.vary.add("Cookie")
    return response


@bp.errorhandler(400)
@bp.errorhandler(403)
@bp.errorhandler(404)
@bp.errorhandler(405)
def _error(exc):
    from flask import render_template
    from flask_wtf.csrf import CSRFError

    code = getattr(exc, "code", 400) or 400
    return render_template("admin/error.html", code=code, csrf=isinstance(exc, CSRFError)), code


def sentence(text):
    """Refusals from the shared rules (manage.py) are sentence fragments, lower
    case first for the CLI; shown on their own they start a sentence. Only a
    first word of letters is capitalised: an e-mail address, a slug or a host
    name that opens a message stays as typed ("dr.haddad@…", not "Dr.haddad@…")."""
    if not text or not FIRST_WORD_OF_LETTERS.match(text):
        return text
    return text[:1].upper() + text[1:]


@bp.errorhandler(DBAPIError)
def _database_error(exc):
    """The database refused a change (read-only, full, locked, away): say which
    and what to do, in the admin's language, instead of a generic 503 or 500.
    A read that fails gets the app's usual page: nothing was being changed."""
    from flask import render_template
    from sqlalchemy.exc import SQLAlchemyError

    from ..i18n import negotiate
    from ..store.db import close_quietly, describe_write_error
    from ..web.errors import database_error_page

    if request.method in ("GET", "HEAD"):
        return database_error_page(exc)
    log.error("admin %s %s: the database refused it: %s", request.method, request.path, exc)
    if not g.get("locale"):
        g.locale = negotiate(current_app.config["UI_LOCALES"], "en")
    message = describe_write_error(exc, gettext("try again"))
    sess = g.get("db_session")
    try:
        if sess is not None:
            sess.rollback()  # nothing of this request is kept; the signed-in user stays loaded
        html = render_template("admin/error.html", code=503, database_error=message)
        response = current_app.make_response((html, 503))
    except SQLAlchemyError:  # the admin's pages need the database, which cannot even be read
        if g.get("db_session") is not None:
            close_quietly(g.pop("db_session"))
        response = current_app.make_response((sentence(message), 503, {"Content-Type": "text/plain"}))
    response.headers["Retry-After"] = "5"
    return response

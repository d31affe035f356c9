"""Error pages, localised like the rest of the site.

An unknown host gets a page that says no site is configured for it and shows
nothing of any site; other 404s use the site's chrome. The command that
connects a host to a site is shown on that page only to operators: under
``clinicjournal run`` / ``demo``, in debug mode, or with ``OPERATOR_HINTS`` on
(:func:`operator_hints`); the public sees the plain sentence. A request body larger
than ``MAX_CONTENT_LENGTH`` is refused with a 413 before it is read; in the
admin the page says the limit and what to do instead.
"""

from __future__ import annotations

import logging

from flask import (
    Flask,
    current_app,
    g,
    render_template,
    render_template_string,
    request,
)
from flask_babel import format_decimal, gettext
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge

from ..i18n import negotiate
from ..store.db import close_quietly
from ..store.startup import StartupError

log = logging.getLogger("clinicjournal.errors")


def init_app(app: Flask) -> None:
    app.config.setdefault("OPERATOR_HINTS", False)
    switch = app.config["OPERATOR_HINTS"]
    if switch not in (True, False):  # from the environment: JSON, so true, false, 1 or 0
        raise StartupError(f"OPERATOR_HINTS is {switch!r}, not on or off; set it to true or false, "
                           "e.g. CLINICJOURNAL_OPERATOR_HINTS=true (for development only).")
    app.config["OPERATOR_HINTS"] = bool(switch)
    app.register_error_handler(HTTPException, _http_error)
    # Found before the admin blueprint's generic handlers, which have no 413 of their own.
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    # The database is unavailable: a 503 the reader can retry, not a 500.
    for unavailable in UNAVAILABLE:
        app.register_error_handler(unavailable, _database_unavailable)
    app.register_error_handler(Exception, _server_error)


#: what a database that is down, restarting, unreachable, locked or out of connections raises
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)


def database_error_page(exc: Exception):
    """The page the app-wide handlers give for a database error: a 503 when the
    database is unavailable, else a 500 (for blueprints that handle some cases
    themselves and leave the rest to these)."""
    return _database_unavailable(exc) if isinstance(exc, UNAVAILABLE) else _server_error(exc)


def _ensure_locale() -> None:
    if g.get("locale"):
        return
    site = g.get("site")
    if site is not None:
        g.locale = negotiate(site.locales, site.default_locale)
    else:
        g.locale = negotiate(current_app.config.get("UI_LOCALES", ["en", "de", "es", "fr", "ar"]), "en")


def operator_hints() -> bool:
    """Whether error pages may tell the reader how to configure the server: only
    in development (``clinicjournal run`` and ``demo`` switch ``OPERATOR_HINTS``
    on) or in debug mode, never on a public server.

    Not "when the request comes from 127.0.0.1": behind a reverse proxy without
    ``PROXY_FIX`` (or with it set too low) every visitor's request arrives from
    the proxy on this machine, so the address proves nothing. An explicit setting
    cannot leak by a proxy's configuration."""
    return bool(current_app.config["OPERATOR_HINTS"] or current_app.debug)


def _http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400 or request.path.startswith("/static/"):
        return exc
    _ensure_locale()
    if isinstance(exc, NotFound) and g.get("site") is None:
        return render_template("unknown_host.html", host=g.get("unknown_host", request.host),
                               operator=operator_hints()), 404
    return render_template("error.html", code=exc.code, error=exc), exc.code


#: The 413 pages: the site's (or the admin's) error page with the reason and what to
#: do instead, every sentence translated in Python (see :func:`_too_large`).
_TOO_LARGE_PAGE = """{% extends "error.html" %}
{% block title %}{{ title }}{% if g.site %} · {{ g.site.name_in(g.locale) }}{% endif %}{% endblock %}
{% block main %}
<section class="notice-page">
  <h1>{{ title }}</h1>
  <p>{{ message }}</p>
  {%- if g.site %}
  <p><a href="{{ url_for("reader.index", locale=g.locale) }}">{{ back }}</a></p>
  {%- endif %}
</section>
{% endblock %}"""
_TOO_LARGE_ADMIN_PAGE = """{% extends "admin/error.html" %}
{% block title %}{{ title }}{% endblock %}
{% block content %}
<section class="card card--narrow">
  <h1>{{ title }}</h1>
  <p>{{ message }}</p>
  <p><a href="{{ url_for('admin.home') }}">{{ back }}</a></p>
</section>
{% endblock %}"""


def _megabytes(size: int) -> str:
    """``size`` bytes in megabytes, written the way the page's language writes numbers."""
    return format_decimal(size / 1_000_000, format="#,##0.###")  # a small limit is not "0 MB"


def _too_large(exc: RequestEntityTooLarge):
    """413 for a body over ``MAX_CONTENT_LENGTH`` (or over Werkzeug's multipart limits,
    ``MAX_FORM_MEMORY_SIZE`` and ``MAX_FORM_PARTS``), raised when the form is first
    looked at, before the body is read. An article upload says how large a file may
    be; other admin forms say how much they may send."""
    _ensure_locale()
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.blueprint != "admin":
        return render_template_string(
            _TOO_LARGE_PAGE, code=413, title=gettext("This request is too large"),
            message=gettext("The journal accepts requests of up to %(size)s MB; this one is larger, so it was "
                            "not read. Nothing was changed.", size=_megabytes(limit)),
            back=gettext("Go to the journal's front page")), 413
    if request.endpoint == "admin.article_upload":
        files = min(limit, current_app.config["ADMIN_UPLOAD_MAX_BYTES"])
        title = gettext("The file is too large to upload")
        message = gettext("Files of up to %(size)s MB can be uploaded; this one is larger, so nothing was saved. "
                          "Shorten the article, or split it into several articles of their own, and upload "
                          "each file again.", size=_megabytes(files))
    elif request.endpoint == "admin.media_library":
        files = min(limit, current_app.config["MEDIA_UPLOAD_MAX_BYTES"])
        title = gettext("The file is too large to upload")
        message = gettext("Images of up to %(size)s MB can be uploaded; this one is larger, so nothing was saved. "
                          "Save it smaller (2000 pixels wide is plenty) and upload it again.",
                          size=_megabytes(files))
    else:
        title = gettext("This form is too large to send")
        message = gettext("The administration accepts up to %(size)s MB at a time; this form sent more, so "
                          "nothing was saved. Shorten the article (or split it into several articles of their "
                          "own), then try again.", size=_megabytes(limit))
    return render_template_string(_TOO_LARGE_ADMIN_PAGE, code=413, title=title, message=message,
                                  back=gettext("Back to your sites")), 413


def _database_unavailable(exc: Exception):
    log.error("database unavailable: %s", exc)
    # The page must not need the database: drop the failed session and the page's
    # context, so no plugin is asked for contributions that may query it.
    g.pop("page_ctx", None)
    failed = g.pop("db_session", None)
    if failed is not None:
        close_quietly(failed)
    _ensure_locale()
    response = current_app.make_response((render_template("error.html", code=503, error=None), 503))
    response.headers["Retry-After"] = "5"
    return response


def _server_error(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    _ensure_locale()
    return render_template("error.html", code=500, error=None), 500

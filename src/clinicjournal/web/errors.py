"""Error pages, localised like the rest of the site.

An unknown host gets a page that says no site is configured for it and shows
nothing of any site; other 404s use the site's chrome.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, NotFound

from ..i18n import negotiate
from ..store.db import close_quietly

log = logging.getLogger("clinicjournal.errors")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
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


def _http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400 or request.path.startswith("/static/"):
        return exc
    _ensure_locale()
    if isinstance(exc, NotFound) and g.get("site") is None:
        return render_template("unknown_host.html", host=g.get("unknown_host", request.host)), 404
    return render_template("error.html", code=exc.code, error=exc), exc.code


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

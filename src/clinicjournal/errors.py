"""Error pages, localised like the rest of the site.

An unknown host gets a page that says no site is configured for it and shows
nothing of any site; other 404s use the site's chrome.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, NotFound

from .i18n import negotiate

log = logging.getLogger("clinicjournal.errors")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(Exception, _server_error)


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


def _database_unavailable(exc: OperationalError):
    log.error("database unavailable: %s", exc)
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

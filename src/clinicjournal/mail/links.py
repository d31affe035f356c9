"""Absolute links to admin pages, for messages.

In a web request a link uses the host the request came to (the admin works on
every host of the install). Outside one (the CLI, cron) it uses
``MAIL_BASE_URL``, else the first host name of the site the message is about,
with ``PREFERRED_URL_SCHEME`` (Flask's setting; "http" unless set), and in
development (``LOCALHOST_SITES``) ``<slug>.localhost:5000``.
``MAIL_BASE_URL``, when set, wins in both cases: behind a proxy that rewrites
the host, it is the one address staff can reach.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

from ..store.models import Site


def base_url(site: Site | None = None) -> str | None:
    """Where links point outside a request, or None when nothing says."""
    configured = current_app.config.get("MAIL_BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    if site is not None and site.hosts:
        return f"{current_app.config.get('PREFERRED_URL_SCHEME') or 'http'}://{site.hosts[0].name}"
    if current_app.config.get("LOCALHOST_SITES"):  # development: `clinicjournal run` on its default port
        return f"http://{site.slug + '.' if site is not None else ''}localhost:5000"
    return None


def admin_url(endpoint: str, site: Site | None = None, **values) -> str:
    """The absolute URL of ``endpoint`` (``admin.…``); ``site`` fills ``<site>``
    when the rule has one.

    :raise LookupError: outside a request when neither ``MAIL_BASE_URL`` nor a
        host name of ``site`` gives an address (the CLI says to set it).
    """
    if site is not None and current_app.url_map.is_endpoint_expecting(endpoint, "site"):
        values.setdefault("site", site.slug)
    if not current_app.config.get("MAIL_BASE_URL") and has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = base_url(site)
    if base is None:
        raise LookupError("no address for links in e-mail: set MAIL_BASE_URL, e.g. https://journal.example.org")
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)

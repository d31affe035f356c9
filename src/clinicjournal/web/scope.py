"""What template helpers need many times per page, looked up once per request.

Flask's ``g``, ``request`` and ``current_app`` are context-local proxies: each
use costs a lookup, and a reader page's helpers (links, cached fragments) would
make hundreds. :func:`page_scope` gathers them on first use in a request.

:func:`request_facts` is the one list of what a page reads from the request
besides its path and query string; the fragment memos and the page cache
(web/cache.py) are keyed by it, so a fact added here is in both keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request


@dataclass(frozen=True, slots=True)
class PageScope:
    state: Any  # app.extensions["clinicjournal"]
    site_id: int | None
    locale: str | None
    script_root: str
    #: what a rendered fragment of this page depends on besides its own arguments
    fragment_key: tuple
    remember: bool  # the RENDER_MEMO setting
    failures_at_start: int | None  # plugin failures counted when the request began


def request_facts(req) -> tuple[str, str, str]:
    """What a rendered page reads from the request ``req`` (a werkzeug/Flask
    ``Request``) besides its path and query string: the host as sent (case and a
    non-default port kept), the scheme (``wsgi.url_scheme``, as the server or
    ProxyFix set it from X-Forwarded-Proto / X-Forwarded-Ssl) and the script root
    (``SCRIPT_NAME``). Links, canonical URLs, hreflang, feeds, JSON-LD, form
    actions and the HSTS header all derive from these; the site is the host's.

    A page that reads anything else of the request (a header, a cookie) must be
    marked uncacheable (``g.cacheable``) or have that fact added here."""
    return req.host, req.scheme, req.script_root


def page_scope() -> PageScope:
    found = g.get("_page_scope")
    if found is None:
        state = current_app.extensions["clinicjournal"]
        site, locale = g.get("site"), g.get("locale")
        site_id = site.id if site is not None else None
        facts = request_facts(request)
        found = g._page_scope = PageScope(
            state, site_id, locale, facts[2], (state.sites.generation, site_id, locale, *facts),
            current_app.config.get("RENDER_MEMO", True), g.get("failures_at_start"))
    return found


def forget_page_scope() -> None:
    """For a request that switches ``g.site`` or ``g.locale`` part-way (the admin's preview)."""
    g.pop("_page_scope", None)

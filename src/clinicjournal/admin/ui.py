"""Small helpers the admin views share."""

from __future__ import annotations

from flask import abort, current_app, g, request, url_for

from ..store import db
from ..store.hosts import LOCAL_SUFFIX
from ..web.sites import to_view


def plugins():
    return current_app.extensions["clinicjournal"].plugins


def plugin_title(name: str) -> str:
    """A plugin's name for people, in the admin's language."""
    return plugins().title(name)


def site_view(site):
    """The reader's snapshot of ``site`` (as of this request), for calling its plugins."""
    registry = current_app.extensions["clinicjournal"].sites
    found = registry.by_slug.get(site.slug)
    return found if found is not None and found.id == site.id else to_view(site, plugins())


def page_number() -> int:
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not 1 <= int(raw) <= 100_000:  # not "²"
        abort(404)
    return int(raw)


def public_base(site) -> str | None:
    """Scheme and host where readers reach ``site`` (from this request's point of view),
    or None when no host reaches it: LOCALHOST_SITES is off (production), the site
    claims no host name and this request's host does not reach it (DEFAULT_SITE)."""
    scheme = request.scheme
    current = request.host  # may carry a port
    port = current.rsplit(":", 1)[1] if ":" in current and not current.endswith("]") else ""
    hosts = [h.name for h in site.hosts]
    if g.get("site") is not None and g.site.id == site.id:
        return f"{scheme}://{current}"
    if not current_app.config["LOCALHOST_SITES"]:
        if hosts:
            return f"{scheme}://{hosts[0]}"
        state = current_app.extensions["clinicjournal"]
        state.sites.refresh(db.session(), state.plugins)
        reached = state.sites.for_host(current, current_app.config["DEFAULT_SITE"])
        return f"{scheme}://{current}" if reached is not None and reached.id == site.id else None
    if current.split(":")[0].endswith(LOCAL_SUFFIX) or current.split(":")[0] == "localhost":
        return f"{scheme}://{site.slug}{LOCAL_SUFFIX}" + (f":{port}" if port else "")
    if hosts:
        return f"{scheme}://{hosts[0]}"
    return f"{scheme}://{site.slug}{LOCAL_SUFFIX}" + (f":{port}" if port else "")


def public_url(site, locale: str, slug: str | None = None) -> str | None:
    """Absolute URL of the reader page for an article (or the journal index), or
    None when no host reaches the site (see :func:`public_base`)."""
    base = public_base(site)
    if base is None:
        return None
    path = (url_for("reader.article", locale=locale, slug=slug) if slug
            else url_for("reader.index", locale=locale))
    return base + path


def form_text(name: str, default: str = "") -> str:
    return (request.form.get(name, default) or "").strip()

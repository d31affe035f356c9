"""Sites: the in-process registry and Host header → site resolution.

Each worker keeps every site, its hosts and its plugin configuration in memory.
Before each request it reads one integer, the install's config generation, and
reloads when another process (a CLI command, another worker, another host) has
changed anything. So a change is seen by every worker on its next request.
It also reloads when a scheduled site page (About, Disclaimer) goes live, which
no save announces: the header and footer link to it from that moment.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, abort, current_app, g, request
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.exceptions import BadHost

from ..store import db
from ..store.hosts import LOCAL_SUFFIX, normalise_host
from ..store.models import Article, Site
from .articles import utcnow, visible
from .upcoming import going_live


@dataclass(frozen=True)
class SiteView:
    """An immutable snapshot of a site, safe to share between requests."""

    id: int
    slug: str
    name: str
    default_locale: str
    locales: tuple[str, ...]
    hosts: tuple[str, ...]
    appearance: dict[str, Any]
    enabled_plugins: frozenset[str]
    plugin_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (locale, translation key) → slug of the site's pages (About, Disclaimer...)
    pages: dict[tuple[str, str], str] = field(default_factory=dict)

    def page_slug(self, translation_key: str, locale: str) -> str | None:
        return self.pages.get((locale, translation_key))

    def name_in(self, locale: str) -> str:
        """The site's name as readers of ``locale`` see it: the name written for
        that language, else :attr:`name`. Pages, feeds and structured data use it."""
        return name_in(self.appearance, self.name, locale)

    def name_locale(self, locale: str) -> str:
        """The language :meth:`name_in` is written in: ``locale`` when the site has a
        name for it, else the default locale (for ``lang`` attributes)."""
        return locale if own_name(self.appearance, locale) else self.default_locale

    def tagline(self, locale: str) -> str:
        """The site's tagline written for ``locale``, or "" (show a translated
        standard line instead)."""
        return tagline_in(self.appearance, self.default_locale, locale)

    def settings(self, plugin: str, locale: str | None = None) -> dict[str, Any]:
        """The plugin's settings on this site, with defaults filled in and
        translatable values resolved for ``locale`` (then the default locale)."""
        specs = current_app.extensions["clinicjournal"].plugins.setting_specs(plugin)
        stored = self.plugin_settings.get(plugin, {})
        resolved = {}
        for name, spec in specs.items():
            value = stored.get(name, spec.default)
            if spec.translatable and isinstance(value, dict):
                value = value.get(locale or self.default_locale) or value.get(self.default_locale) or spec.default
            resolved[name] = value
        return resolved


class SiteRegistry:
    def __init__(self) -> None:
        #: changes at every reload: what this worker's caches of site data are keyed by
        self.generation: tuple[int, int] | None = None
        self.by_slug: dict[str, SiteView] = {}
        self.by_host: dict[str, SiteView] = {}
        self._lock = threading.Lock()
        self._config_generation: int | None = None
        self._reloads = 0
        self._page_goes_live: dt.datetime | None = None  # the next scheduled site page's moment

    def refresh(self, sess: Session, plugins) -> None:
        """Reload from the database if the config generation moved or a scheduled
        site page went live."""
        current = db.config_generation(sess)
        if current == self._config_generation and not self._page_due():
            return
        with self._lock:
            if current == self._config_generation and not self._page_due():
                return
            self._load(sess, plugins)
            self._config_generation, self._reloads = current, self._reloads + 1
            self.generation = (current, self._reloads)

    def _page_due(self) -> bool:
        return self._page_goes_live is not None and utcnow() >= self._page_goes_live

    def _load(self, sess: Session, plugins) -> None:
        rows = sess.scalars(select(Site).options(selectinload(Site.hosts), selectinload(Site.plugins)))
        pages: dict[int, dict[tuple[str, str], str]] = {}
        for site_id, locale, key, slug in sess.execute(
            select(Article.site_id, Article.locale, Article.translation_key, Article.slug)
            .where(Article.kind == "page", visible())
        ):
            pages.setdefault(site_id, {})[(locale, key)] = slug
        # a scheduled site page's first moment: the registry reloads then (an extra
        # reload at its date when its publish_at is later does no harm)
        self._page_goes_live = min(going_live(sess.connection(), pages_only=True), default=None)
        by_slug, by_host = {}, {}
        for site in rows:
            view = to_view(site, plugins, pages.get(site.id, {}))
            by_slug[view.slug] = view
            for host in view.hosts:
                by_host[host] = view
        self.by_slug, self.by_host = by_slug, by_host

    def for_host(self, host: str, default_slug: str | None = None, localhost_sites: bool = False) -> SiteView | None:
        """The site that answers ``host``: the site claiming it; else, with
        ``localhost_sites`` (the LOCALHOST_SITES setting), the site ``<slug>`` for
        ``<slug>.localhost`` and ``*.<slug>.localhost``; else ``default_slug``'s
        site; else None."""
        name = normalise_host(host)
        site = self.by_host.get(name)
        if site is None and localhost_sites and name.endswith(LOCAL_SUFFIX):
            site = self.by_slug.get(name[: -len(LOCAL_SUFFIX)].rsplit(".", 1)[-1])
        if site is None and default_slug:
            site = self.by_slug.get(default_slug)
        return site


def tagline_in(appearance: dict[str, Any], default_locale: str, locale: str) -> str:
    """The tagline in ``appearance`` for ``locale``: one per language; a single
    tagline (saved before they were per language) is the default language's."""
    value = appearance.get("tagline")
    if isinstance(value, dict):
        return str(value.get(locale) or "")
    return str(value or "") if locale == default_locale else ""


def own_name(appearance: dict[str, Any], locale: str) -> str:
    """The site name written for ``locale`` in ``appearance`` (``{"name": {"de": …}}``),
    or "" when that language has none of its own."""
    value = appearance.get("name")
    return str(value.get(locale) or "") if isinstance(value, dict) else ""


def name_in(appearance: dict[str, Any], default: str, locale: str) -> str:
    """The site name for ``locale``: its own, else ``default`` (the site's name)."""
    return own_name(appearance, locale) or default


def to_view(site: Site, plugins, pages: dict | None = None) -> SiteView:
    configured = {sp.plugin: sp for sp in site.plugins}
    enabled = set()
    for name in plugins.active_names():
        row = configured.get(name)
        if (row.enabled if row is not None else plugins.default_enabled(name)):
            enabled.add(name)
    return SiteView(
        id=site.id,
        slug=site.slug,
        name=site.name,
        default_locale=site.default_locale,
        locales=tuple(site.locales),
        hosts=tuple(h.name for h in site.hosts),
        appearance=dict(site.appearance or {}),
        enabled_plugins=frozenset(enabled),
        plugin_settings={sp.plugin: dict(sp.settings or {}) for sp in site.plugins},
        pages=pages or {},
    )


def init_app(app: Flask) -> None:
    app.extensions["clinicjournal"].sites = SiteRegistry()


def resolve_site() -> SiteView:
    """The site for this request's Host header.

    :raise 400: for a malformed Host header.
    :raise 404: when no site is configured for the host.
    """
    if not request.host or isinstance(request.routing_exception, BadHost):
        # Werkzeug gives "" for a Host header that is not a valid host[:port]
        # (quotes, spaces, a port past 65535...) and cannot route one with an
        # empty label ("a..b"): a bad request, whatever DEFAULT_SITE says.
        abort(400)
    state = current_app.extensions["clinicjournal"]
    state.sites.refresh(db.session(), state.plugins)
    site = state.sites.for_host(request.host, current_app.config["DEFAULT_SITE"],
                                current_app.config["LOCALHOST_SITES"])
    if site is None:
        g.unknown_host = normalise_host(request.host)
        abort(404)
    g.site = site
    return site


def current_site() -> SiteView | None:
    return g.get("site")

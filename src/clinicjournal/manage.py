"""Changing sites and their plugin configuration: shared by the CLI and the admin UI.

Every change bumps the config generation in the same transaction, so every
worker process reloads its site registry on its next request.
"""

from __future__ import annotations

import re
from typing import Any

from babel import Locale, UnknownLocaleError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import db
from .models import Site, SiteHost, SitePlugin
from .sites import LOCAL_SUFFIX, normalise_host

SITE_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
HOST_NAME = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")


class ConfigError(ValueError):
    """A refused change; the message says what to do instead."""


def get_site(sess: Session, slug: str) -> Site:
    """:raise ConfigError: when there is no site ``slug``."""
    site = sess.scalar(select(Site).where(Site.slug == slug).options(
        selectinload(Site.hosts), selectinload(Site.plugins)))
    if site is None:
        known = ", ".join(sess.scalars(select(Site.slug).order_by(Site.slug))) or "none yet"
        raise ConfigError(f"no site {slug!r} (sites: {known}); create it with `clinicjournal site create`")
    return site


def check_locale(code: str) -> str:
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        raise ConfigError(f"{code!r} is not a locale code such as en, de, fr or pt_BR") from None
    return code


def create_site(sess: Session, slug: str, name: str, locales: list[str], hosts: list[str] = (),
                appearance: dict[str, Any] | None = None) -> Site:
    if not SITE_SLUG.match(slug):
        raise ConfigError(f"site slug {slug!r} must be lower-case letters, digits and hyphens (max 63)")
    if sess.scalar(select(Site.id).where(Site.slug == slug)):
        raise ConfigError(f"a site {slug!r} already exists; pick another slug")
    if not locales:
        raise ConfigError("give at least one --locale; the first is the default")
    locales = list(dict.fromkeys(check_locale(code) for code in locales))
    site = Site(slug=slug, name=name.strip() or slug, default_locale=locales[0], locales=locales,
                appearance=appearance or {})
    sess.add(site)
    sess.flush()
    for host in hosts:
        add_host(sess, site, host)
    db.bump_config_generation(sess)
    return site


def add_host(sess: Session, site: Site, host: str) -> SiteHost:
    name = normalise_host(host)
    if not HOST_NAME.match(name):
        raise ConfigError(f"{host!r} is not a host name such as journal.example.org")
    owner = sess.scalar(select(Site.slug).join(SiteHost).where(SiteHost.name == name))
    if owner:
        raise ConfigError(f"host {name!r} already belongs to site {owner!r}")
    if name.endswith(LOCAL_SUFFIX):
        pass  # allowed: it overrides the automatic <slug>.localhost mapping
    row = SiteHost(site=site, name=name)
    sess.add(row)
    db.bump_config_generation(sess)
    return row


def add_locale(sess: Session, site: Site, code: str) -> None:
    code = check_locale(code)
    if code not in site.locales:
        site.locales = [*site.locales, code]
        db.bump_config_generation(sess)


def site_plugin(sess: Session, site: Site, plugin: str) -> SitePlugin:
    row = next((p for p in site.plugins if p.plugin == plugin), None)
    if row is None:
        row = SitePlugin(site=site, plugin=plugin, settings={})
        sess.add(row)
    return row


def set_plugin_enabled(sess: Session, site: Site, plugin: str, enabled: bool, plugins) -> None:
    record = plugins.records.get(plugin)
    if record is None:
        raise ConfigError(f"no plugin {plugin!r}; `clinicjournal plugins list` shows the installed ones")
    if enabled and record.broken:
        raise ConfigError(f"plugin {plugin!r} is broken ({record.error}); fix or reinstall it first")
    site_plugin(sess, site, plugin).enabled = enabled
    db.bump_config_generation(sess)

"""Changing sites and their plugin configuration: shared by the CLI and the admin UI.

Every change bumps the config generation in the same transaction, so every
worker process reloads its site registry on its next request.
"""

from __future__ import annotations

import re
from typing import Any

from babel import Locale, UnknownLocaleError
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import db
from .hosts import LOCAL_SUFFIX, normalise_host
from .models import Site, SiteHost, SitePlugin

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")
LOGO_URL = re.compile(r"^(https://[^\s<>\"']+|/(?!/)[^\s<>\"']*)$", re.I)
SITE_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Admin URLs are /admin/<site slug>/...; these words are the admin's own pages.
RESERVED_SLUGS = frozenset({"login", "logout", "sites", "accounts", "audit", "static"})
HOST_NAME = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")


class ConfigError(ValueError):
    """A refused change; the message says what to do instead.

    Messages are lazy translations: the CLI prints them in English, the admin
    in its reader's language (they are turned into text where they are shown).
    """


#: how messages name a site's appearance settings
APPEARANCE_LABELS = {"primary": _l("primary"), "accent": _l("accent"), "logo": _l("logo"),
                     "tagline": _l("tagline")}


def get_site(sess: Session, slug: str) -> Site:
    """:raise ConfigError: when there is no site ``slug``."""
    site = sess.scalar(select(Site).where(Site.slug == slug).options(
        selectinload(Site.hosts), selectinload(Site.plugins)))
    if site is None:
        known = ", ".join(sess.scalars(select(Site.slug).order_by(Site.slug))) or _l("none yet")
        raise ConfigError(_l("no site %(slug)s (sites: %(known)s); create it with `clinicjournal site create`",
                             slug=repr(slug), known=known))
    return site


def check_locale(code: str) -> str:
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        raise ConfigError(_l("%(code)s is not a locale code such as en, de, fr or pt_BR", code=repr(code))) from None
    return code


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_text(label: str, value: Any) -> None:
    """:raise ConfigError: for control characters (NUL cannot even be stored)."""
    bad = CONTROL.search(value) if isinstance(value, str) else None
    if bad:
        raise ConfigError(_l("%(label)s contains the control character U+%(code)s; remove it",
                             label=label, code=f"{ord(bad.group()):04X}"))


def check_appearance(key: str, value: Any) -> None:
    """:raise ConfigError: for a colour that is not a hex colour or a logo that is not
    an https:// address or a path (the same rules for new and changed sites)."""
    if value in (None, ""):
        return
    if key in ("primary", "accent") and not (isinstance(value, str) and HEX_COLOUR.match(value)):
        raise ConfigError(_l("the %(key)s colour %(value)s must be a hex colour such as #1f5f8b",
                             key=APPEARANCE_LABELS.get(key, key), value=repr(value)))
    if key == "logo" and not (isinstance(value, str) and LOGO_URL.match(value)):
        raise ConfigError(_l("the logo %(value)s must be an https:// address or a path starting with /",
                             value=repr(value)))
    if key == "tagline" and isinstance(value, dict):  # one per language
        for code, text in value.items():
            check_locale(code)
            if text is not None:
                check_appearance(key, text)
        return
    if key == "tagline" and not isinstance(value, str):
        raise ConfigError(_l("the tagline must be text"))
    check_text(APPEARANCE_LABELS.get(key, key), value)


def create_site(sess: Session, slug: str, name: str, locales: list[str], hosts: list[str] = (),
                appearance: dict[str, Any] | None = None) -> Site:
    if not SITE_SLUG.match(slug):
        raise ConfigError(_l("the site slug %(slug)s must be lower-case letters, digits and hyphens (max 63)",
                             slug=repr(slug)))
    if slug in RESERVED_SLUGS:
        raise ConfigError(_l("%(slug)s is reserved for the admin's own pages (%(reserved)s); pick another slug",
                             slug=repr(slug), reserved=", ".join(sorted(RESERVED_SLUGS))))
    if sess.scalar(select(Site.id).where(Site.slug == slug)):
        raise ConfigError(_l("a site %(slug)s already exists; pick another slug", slug=repr(slug)))
    if not locales:
        raise ConfigError(_l("give at least one --locale; the first is the default"))
    locales = list(dict.fromkeys(check_locale(code) for code in locales))
    check_text(_l("the site name"), name)
    for key, value in (appearance or {}).items():
        check_appearance(key, value)
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
        raise ConfigError(_l("%(host)s is not a host name such as journal.example.org", host=repr(host)))
    owner = sess.scalar(select(Site.slug).join(SiteHost).where(SiteHost.name == name))
    if owner:
        raise ConfigError(_l("the host %(host)s already belongs to the site %(site)s", host=repr(name), site=repr(owner)))
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


def remove_host(sess: Session, site: Site, host: str) -> None:
    """:raise ConfigError: when ``host`` is not one of the site's host names."""
    name = normalise_host(host)
    row = next((h for h in site.hosts if h.name == name), None)
    if row is None:
        raise ConfigError(_l("the site %(site)s has no host %(host)s", site=repr(site.slug), host=repr(name)))
    site.hosts.remove(row)
    db.bump_config_generation(sess)


def set_locales(sess: Session, site: Site, locales: list[str], default: str | None = None) -> None:
    """Set the languages the site publishes in, and its default language.

    :raise ConfigError: for an unknown locale code, an empty list, a default
        that is not in the list, or removing a language that still has articles.
    """
    from .models import Article

    codes = list(dict.fromkeys(check_locale(code.strip()) for code in locales if code.strip()))
    if not codes:
        raise ConfigError(_l("a site needs at least one language"))
    default = default or (site.default_locale if site.default_locale in codes else codes[0])
    if default not in codes:
        raise ConfigError(_l("the default language %(default)s must be one of the site's languages (%(codes)s)",
                             default=repr(default), codes=", ".join(codes)))
    removed = set(site.locales) - set(codes)
    if removed and site.id is not None:
        in_use = sorted(set(sess.scalars(select(Article.locale).where(
            Article.site_id == site.id, Article.locale.in_(removed)))))
        if in_use:
            raise ConfigError(_l("the site still has articles in %(locales)s; delete or move them before "
                                 "removing the language", locales=", ".join(in_use)))
    if codes != list(site.locales) or default != site.default_locale:
        site.locales = codes
        site.default_locale = default
        db.bump_config_generation(sess)


def update_site(sess: Session, site: Site, *, name: str | None = None,
                appearance: dict[str, Any] | None = None, settings: dict[str, Any] | None = None) -> None:
    """Change a site's name, appearance keys or editorial settings (merged, ``None`` removes a key).

    :raise ConfigError: for an empty name, a colour that is not a hex colour
        (``#1f5f8b``), a logo that is not an http(s) address or a path, or a
        review interval that is not a whole number of days between 1 and 3650.
    """
    if name is not None:
        if not name.strip():
            raise ConfigError(_l("the site needs a name"))
        check_text(_l("the site name"), name)
        site.name = name.strip()[:200]
    if appearance:
        merged = dict(site.appearance or {})
        for key, value in appearance.items():
            check_appearance(key, value)
            if isinstance(value, dict):  # per language: an empty one is no tagline in that language
                value = {code: text.strip() for code, text in value.items() if text and text.strip()}
            if value in (None, "", {}):
                merged.pop(key, None)
            else:
                merged[key] = value
        site.appearance = merged
    if settings:
        merged = dict(site.settings or {})
        for key, value in settings.items():
            if key == "review_interval_days" and value is not None:
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    raise ConfigError(_l("the review interval must be a whole number of days, not %(value)s",
                                            value=repr(value))) from None
                if not 1 <= value <= 3650:
                    raise ConfigError(_l("the review interval must be between 1 and 3650 days"))
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        site.settings = merged
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
        raise ConfigError(_l("no plugin %(plugin)s; `clinicjournal plugins list` shows the installed ones",
                             plugin=repr(plugin)))
    if enabled and record.broken:
        raise ConfigError(_l("the plugin %(plugin)s is broken (%(error)s); fix or reinstall it first",
                             plugin=repr(plugin), error=record.error))
    site_plugin(sess, site, plugin).enabled = enabled
    db.bump_config_generation(sess)


DEFAULT_REVIEW_INTERVAL_DAYS = 365


def review_interval_days(site: Site) -> int:
    """Days between medical reviews of an article on ``site`` (setting ``review_interval_days``)."""
    try:
        days = int((site.settings or {}).get("review_interval_days", DEFAULT_REVIEW_INTERVAL_DAYS))
    except (TypeError, ValueError):
        return DEFAULT_REVIEW_INTERVAL_DAYS
    return days if days > 0 else DEFAULT_REVIEW_INTERVAL_DAYS

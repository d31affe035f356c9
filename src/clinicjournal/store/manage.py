"""Changing sites and their plugin configuration: shared by the CLI and the admin UI.

Every change bumps the config generation in the same transaction, so every
worker process reloads its site registry on its next request.
"""

from __future__ import annotations

import re
from typing import Any

from babel import Locale, UnknownLocaleError
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from . import db
from .hosts import LOCAL_SUFFIX, normalise_host
from .models import Article, Site, SiteHost, SitePlugin

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
    if key in ("tagline", "name") and isinstance(value, dict):  # one per language
        for code, text in value.items():
            check_locale(code)
            if text is not None:
                check_appearance(key, text)
        return
    if key == "name":  # the site's name in one language (the default one is Site.name)
        if not isinstance(value, str):
            raise ConfigError(_l("%(name)s must be text", name=_l("the site name")))
        check_text(_l("the site name"), value)
        return
    if key == "tagline" and not isinstance(value, str):
        raise ConfigError(_l("the tagline must be text"))
    check_text(APPEARANCE_LABELS.get(key, key), value)


def check_new_slug(sess: Session, slug: str, site: Site | None = None) -> str:
    """``slug`` if a new site (or ``site``, renamed) may take it.

    :raise ConfigError: for a slug that is not lower-case letters, digits and
        hyphens, a reserved one, one another site has, or one whose development
        host ``<slug>.localhost`` another site has claimed as a host name.
    """
    if not SITE_SLUG.match(slug):
        raise ConfigError(_l("the site slug %(slug)s must be lower-case letters, digits and hyphens (max 63)",
                             slug=repr(slug)))
    if slug in RESERVED_SLUGS:
        raise ConfigError(_l("%(slug)s is reserved for the admin's own pages (%(reserved)s); pick another slug",
                             slug=repr(slug), reserved=", ".join(sorted(RESERVED_SLUGS))))
    others = (Site.id != site.id,) if site is not None and site.id is not None else ()
    if sess.scalar(select(Site.id).where(Site.slug == slug, *others)):
        raise ConfigError(_l("a site %(slug)s already exists; pick another slug", slug=repr(slug)))
    local = slug + LOCAL_SUFFIX
    owner = sess.scalar(select(Site.slug).join(SiteHost).where(SiteHost.name == local, *others))
    if owner:
        raise ConfigError(_l("the host %(host)s already reaches site %(site)s; remove it there first with "
                             "`clinicjournal site remove-host %(site)s %(host)s`, or pick another slug",
                             host=local, site=owner))
    return slug


def check_host(sess: Session, site: Site | None, host: str) -> str:
    """The normal form of ``host`` if ``site`` (``None``: a site not created yet) may claim it.

    A host belongs to at most one site: a host name another site has, and
    another site's development host ``<slug>.localhost``, are refused.

    :raise ConfigError: for a malformed host name, or one that reaches a site already.
    """
    name = normalise_host(host)
    if not HOST_NAME.match(name):
        raise ConfigError(_l("%(host)s is not a host name such as journal.example.org", host=repr(host)))
    owner = sess.scalar(select(Site.slug).join(SiteHost).where(SiteHost.name == name))
    if owner and site is not None and owner == site.slug:
        raise ConfigError(_l("the host %(host)s already reaches site %(site)s; nothing to add", host=name, site=owner))
    if owner:
        raise ConfigError(_l("the host %(host)s already reaches site %(site)s; remove it there first with "
                             "`clinicjournal site remove-host %(site)s %(host)s`", host=name, site=owner))
    if name.endswith(LOCAL_SUFFIX):
        # <own slug>.localhost is allowed (it already reaches the site); another site's is not.
        other = name[: -len(LOCAL_SUFFIX)]
        if (site is None or other != site.slug) and sess.scalar(select(Site.id).where(Site.slug == other)):
            raise ConfigError(_l("the host %(host)s is the development host of site %(site)s (every site answers at "
                                 "<slug>.localhost); pick another host name", host=name, site=other))
    return name


def create_site(sess: Session, slug: str, name: str, locales: list[str], hosts: list[str] = (),
                appearance: dict[str, Any] | None = None) -> Site:
    """Create the site ``slug``, all or nothing.

    :raise ConfigError: for a bad or taken slug, no or unknown locales, a bad
        name or appearance, or a host name that is malformed or reaches a site already.
    """
    check_new_slug(sess, slug)
    if not locales:
        raise ConfigError(_l("give at least one --locale; the first is the default"))
    locales = list(dict.fromkeys(check_locale(code) for code in locales))
    check_text(_l("the site name"), name)
    for key, value in (appearance or {}).items():
        check_appearance(key, value)
    names = list(dict.fromkeys(check_host(sess, None, host) for host in hosts))
    site = Site(slug=slug, name=name.strip() or slug, default_locale=locales[0], locales=locales,
                appearance=appearance or {})
    sess.add(site)
    sess.flush()
    for host in names:
        sess.add(SiteHost(site=site, name=host))
    db.bump_config_generation(sess)
    return site


def add_host(sess: Session, site: Site, host: str) -> SiteHost:
    """Make ``host`` reach ``site``.

    :raise ConfigError: for a malformed host name, or one that reaches a site
        already (another site's host, or its ``<slug>.localhost``).
    """
    row = SiteHost(site=site, name=check_host(sess, site, host))
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
    if row is None and name == site.slug + LOCAL_SUFFIX:
        raise ConfigError(_l("the host %(host)s is the development host of site %(site)s; it cannot be removed",
                             host=name, site=site.slug))
    if row is None:
        hosts = [h.name for h in site.hosts] + [site.slug + LOCAL_SUFFIX]
        raise ConfigError(_l("the site %(site)s has no host %(host)s (its hosts: %(hosts)s)", site=repr(site.slug),
                             host=repr(name), hosts=", ".join(hosts)))
    site.hosts.remove(row)
    db.bump_config_generation(sess)


def rename_site(sess: Session, site: Site, name: str, slug: str | None = None) -> None:
    """Give ``site`` the display name ``name`` and, with ``slug``, a new slug
    (so a new ``<slug>.localhost`` and admin address); validated before anything changes.

    :raise ConfigError: for an empty name, one with control characters, or a
        slug :func:`check_new_slug` refuses.
    """
    if slug is not None and slug != site.slug:
        check_new_slug(sess, slug, site)
    update_site(sess, site, name=name)  # checks the name before it changes anything; bumps the generation
    if slug is not None:
        site.slug = slug


def articles_in(sess: Session, site: Site, locales) -> dict[str, int]:
    """How many articles (pages included) ``site`` has in each of ``locales`` that has any."""
    if site.id is None:
        return {}
    return dict(sess.execute(select(Article.locale, func.count()).where(
        Article.site_id == site.id, Article.locale.in_(list(locales))).group_by(Article.locale)).all())


def remove_locale(sess: Session, site: Site, code: str) -> None:
    """Stop publishing ``site`` in ``code``.

    :raise ConfigError: when the site does not have that language, it is the
        site's only or default language, or articles of the site still use it.
    """
    if code not in site.locales:
        raise ConfigError(_l("the site %(site)s has no language %(locale)s (its languages: %(locales)s)",
                             site=repr(site.slug), locale=repr(code), locales=", ".join(site.locales)))
    if len(site.locales) == 1:
        raise ConfigError(_l("%(locale)s is the only language of site %(site)s and a site needs one; add another "
                             "with `clinicjournal site add-locale %(site)s LOCALE` first", locale=code, site=site.slug))
    if code == site.default_locale:
        raise ConfigError(_l("%(locale)s is the default language of site %(site)s; make another language the "
                             "default first (the admin's site settings)", locale=code, site=site.slug))
    count = articles_in(sess, site, [code]).get(code, 0)
    if count:
        raise ConfigError(lazy_ngettext(
            "site %(site)s still has %(num)d article in %(locale)s; see it with `clinicjournal content status "
            "--site %(site)s`, then delete it or move it to another language first",
            "site %(site)s still has %(num)d articles in %(locale)s; see them with `clinicjournal content status "
            "--site %(site)s`, then delete them or move them to another language first",
            count, site=site.slug, locale=code))
    set_locales(sess, site, [c for c in site.locales if c != code], site.default_locale)


def set_locales(sess: Session, site: Site, locales: list[str], default: str | None = None) -> None:
    """Set the languages the site publishes in, and its default language.

    :raise ConfigError: for an unknown locale code, an empty list, a default
        that is not in the list, or removing a language that still has articles.
    """
    codes = list(dict.fromkeys(check_locale(code.strip()) for code in locales if code.strip()))
    if not codes:
        raise ConfigError(_l("a site needs at least one language"))
    default = default or (site.default_locale if site.default_locale in codes else codes[0])
    if default not in codes:
        raise ConfigError(_l("the default language %(default)s must be one of the site's languages (%(codes)s)",
                             default=repr(default), codes=", ".join(codes)))
    removed = set(site.locales) - set(codes)
    in_use = sorted(articles_in(sess, site, removed)) if removed else []
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
            if key == "readability_grade" and value is not None:
                if not str(value).strip().isdigit() or not 1 <= int(value) <= 18:
                    raise ConfigError(_l("the target reading grade must be a whole number from 1 to 18, not "
                                         "%(value)s", value=repr(value)))
                value = int(value)
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

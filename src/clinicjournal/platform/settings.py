"""Typed, strict plugin settings stored per site (and per locale when translatable).

Values are JSON in ``site_plugin.settings``; an unknown setting name or a value
of the wrong type is refused with a message that says what would be accepted.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..store import db
from ..store.manage import ConfigError, check_locale, check_text, site_plugin
from ..store.models import Site
from .hookspecs import SettingSpec

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}
URL = re.compile(r"^(https?://[^\s<>\"']+|/[^\s<>\"']*)$", re.I)


def coerce(spec: SettingSpec, raw: Any) -> Any:
    """``raw`` (text from a CLI or form, or a JSON value) as the setting's type.

    :raise ConfigError: naming the setting and what it accepts.
    """
    text = raw.strip() if isinstance(raw, str) else raw
    if spec.type in ("str", "text"):
        if not isinstance(text, str):
            raise ConfigError(_l("%(name)s must be text", name=spec.name))
        if spec.type == "str" and "\n" in text:
            raise ConfigError(_l("%(name)s must be a single line", name=spec.name))
        check_text(spec.name, text)
        return text
    if spec.type == "bool":
        if isinstance(text, bool):
            return text
        if str(text).lower() in TRUE | FALSE:
            return str(text).lower() in TRUE
        raise ConfigError(_l("%(name)s must be true or false, not %(value)s", name=spec.name, value=repr(raw)))
    if spec.type == "int":
        try:
            return int(text)
        except (TypeError, ValueError):
            raise ConfigError(_l("%(name)s must be a whole number, not %(value)s", name=spec.name,
                                    value=repr(raw))) from None
    if spec.type == "choice":
        if text not in spec.choices:
            raise ConfigError(_l("%(name)s must be one of %(choices)s, not %(value)s", name=spec.name,
                                 choices=", ".join(spec.choices), value=repr(raw)))
        return text
    if spec.type == "url":
        if text and not URL.match(str(text)):
            raise ConfigError(_l("%(name)s must be an http(s) address or a path starting with /, not %(value)s",
                                 name=spec.name, value=repr(raw)))
        return text
    raise ConfigError(_l("%(name)s has an unknown type %(type)s (a bug in the plugin)", name=spec.name,
                             type=repr(spec.type)))


def update_settings(sess: Session, site: Site, plugin: str, specs: dict[str, SettingSpec],
                    values: dict[str, Any], locale: str | None = None) -> dict[str, Any]:
    """Validate and store ``values`` for ``plugin`` on ``site``; all or nothing.

    Translatable settings are stored for ``locale`` (default: the site's default
    locale). Returns the stored settings.
    """
    if locale is not None:
        check_locale(locale)
        if locale not in site.locales:
            raise ConfigError(_l("the site %(site)s does not serve %(locale)s (%(locales)s)", site=repr(site.slug),
                                 locale=repr(locale), locales=", ".join(site.locales)))
    row = site_plugin(sess, site, plugin)
    stored = dict(row.settings or {})
    for name, raw in values.items():
        spec = specs.get(name)
        if spec is None:
            known = ", ".join(specs) or _l("none")
            raise ConfigError(_l("the plugin %(plugin)s has no setting %(name)s (settings: %(known)s)",
                                 plugin=repr(plugin), name=repr(name), known=known))
        value = coerce(spec, raw)
        if spec.translatable:
            per_locale = dict(stored.get(name) or {}) if isinstance(stored.get(name), dict) else {}
            per_locale[locale or site.default_locale] = value
            stored[name] = per_locale
        else:
            stored[name] = value
    row.settings = stored
    db.bump_config_generation(sess)
    return stored

"""UI translations (flask-babel), locale negotiation and localised formatting.

Catalogs: the core's under ``translations/`` plus each loaded plugin's own
``translations/`` folder beside its code, merged at runtime. A ``.po`` newer
than its ``.mo`` is compiled at start-up, so an edited catalog is used after a
restart without a separate build step.
"""

from __future__ import annotations

import logging
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request
from babel.dates import format_skeleton
from flask_babel import Babel, format_date, get_locale, lazy_gettext, ngettext

log = logging.getLogger("clinicjournal.i18n")
PACKAGE_DIR = Path(__file__).parent


def core_catalog_dir() -> Path:
    """``translations/`` of a checkout, or the copy packed into an installed wheel."""
    packaged = PACKAGE_DIR / "translations"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent.parent / "translations"


def catalog_dirs(plugins) -> dict[str, Path]:
    """Catalog name (``core`` or a plugin name) → its translations folder."""
    dirs = {"core": core_catalog_dir()}
    for name in plugins.active_names():
        directory = plugins.records[name].directory
        if directory and (directory / "translations").is_dir():
            dirs[name] = directory / "translations"
    return dirs


def init_app(app: Flask) -> None:
    plugins = app.extensions["clinicjournal"].plugins
    dirs = catalog_dirs(plugins)
    for directory in dirs.values():
        compile_stale(directory)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(d) for d in dirs.values())
    Babel(app, locale_selector=lambda: g.get("locale") or _fallback_locale())
    app.jinja_env.globals.update(reading_time=reading_time, format_date=format_date, short_date=short_date,
                                 text_direction=text_direction, language_name=language_name)


def _fallback_locale() -> str:
    site = g.get("site")
    if site is not None:
        return negotiate(site.locales, site.default_locale)
    return "en"


def negotiate(locales, default: str) -> str:
    """The best of ``locales`` for the request's Accept-Language, else ``default``."""
    return request.accept_languages.best_match(list(locales)) or default


def compile_stale(directory: Path) -> list[Path]:
    """Compile every ``.po`` under ``directory`` whose ``.mo`` is missing or older."""
    compiled = []
    for po in directory.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=po.parent.parent.name)
            with mo.open("wb") as fh:
                write_mo(fh, catalog)
            compiled.append(mo)
        except OSError as exc:
            log.warning("%s is newer than %s but could not be compiled (%s); "
                        "run `clinicjournal translate compile`", po, mo, exc)
    return compiled


def reading_time(word_count: int) -> str:
    from .render import reading_minutes

    minutes = reading_minutes(word_count)
    return ngettext("%(num)d min read", "%(num)d min read", minutes)


def short_date(value) -> str:
    """A day-month-year date in the reader's locale: "24 Jun 2026", "24. Juni 2026"."""
    return short_date_for(value, str(get_locale()))


def short_date_for(value, locale: str) -> str:
    # Plain "en" would give the US "Jun 24, 2026"; clinics write for international
    # readers, so English uses world-English order unless a region is given.
    if locale == "en":
        locale = "en_001"
    return format_skeleton("yMMMd", value, locale=Locale.parse(locale))


def text_direction(locale: str) -> str:
    return Locale.parse(locale).character_order == "right-to-left" and "rtl" or "ltr"


def language_name(locale: str) -> str:
    """A language's own name ("Deutsch"), as a reader of it would look for it."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


__all__ = ["lazy_gettext", "negotiate", "compile_stale", "catalog_dirs", "core_catalog_dir"]

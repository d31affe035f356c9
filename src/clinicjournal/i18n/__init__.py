"""UI translations (flask-babel), locale negotiation and localised formatting.

Catalogs: the core's under ``translations/`` plus each loaded plugin's own
``translations/`` folder beside its code, read from the ``.po`` files and merged
at run time (:mod:`clinicjournal.i18n.catalogs`): an edited file is used after a
restart, and nothing is ever compiled into the code's folders. Translations edited
in the browser are rows laid over them (:mod:`clinicjournal.i18n.layer`), live on
every worker on the next request.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_skeleton
from flask import Flask, g, request
from flask_babel import Babel, format_date, get_locale, get_translations, lazy_gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

log = logging.getLogger("clinicjournal.i18n")
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the clinicjournal package


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
    from .catalogs import CatalogDomain, Catalogs
    from .layer import Layered

    state = app.extensions["clinicjournal"]
    state.catalogs = Catalogs(catalog_dirs(state.plugins))
    state.catalog_layer = Layered(state.catalogs)
    babel = Babel(app, locale_selector=lambda: g.get("locale") or _fallback_locale())
    babel.domain_instance = CatalogDomain(state.catalogs, state.catalog_layer)
    # flask-babel looks the catalog up again for every string; templates use
    # the one looked up once per request (same catalog: the locale is fixed
    # for a request once chosen).
    # Jinja's newstyle gettext marks what these return as safe markup and then
    # %-formats it, so each translation is checked and escaped here: a catalog
    # is text from translators, never HTML, and a broken placeholder in one
    # string must not take every page down.
    app.jinja_env.install_gettext_callables(
        lambda s: template_text(s, request_translations().ugettext(s)),
        lambda s, p, n: template_text(s if n == 1 else p, request_translations().ungettext(s, p, n),
                                      plural=True),
        newstyle=True,
    )
    app.jinja_env.globals.update(reading_time=reading_time, format_date=format_date, short_date=short_date,
                                 text_direction=text_direction, language_name=language_name,
                                 language_name_in=language_name_in, lang_dir=lang_dir)
    app.jinja_env.filters["bdi"] = bdi


def _lazy_string_html(self) -> Markup:
    """flask-babel's lazy strings tell Jinja and MarkupSafe they are HTML already
    (their ``__html__`` returns them as they are), so a translated category name or
    setting help would reach pages unescaped. They are text: escape them."""
    return escape(str(self))


LazyString.__html__ = _lazy_string_html

_PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>.?)")


class _AnyValue(dict):
    def __missing__(self, key):
        return 0


def placeholders_fit(msgid: str, msgstr: str, plural: bool = False) -> bool:
    """Whether ``msgstr`` formats with the variables ``msgid`` is given (plus
    ``num`` for plurals): named ``%(x)s`` placeholders only, ``%%`` for a
    percent sign."""
    allowed = {m.group("name") for m in _PLACEHOLDER.finditer(msgid) if m.group("name")}
    if plural:
        allowed.add("num")
    for match in _PLACEHOLDER.finditer(msgstr):
        if match.group(0) == "%%":
            continue
        if match.group("name") is None or match.group("name") not in allowed:
            return False
    try:
        msgstr % _AnyValue()
    except (ValueError, TypeError, KeyError):
        return False
    return True


@lru_cache(maxsize=8192)
def checked_translation(msgid: str, msgstr: str, plural: bool = False) -> str:
    """``msgstr``, or ``msgid`` when the translation's placeholders would break formatting."""
    if msgstr == msgid or placeholders_fit(msgid, msgstr, plural):
        return msgstr
    log.warning("translation of %r ignored: its placeholders do not match (%r)", msgid, msgstr)
    return msgid


@lru_cache(maxsize=8192)
def template_text(msgid: str, msgstr: str, plural: bool = False) -> Markup:
    """A translation as templates get it: checked, then escaped (it is text, not HTML)."""
    return escape(checked_translation(msgid, msgstr, plural))


def request_translations():
    found = g.get("_translations")
    if found is None:
        found = g._translations = get_translations()
    return found


def _fallback_locale() -> str:
    site = g.get("site")
    if site is not None:
        return negotiate(site.locales, site.default_locale)
    return "en"


def negotiate(locales, default: str) -> str:
    """The best of ``locales`` for the request's Accept-Language, else ``default``."""
    return request.accept_languages.best_match(list(locales)) or default


def reading_time(word_count: int) -> str:
    from ..content.render import reading_minutes

    minutes = reading_minutes(word_count)
    # String literals in the call, so message extraction finds them.
    text = request_translations().ungettext("%(num)d min read", "%(num)d min read", minutes)
    return checked_translation("%(num)d min read", text, plural=True) % {"num": minutes}


def short_date(value) -> str:
    """A day-month-year date in the reader's locale: "24 Jun 2026", "24. Juni 2026"."""
    return short_date_for(value, str(get_locale()))


@lru_cache(maxsize=4096)
def short_date_for(value, locale: str) -> str:
    # Plain "en" would give the US "Jun 24, 2026"; clinics write for international
    # readers, so English uses world-English order unless a region is given.
    if locale == "en":
        locale = "en_001"
    return format_skeleton("yMMMd", value, locale=Locale.parse(locale))


@lru_cache(maxsize=256)
def text_direction(locale: str) -> str:
    return Locale.parse(locale).character_order == "right-to-left" and "rtl" or "ltr"


def bdi(value, direction: str | None = None) -> Markup:
    """``value`` (escaped) in a ``<bdi>``: isolated from the text around it, so a
    name, an e-mail address or a query in another script keeps its own order
    ("Hooper RL, et al." stays that, not "Hooper .RL, et al" in Arabic).

    Without ``direction`` the browser takes the direction of its first strong
    character (``<bdi>`` is ``dir="auto"``); give ``"ltr"`` or ``"rtl"`` when the
    direction is known (an e-mail address is written left to right).
    """
    if direction in ("ltr", "rtl"):
        return Markup('<bdi dir="{}">{}</bdi>').format(direction, value)
    return Markup("<bdi>{}</bdi>").format(value)


@lru_cache(maxsize=256)
def lang_dir(locale: str) -> Markup:
    """`` lang="…" dir="…"`` for an element whose text is in ``locale``: an
    article title in a list, a language's own name. A ``dir`` attribute also
    isolates the element from the text around it."""
    return Markup(' lang="{}" dir="{}"').format(locale.replace("_", "-"), text_direction(locale))


@lru_cache(maxsize=1024)
def language_name_in(locale: str, reader_locale: str) -> str:
    """A language's name as it is written inside a sentence in the reader's
    language: "Englisch" on a German page, "inglés" on a Spanish one."""
    return Locale.parse(locale).get_display_name(reader_locale) or locale


def language_here(locale: str) -> str:
    """A language's name in the language of this request's interface ("German"
    in an English admin, "Allemand" in a French one)."""
    from flask_babel import get_locale

    return language_name_in(locale, str(get_locale() or "en"))


@lru_cache(maxsize=256)
def language_name(locale: str) -> str:
    """A language's own name ("Deutsch"), as a reader of it would look for it."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


__all__ = ["lazy_gettext", "negotiate", "catalog_dirs", "core_catalog_dir"]

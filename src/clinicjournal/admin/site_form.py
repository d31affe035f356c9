"""The site settings form's languages (ticked in a list of named languages,
plus codes typed for any other) and colours (colour pickers, with the contrast
white text has on the main colour)."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _

from ..i18n import language_name, language_name_in
from ..store.manage import ConfigError
from ..web.colours import MIN_CONTRAST, contrast_on_white, full_hex, shown, shown_ratio


def _known(code: str) -> bool:
    try:
        Locale.parse(code)
    except (ValueError, TypeError, UnknownLocaleError):
        return False
    return True


def offered(site) -> list[str]:
    """The languages listed with a box: the site's own, then those the admin and
    the reader's pages are translated into."""
    return [c for c in dict.fromkeys([*site.locales, *current_app.config["UI_LOCALES"]]) if _known(c)]


def _codes(text: str) -> list[str]:
    return text.replace(",", " ").split()


def chosen(form, site) -> list[str]:
    """The languages the submitted form asks for: ticked boxes (in the site's order,
    new ones after), then the codes typed in ``locales_other``. A ``locales`` value
    may hold several codes: what the form sent before it had boxes ("en de")."""
    sent = [code for value in form.getlist("locales") for code in _codes(value)]
    listed = offered(site)
    return list(dict.fromkeys([*(c for c in listed if c in sent), *(c for c in sent if c not in listed),
                               *_codes(form.get("locales_other") or "")]))


def choices(site, codes: list[str], ui: str) -> list[dict]:
    """One box per offered language: its code, its name in the admin's language
    and in its own, and whether it is ticked."""
    return [{"code": c, "name": language_name_in(c, ui), "own": language_name(c), "checked": c in codes}
            for c in offered(site)]


def typed(site, codes: list[str]) -> str:
    """The chosen codes that have no box, for the "other languages" field."""
    listed = set(offered(site))
    return " ".join(c for c in codes if c not in listed)


def kept_colour(key: str, submitted: str, stored: str) -> str:
    """What to store for colour ``key``: a colour picker always sends a colour, so
    sending the one readers already see (the default, when none was chosen) keeps
    what is stored (nothing, then) rather than pinning the default."""
    if full_hex(submitted) is not None and full_hex(submitted) == shown(key, stored):
        return stored
    return submitted


def ratio_text(ratio: float) -> str:
    return format_decimal(shown_ratio(ratio), format="0.0")


def check_contrast(before: str, after: str) -> None:
    """:raise ConfigError: for a new main colour white text is hard to read on
    (a colour saved before stays, so that other settings can still be saved)."""
    colour = full_hex(after)
    if colour is None or colour == shown("primary", before):
        return
    ratio = contrast_on_white(colour)
    if ratio < MIN_CONTRAST:
        raise ConfigError(_("The main colour %(colour)s is too light: white text on it has a contrast of "
                            "%(ratio)s:1, and readers need at least 4.5:1. Choose a darker colour.",
                            colour=after, ratio=ratio_text(ratio)))


def logo(sess, site, chosen: str, before: str) -> dict[str, str]:
    """The appearance keys for the logo the form chose: an image of the media
    library by key (``logo_key``, and ``logo``, its file's site-relative address,
    which every host of the site serves). An address typed before the library
    existed is kept while it stays chosen.

    :raise ConfigError: for a key the library does not have.
    """
    from ..content import media

    if not chosen:
        return {"logo": "", "logo_key": ""}
    if chosen == before and not media.KEY_RE.fullmatch(chosen):
        return {"logo": chosen, "logo_key": ""}
    item = media.by_keys(sess, site.id, [chosen]).get(chosen)
    if item is None:
        raise ConfigError(_("Choose the logo among the images of the media library."))
    return {"logo": media.logo_path(item), "logo_key": item.key}


def logo_options(sess, site, current: str) -> list[tuple[str, str]]:
    """(value, label) of the logo choices: none, the library's images, and an
    address typed before the library existed, while it is the logo."""
    from ..content import media

    options = [("", _("No logo"))] + [(item.key, item.key) for item in media.library(sess, site.id)]
    if current and current not in {value for value, _label in options}:
        options.append((current, _("The current address: %(address)s", address=current)))
    return options

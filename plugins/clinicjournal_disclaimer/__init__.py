"""The medical disclaimer under every article, with a link to the site's disclaimer page.

An article in a language the site has no disclaimer page in links to the
default language's page, marked with its language (``hreflang``, and the
language's own name beside the link).
"""

from babel import Locale
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from clinicjournal import Contribution, PluginInfo, SettingSpec, hookimpl

__version__ = "1.0.0"


@hookimpl
def plugin_info():
    return PluginInfo(
        name=_l("Disclaimer"),
        description=_l("Adds the site's medical disclaimer under every article."),
        settings=(
            SettingSpec("text", "text", default="", translatable=True, label=_l("Disclaimer text"),
                        help=_l("Disclaimer text; leave empty for the standard wording.")),
            SettingSpec("link", "url", default="", translatable=True, label=_l("Link to the full disclaimer"),
                        help=_l("Address of the full disclaimer; leave empty to link the site's "
                                "Disclaimer page.")),
        ),
    )


def disclaimer_link(ctx) -> str | None:
    found = disclaimer_target(ctx)
    return found[0] if found else None


def disclaimer_target(ctx) -> tuple[str, str | None] | None:
    """(address, its language) of the full disclaimer: the ``link`` setting (its
    language unknown: None), else the site's Disclaimer page in the article's
    language, else in the site's default language; None when there is none."""
    link = ctx.settings("disclaimer")["link"]
    if link:
        return link, None
    for locale in dict.fromkeys((ctx.locale, ctx.site.default_locale)):
        slug = ctx.site.page_slug("disclaimer", locale)
        if slug:
            return url_for("reader.article", locale=locale, slug=slug), locale
    return None


def _own_name(locale: str) -> tuple[str, str]:
    """A language's name in that language ("English"), for a reader who may not
    read the page's, and the direction it is written in."""
    language = Locale.parse(locale)
    name = language.get_display_name(locale) or locale
    return name[:1].upper() + name[1:], "rtl" if language.character_order == "right-to-left" else "ltr"


@hookimpl
def template_slot(slot, ctx):
    if slot != "article_footer" or ctx.page != "article":
        return None
    text = ctx.settings("disclaimer")["text"] or _(
        "This article is general information, not medical advice. It cannot replace a consultation: "
        "talk to your doctor or another qualified health professional about your own situation.")
    target = disclaimer_target(ctx)
    more = ""
    if target and target[1] not in (None, ctx.locale):  # only in another language
        tag, (name, direction) = target[1].replace("_", "-"), _own_name(target[1])
        more = Markup(' <a href="{}" hreflang="{}">{} <span lang="{}" dir="{}">({})</span></a>').format(
            target[0], tag, _("Read our full medical disclaimer."), tag, direction, name)
    elif target:
        more = Markup(' <a href="{}">{}</a>').format(target[0], _("Read our full medical disclaimer."))
    html = Markup('<aside class="disclaimer" aria-label="{}"><p><strong>{}</strong> {}{}</p></aside>').format(
        _("Medical disclaimer"), _("Medical disclaimer:"), text, more)
    return Contribution(html, priority=90)

"""The medical disclaimer under every article, with a link to the site's disclaimer page."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from clinicjournal import Contribution, PluginInfo, SettingSpec, hookimpl

__version__ = "1.0.0"


@hookimpl
def plugin_info():
    return PluginInfo(
        description=_l("Adds the site's medical disclaimer under every article."),
        settings=(
            SettingSpec("text", "text", default="", translatable=True,
                        help=_l("Disclaimer text; leave empty for the standard wording.")),
            SettingSpec("link", "url", default="", translatable=True,
                        help=_l("Address of the full disclaimer; leave empty to link the site's "
                                "Disclaimer page.")),
        ),
    )


def disclaimer_link(ctx) -> str | None:
    link = ctx.settings("disclaimer")["link"]
    if link:
        return link
    slug = ctx.site.page_slug("disclaimer", ctx.locale)
    return url_for("reader.article", locale=ctx.locale, slug=slug) if slug else None


@hookimpl
def template_slot(slot, ctx):
    if slot != "article_footer" or ctx.page != "article":
        return None
    text = ctx.settings("disclaimer")["text"] or _(
        "This article is general information, not medical advice. It cannot replace a consultation: "
        "talk to your doctor or another qualified health professional about your own situation.")
    link = disclaimer_link(ctx)
    more = Markup(' <a href="{}">{}</a>').format(link, _("Read our full medical disclaimer.")) if link else ""
    html = Markup('<aside class="disclaimer" aria-label="{}"><p><strong>{}</strong> {}{}</p></aside>').format(
        _("Medical disclaimer"), _("Medical disclaimer:"), text, more)
    return Contribution(html, priority=90)

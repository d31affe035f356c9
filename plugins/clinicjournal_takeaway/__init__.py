"""The "Key takeaway" box, from the article's ``takeaway`` front matter."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from clinicjournal import Contribution, PluginInfo, hookimpl

__version__ = "1.0.0"


@hookimpl
def plugin_info():
    return PluginInfo(name=_l("Key takeaway"),
                      description=_l("Highlights an article's key takeaway in a box after the text."))


@hookimpl
def template_slot(slot, ctx):
    if slot != "article_body_end" or ctx.article is None or not ctx.article.takeaway:
        return None
    html = Markup('<aside class="article-part takeaway" aria-labelledby="takeaway-title">'
                  '<h2 id="takeaway-title">{}</h2><p>{}</p></aside>').format(_("Key takeaway"),
                                                                              ctx.article.takeaway)
    return Contribution(html, priority=20)

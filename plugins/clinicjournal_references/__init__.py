"""Citations and the numbered Sources list.

In-text citations ``[@key]`` become superscript numbers linking to their entry
in the Sources list; each entry links back to every place that cites it.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from clinicjournal import Contribution, PluginInfo, hookimpl

from .formatting import format_entry

__version__ = "1.0.0"


@hookimpl
def plugin_info():
    return PluginInfo(description=_l("Numbered in-text citations that link to a Sources list of the "
                                     "article's references."))


def _occurrences(ctx) -> dict[int, list[str]]:
    return ctx.extra.setdefault("citation_occurrences", {})


@hookimpl(trylast=True)
def render_citation(ctx, keys, numbers):
    seen = _occurrences(ctx)
    links = []
    for number in numbers:
        anchors = seen.setdefault(number, [])
        anchor = f"cite-{number}-{len(anchors) + 1}"
        anchors.append(anchor)
        links.append(Markup('<a href="#ref-{0}" id="{1}" aria-label="{2}">{0}</a>').format(
            number, anchor, _("Source %(num)d", num=number)))
    return Markup('<sup class="cite">[{}]</sup>').format(Markup(", ").join(links))


@hookimpl
def template_slot(slot, ctx):
    if slot != "article_footer" or ctx.article is None or not ctx.article.references:
        return None
    seen = _occurrences(ctx)
    items = []
    for number, ref in ctx.numbered_references:
        backlinks = Markup(" ").join(
            Markup('<a href="#{}" aria-label="{}">↩</a>').format(a, _("Back to citation %(num)d", num=number))
            for a in seen.get(number, []))
        item_id = Markup(' id="ref-{}"').format(number) if number else Markup("")
        extra = Markup(' class="uncited"') if number is None else Markup("")
        items.append(Markup("<li{}{}>{} <span class=\"backrefs\">{}</span></li>").format(
            item_id, extra, format_entry(ref), backlinks))
    html = Markup('<section class="article-part sources" aria-labelledby="sources-title">'
                  '<h2 id="sources-title">{}</h2><ol>{}</ol></section>').format(
        _("Sources"), Markup("").join(items))
    return Contribution(html, priority=10)

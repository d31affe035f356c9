"""The "Common questions" section, from the article's ``faq`` front matter."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from clinicjournal import Contribution, HeadExtras, PluginInfo, hookimpl

__version__ = "1.0.0"


@hookimpl
def plugin_info():
    return PluginInfo(name=_l("FAQ"),
                      description=_l("Shows an article's questions and answers as a Common questions section."))


def _cited_text(ctx):
    """Answers with their citations as the body's (numbered in one sequence with
    it, linking to the Sources list), from the core's renderer; without it, as text."""
    return ctx.extra.get("cited_text") or escape


@hookimpl
def template_slot(slot, ctx):
    if slot != "article_body_end" or ctx.article is None or not ctx.article.faq:
        return None
    cited = _cited_text(ctx)
    items = Markup("").join(
        Markup('<div class="faq__item"><h3>{}</h3><p>{}</p></div>').format(item["q"], cited(item["a"]))
        for item in ctx.article.faq
    )
    html = Markup('<section class="article-part faq" aria-labelledby="faq-title">'
                  '<h2 id="faq-title">{}</h2>{}</section>').format(_("Common questions"), items)
    return Contribution(html, priority=10)


@hookimpl
def head_extras(ctx):
    """The questions as schema.org ``FAQPage``: the page's own node (same ``@id``
    as the structured data plugin's MedicalWebPage), so the page is both."""
    if ctx.page != "article" or ctx.article is None or not ctx.article.faq:
        return None
    cited = _cited_text(ctx)  # markers as their numbers: "[@key]" means nothing to a search engine
    return HeadExtras(jsonld=[{
        "@context": "https://schema.org", "@type": "FAQPage", "@id": ctx.canonical_url + "#webpage",
        "mainEntity": [{"@type": "Question", "name": item["q"],
                        "acceptedAnswer": {"@type": "Answer", "text": cited(item["a"]).striptags()}}
                       for item in ctx.article.faq],
    }])

"""Citations and the numbered Sources list.

In-text citations ``[@key]`` become superscript numbers linking to their entry
in the Sources list; each entry links back to every place that cites it. The
list is written in the clinic's own plain style or, per site, in a standard
citation style (Vancouver, APA, AMA) rendered by citeproc-py.

Sources are often in another script than the article (English papers cited in
an Arabic article), so each entry is a ``<bdi>``: it takes the direction of its
own first words, and the list's numbers, years and full stops stay where they
belong. Markers (``[1, 2]``) and addresses are left to right (``dir="ltr"``).
"""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from clinicjournal import Contribution, HeadExtras, PluginInfo, SettingSpec, hookimpl

from .csl import STYLES, format_entries
from .formatting import best_link, format_entry

__version__ = "1.1.0"


@hookimpl
def plugin_info():
    return PluginInfo(
        name=_l("References"),
        description=_l("Numbered in-text citations that link to a Sources list of the article's "
                       "references."),
        settings=(
            SettingSpec("style", "choice", default="numbered", choices=("numbered", *STYLES),
                        label=_l("Citation style"),
                        help=_l("How the Sources list is written: the clinic's plain numbered style, "
                                "or Vancouver, APA or AMA.")),
        ),
    )


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
    # Numbers and ", " in an isolated left-to-right run: "[1, 2]" on an Arabic page too.
    return Markup('<sup class="cite" dir="ltr">[{}]</sup>').format(Markup(", ").join(links))


_STYLED: dict[tuple, tuple[Markup, ...]] = {}


def _styled(article, style: str, refs: list) -> tuple[Markup, ...]:
    """citeproc is slow (milliseconds per entry): keep results per article version."""
    key = (article.id, article.version, article.modified, style,
           tuple((r.key, r.title, tuple(r.authors or ()), r.container, r.year, r.doi, r.url) for r in refs))
    found = _STYLED.get(key)
    if found is None:
        if len(_STYLED) > 4096:
            _STYLED.clear()
        found = _STYLED[key] = tuple(format_entries(refs, style))
    return found


def entries(ctx) -> list[tuple[int | None, object, Markup]]:
    """(number, reference, formatted entry) in Sources-list order."""
    numbered = ctx.numbered_references
    style = ctx.settings("references")["style"]
    if style in STYLES:
        refs = [ref for _n, ref in numbered]
        texts = [_with_link(text, ref) for text, ref in zip(_styled(ctx.article, style, refs), refs)]
    else:
        texts = [format_entry(ref) for _n, ref in numbered]
    return [(n, ref, text) for (n, ref), text in zip(numbered, texts)]


def _with_link(text: Markup, ref) -> Markup:
    """CSL entries name the DOI but do not link it: add a link readers can follow."""
    link = best_link(ref)
    return Markup('{} <a class="source-link" href="{}" dir="ltr">{}</a>').format(text, link, link) if link else text


@hookimpl
def template_slot(slot, ctx):
    if slot != "article_footer" or ctx.article is None or not ctx.article.references:
        return None
    seen = _occurrences(ctx)
    items = []
    for number, ref, text in entries(ctx):
        places = seen.get(number, [])
        # Each back-link has a name of its own: a screen reader's list of links would
        # otherwise read "Back to citation 2" twice with no way to tell the places apart.
        backlinks = Markup(" ").join(
            Markup('<a href="#{}" aria-label="{}">↩</a>').format(a, _back_label(number, place, len(places)))
            for place, a in enumerate(places, start=1))
        item_id = Markup(' id="ref-{}"').format(number) if number else Markup("")
        extra = Markup(' class="uncited"') if number is None else Markup("")
        kind = Markup(' <span class="source-kind">{}</span>').format(ref.kind) if ref.kind and "source-kind" not in text else ""
        items.append(Markup('<li{}{}><bdi class="source">{}{}</bdi> <span class="backrefs">{}</span></li>').format(
            item_id, extra, text, kind, backlinks))
    html = Markup('<section class="article-part sources" aria-labelledby="sources-title">'
                  '<h2 id="sources-title">{}</h2><ol>{}</ol></section>').format(
        _("Sources"), Markup("").join(items))
    return Contribution(html, priority=10)


def _back_label(number: int, place: int, places: int) -> str:
    if places == 1:
        return _("Back to citation %(num)d in the text", num=number)
    return _("Back to citation %(num)d in the text, place %(place)d of %(places)d",
             num=number, place=place, places=places)


# "Martineau AR", "Camargo CA Jr": a person in Vancouver style; anything else
# ("Institute of Medicine", "WHO") is taken for an organisation.
_PERSON = re.compile(r"^\S.*\s[A-Z]{1,3}(?:\s(?:Jr|Sr|II|III|IV))?\.?$")


def citation_node(ref) -> dict:
    """One reference as schema.org: a ScholarlyArticle when it appeared in a
    journal, else a CreativeWork (guidelines, reports, web pages)."""
    node = {"@type": "ScholarlyArticle" if ref.container else "CreativeWork", "name": ref.title}
    authors = [a for a in (ref.authors or []) if a.strip().rstrip(".").lower() not in ("et al", "others")]
    if authors:
        node["author"] = [{"@type": "Person" if _PERSON.match(a) else "Organization", "name": a}
                          for a in authors]
    if ref.year:
        node["datePublished"] = str(ref.year)
    if ref.container:
        node["isPartOf"] = {"@type": "Periodical", "name": ref.container}
    same = [f"https://doi.org/{ref.doi}" if ref.doi else "", ref.url,
            f"https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/" if ref.pmid else ""]
    same = list(dict.fromkeys(s for s in same if s))
    if same:
        node["sameAs"] = same if len(same) > 1 else same[0]
    if ref.doi:
        node["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": ref.doi}
    return node


@hookimpl
def head_extras(ctx):
    """``citation`` on the page's JSON-LD node (same ``@id`` as the structured
    data plugin's MedicalWebPage), in Sources-list order."""
    if ctx.page != "article" or ctx.article is None or not ctx.article.references:
        return None
    return HeadExtras(jsonld=[{
        "@context": "https://schema.org", "@type": "MedicalWebPage", "@id": ctx.canonical_url + "#webpage",
        "citation": [citation_node(ref) for _n, ref in ctx.numbered_references],
    }])

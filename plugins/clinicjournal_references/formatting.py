"""How one reference reads in the Sources list.

The title comes first and is not isolated, so the entry's ``<bdi>`` takes its
direction from the title's script; the authors are isolated on their own (an
Arabic title may have authors written in Latin letters).
"""

from markupsafe import Markup


def best_link(ref) -> str:
    if ref.url:
        return ref.url
    if ref.doi:
        return f"https://doi.org/{ref.doi}"
    if ref.pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/"
    return ""


def format_entry(ref) -> Markup:
    """Title (linked), authors, journal, year and the kind of evidence."""
    link = best_link(ref)
    title = (Markup('<a class="source-title" href="{}">{}</a>').format(link, ref.title) if link
             else Markup('<span class="source-title">{}</span>').format(ref.title))
    details = []
    if ref.authors:
        names = list(ref.authors)
        details.append(Markup("<bdi>{}</bdi>").format(", ".join(names[:3]) + (", et al" if len(names) > 3 else "")))
    if ref.container:
        details.append(Markup("<cite>{}</cite>").format(ref.container))
    if ref.year:
        details.append(str(ref.year))
    parts = [title + Markup(".") if not ref.title.rstrip().endswith((".", "?", "!")) else title]
    if details:
        parts.append(Markup(". ").join(details) + ".")
    if ref.kind:
        parts.append(Markup('<span class="source-kind">{}</span>').format(ref.kind))
    return Markup(" ").join(parts)

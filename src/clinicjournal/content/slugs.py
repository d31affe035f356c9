"""Slugs proposed from titles: lower-case ASCII letters, digits and hyphens,
transliterated from any script.

The editor asks the server for its proposal (``admin/views_editor.py``) rather
than computing one in the browser, so that a proposal and a check never come
from two different tables. python-slugify transliterates through
text-unidecode; the few letters whose spelling in Latin depends on the
language (German ä → ae, not a) are replaced first, per locale.
"""

from __future__ import annotations

from slugify import slugify

from .authoring import SLUG_RE

MAX_SLUG = 80

#: Letters spelled differently in Latin by the language's own convention (language → pairs).
LANGUAGE_REPLACEMENTS: dict[str, list[tuple[str, str]]] = {
    "de": [("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss"),
           ("ẞ", "Ss")],
    "da": [("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "Ae"), ("Ø", "Oe"), ("Å", "Aa")],
    "nb": [("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "Ae"), ("Ø", "Oe"), ("Å", "Aa")],
    "sv": [("å", "a"), ("ä", "a"), ("ö", "o")],
}
#: The Arabic tatweel only stretches a word: dropped, so "فيتامين" and "فـيتامين" give one slug.
_DROP = str.maketrans("", "", "\u0640")


def propose(title: str, locale: str = "") -> str:
    """A slug for ``title`` written in ``locale`` (empty when the title has no
    letter or digit that transliterates)."""
    language = (locale or "").replace("-", "_").split("_")[0].lower()
    text = (title or "").translate(_DROP)
    slug = slugify(text, replacements=LANGUAGE_REPLACEMENTS.get(language, []), max_length=MAX_SLUG,
                   word_boundary=True, lowercase=True)
    return slug if SLUG_RE.match(slug) else ""

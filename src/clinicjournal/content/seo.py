"""An article's own search-engine fields: ``seo_title``, ``seo_description``,
``noindex`` and ``canonical`` (docs/authoring.md, "Search fields").

They are optional front-matter keys kept in the article's ``extra`` (so they
travel with export and import and are covered by the sign-off hash like the
rest of the text, and no column is needed); :func:`check` refuses a bad value
at import or save, naming the field, and :func:`seo_of` reads them back for
the reader pages, the sitemap and the structured-data plugin.

What each one changes, decided once for every page that shows an article:

* ``seo_title``: the ``<title>`` (still followed by the site's name) and
  ``og:title`` / ``twitter:title``; the page's heading and the JSON-LD
  ``headline`` stay the article's title, which is what readers see.
* ``seo_description``: ``<meta name="description">`` and ``og:description``,
  instead of the summary.
* ``noindex: true``: ``<meta name="robots" content="noindex">`` and the article
  is left out of the sitemap (it is still listed, searchable and in feeds).
* ``canonical``: the ``<link rel="canonical">`` only (an https address, for an
  article first published elsewhere); ``og:url`` and the JSON-LD ``@id`` stay
  this page's own address, since they describe the page readers are on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .checks import Checker, shown

KEYS = ("seo_title", "seo_description", "noindex", "canonical")
#: search engines show about 60 characters of a title and 160 of a description;
#: these limits leave room without cutting an author's words for them
MAX_TITLE = 120
MAX_DESCRIPTION = 320
MAX_URL = 2000
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$", re.I)


@dataclass(frozen=True)
class Seo:
    title: str = ""
    description: str = ""
    noindex: bool = False
    canonical: str = ""


def seo_of(extra: dict[str, Any] | None) -> Seo:
    """The search fields held in an article's ``extra`` (checked when they were
    stored; anything of the wrong type reads as not set)."""
    extra = extra or {}

    def text(key: str) -> str:
        value = extra.get(key)
        return value.strip() if isinstance(value, str) else ""

    canonical = text("canonical")
    return Seo(title=text("seo_title"), description=text("seo_description"),
               noindex=extra.get("noindex") is True, canonical=canonical if canonical_problem(canonical) is None else "")


def canonical_problem(value: str) -> str | None:
    """Why ``value`` cannot be a canonical address, or None when it can: an
    absolute https URL with a host, no user name or password, no fragment."""
    if len(value) > MAX_URL:
        return f"is {len(value)} characters long; at most {MAX_URL} fit"
    if any(c.isspace() for c in value):
        return "must not contain spaces"
    parts = urlsplit(value)
    if parts.scheme.lower() != "https" or not parts.netloc:
        return f"{shown(value)} must be an absolute https address such as https://example.org/articles/vitamin-d/"
    if "@" in parts.netloc or not _HOST.match(parts.netloc):
        return f"{shown(value)} must name a host such as example.org, with no user name or password"
    if parts.fragment:
        return f"{shown(value)} must not end with a #fragment; a canonical address names a whole page"
    return None


def check(c: Checker) -> set[str]:
    """Check the search fields of ``c.meta``, refusing each bad one with its
    line; returns the keys refused (so they are not kept in ``extra``)."""
    meta, refused = c.meta, set()
    for key, limit in (("seo_title", MAX_TITLE), ("seo_description", MAX_DESCRIPTION)):
        if key in meta and meta[key] is not None:
            before = len(c.problems)
            c.text(key, meta[key], max_length=limit)
            if len(c.problems) > before:
                refused.add(key)
    if "noindex" in meta and meta["noindex"] is not None and not isinstance(meta["noindex"], bool):
        c.refuse("noindex", f"must be true or false, not {shown(meta['noindex'])}")
        refused.add("noindex")
    value = meta.get("canonical")
    if value not in (None, ""):
        problem = canonical_problem(value) if isinstance(value, str) else f"must be text, not {type(value).__name__}"
        if problem:
            c.refuse("canonical", problem)
            refused.add("canonical")
    return refused

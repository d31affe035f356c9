"""The content hash a medical sign-off covers.

A reviewer signs off one revision; the hash pins every field a reader sees, so
that a sign-off can be checked against the text at any later time (publishing,
export, import, migration) instead of being trusted because of a timestamp.

The hash is computed from a revision's snapshot (``revisions.snapshot``: plain
JSON in the authoring format's fields), in a canonical JSON form, so it is the
same on SQLite and PostgreSQL and after an export and import.

Not covered: the workflow's own facts (status, the first publication date, the
sign-off itself) and the translation key, which readers never see.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

#: Snapshot fields a reader sees. ``extra`` holds front-matter keys owned by
#: plugins (or not modelled yet), which plugins may show on the page.
HASHED_FIELDS = ("slug", "locale", "kind", "title", "summary", "body", "category", "author", "updated",
                 "takeaway", "faq", "references", "extra")
REFERENCE_FIELDS = ("key", "title", "authors", "container", "kind", "year", "doi", "pmid", "pmcid", "url")
PREFIX = "sha256:"


def _reference(ref: dict[str, Any]) -> dict[str, Any]:
    # Every field present with its default, so an absent and an empty field hash alike.
    out = {name: ref.get(name) or ("" if name not in ("authors", "year") else None) for name in REFERENCE_FIELDS}
    out["authors"] = list(ref.get("authors") or [])
    return out


def canonical(data: dict[str, Any]) -> dict[str, Any]:
    """The hashed fields of a snapshot, normalised (empty values alike)."""
    out: dict[str, Any] = {}
    for name in HASHED_FIELDS:
        value = data.get(name)
        if name == "references":
            value = [_reference(ref) for ref in value or []]
        elif name == "faq":
            value = [{"q": item.get("q", ""), "a": item.get("a", "")} for item in value or []]
        elif name == "extra":
            value = dict(value or {})
        elif name == "kind":
            value = value or "article"
        else:
            value = value or ""
        out[name] = value
    return out


def content_hash(data: dict[str, Any]) -> str:
    """``sha256:<hex>`` of a snapshot's reader-visible fields."""
    text = json.dumps(canonical(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()

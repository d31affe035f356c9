"""Sign-offs for test documents, computed as an export computes them."""

from __future__ import annotations

from typing import Any


def signoff_for(text: str, reviewer: str, date) -> dict[str, Any]:
    """The ``signoff`` block of an authored document's text, as export writes it."""
    from clinicjournal.content.authoring import check_document
    from clinicjournal.content.fingerprint import content_hash
    from clinicjournal.content.revisions import snapshot_of

    doc = check_document(text).doc
    return {"reviewer": reviewer, "date": str(date), "hash": content_hash(snapshot_of(doc))}


def signoff_yaml(text: str, reviewer: str, date) -> str:
    """The same block as front-matter lines."""
    block = signoff_for(text, reviewer, date)
    return f"signoff:\n  reviewer: {block['reviewer']}\n  date: {block['date']}\n  hash: {block['hash']}\n"

"""Article revisions: a full snapshot, in the authoring format's fields, at every save.

Written by the admin editor (every save, workflow step and restore) and by
``content.import_documents`` (labelled ``"import"``). A snapshot is plain JSON,
so it survives schema changes and can be turned back into an authoring document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import Article, Revision, User
from .authoring import ArticleData, ReferenceData
from .fingerprint import content_hash
from .writing import to_data

DATE_FIELDS = ("published", "updated", "reviewed")


def snapshot(article: Article) -> dict[str, Any]:
    """The article's authoring-format fields as JSON-safe data."""
    return snapshot_of(to_data(article))


def _json_safe(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def from_snapshot(data: dict[str, Any]) -> ArticleData:
    """The :class:`ArticleData` a snapshot was taken from."""
    fields = {f.name for f in dataclasses.fields(ArticleData)}
    values = {k: v for k, v in data.items() if k in fields}
    for name in DATE_FIELDS:
        if values.get(name):
            values[name] = dt.date.fromisoformat(values[name])
    values["references"] = [ReferenceData(**ref) for ref in values.get("references") or []]
    values["faq"] = [dict(item) for item in values.get("faq") or []]
    return ArticleData(**values)


def snapshot_of(doc: ArticleData) -> dict[str, Any]:
    """A snapshot of an :class:`ArticleData` (as :func:`snapshot` of a row holding it)."""
    data = dataclasses.asdict(doc)
    for name in ("source", "body_line", "publish_at", "expires", "signoff", "aliases"):  # not the text's
        data.pop(name, None)
    for name in DATE_FIELDS:
        if data[name] is not None:
            data[name] = data[name].isoformat()
    data["extra"] = _json_safe(data.get("extra") or {})
    return data


def record(sess: Session, article: Article, by: User | str, note: str = "",
           doc: ArticleData | None = None) -> Revision:
    """Add a revision of ``doc`` (default: ``article`` as it is now) and make it the
    article's latest revision (flushing first for a new article's id)."""
    if article.id is None:
        sess.flush()
    data = snapshot_of(doc) if doc is not None else snapshot(article)
    revision = Revision(article_id=article.id, data=data, note=note[:300], content_hash=content_hash(data),
                        saved_by=by.id if isinstance(by, User) else None,
                        saved_by_label=(by.email if isinstance(by, User) else str(by))[:320])
    sess.add(revision)
    sess.flush()
    article.latest_revision_id = revision.id
    return revision


def get(sess: Session, article: Article, revision_id: int | None) -> Revision | None:
    """One of ``article``'s revisions (None for no id, or one of another article)."""
    if revision_id is None:
        return None
    revision = sess.get(Revision, revision_id)
    return revision if revision is not None and revision.article_id == article.id else None


def history(sess: Session, article_id: int) -> list[Revision]:
    return list(sess.scalars(select(Revision).where(Revision.article_id == article_id)
                             .order_by(Revision.saved_at.desc(), Revision.id.desc())))

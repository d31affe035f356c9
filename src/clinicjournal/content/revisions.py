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
from .authoring import ArticleData, ReferenceData, to_data

DATE_FIELDS = ("published", "updated", "reviewed")


def snapshot(article: Article) -> dict[str, Any]:
    """The article's authoring-format fields as JSON-safe data."""
    data = dataclasses.asdict(to_data(article))
    data.pop("source", None)
    data.pop("body_line", None)
    for name in DATE_FIELDS:
        if data[name] is not None:
            data[name] = data[name].isoformat()
    data["extra"] = _json_safe(data.get("extra") or {})
    return data


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


def record(sess: Session, article: Article, by: User | str, note: str = "") -> Revision:
    """Add a revision of ``article`` as it is now (flush first for a new article's id)."""
    if article.id is None:
        sess.flush()
    revision = Revision(article_id=article.id, data=snapshot(article), note=note[:300],
                        saved_by=by.id if isinstance(by, User) else None,
                        saved_by_label=(by.email if isinstance(by, User) else str(by))[:320])
    sess.add(revision)
    return revision


def history(sess: Session, article_id: int) -> list[Revision]:
    return list(sess.scalars(select(Revision).where(Revision.article_id == article_id)
                             .order_by(Revision.saved_at.desc(), Revision.id.desc())))

"""The audit log: who changed what, when, on which site.

Every admin action and every CLI command that changes sites, plugins, accounts
or content writes its event through :func:`record`, inside the transaction that
makes the change, so an event exists exactly when the change was committed.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import AuditEvent, Site, User

CLI = "cli"


def _plain(value: Any) -> Any:
    """``value`` made JSON-safe (dates as ISO text, lazy strings as text)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return str(value)


def record(sess: Session, actor: User | str | None, action: str, *, site: Site | Any = None,
           target: str = "", **detail: Any) -> AuditEvent:
    """Add an audit event to ``sess`` (the caller commits it with the change).

    ``actor`` is the signed-in :class:`User`, or a label such as ``"cli"``
    (``None`` means the CLI). ``action`` is a dotted verb like
    ``"plugin.enabled"``; ``site`` is a Site row or anything with an ``id``;
    ``detail`` keyword arguments are stored as JSON.
    """
    user_id = actor.id if isinstance(actor, User) else None
    label = actor.email if isinstance(actor, User) else (actor or CLI)
    event = AuditEvent(user_id=user_id, actor=label[:320], action=action, target=str(target)[:300],
                       site_id=getattr(site, "id", None), detail=_plain(detail))
    # Stored as JSON: refuse anything json cannot write now rather than at commit.
    json.dumps(event.detail)
    sess.add(event)
    return event


def events(sess: Session, site_id: int | None, page: int = 1, per_page: int = 50,
           action: str = "") -> tuple[list[tuple[AuditEvent, str | None]], int]:
    """Events newest first, with the slug of their site; all sites when ``site_id`` is None.

    Returns (rows, total count). ``action`` filters by prefix ("plugin", "article.published").
    """
    where = []
    if site_id is not None:
        where.append(AuditEvent.site_id == site_id)
    if action:
        where.append(AuditEvent.action.startswith(action, autoescape=True))
    total = sess.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    rows = sess.execute(
        select(AuditEvent, Site.slug).outerjoin(Site, Site.id == AuditEvent.site_id).where(*where)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return [(event, slug) for event, slug in rows], total

"""Staff sessions kept in the database, so that they end when they should.

The signed session cookie carries only a random token; the ``admin_session``
row (its SHA-256) says whose session it is and since when. Every admin request
looks the row up, so deleting it ends the session at once on every worker and
host: on sign-out (that session), on a password change or "sign out everywhere"
(every other session of the user), when its user ends it on the "Your account"
page, and when a user loses a role or is disabled (all of their sessions). A session also ends after ``ADMIN_SESSION_HOURS`` in
all and after ``ADMIN_IDLE_MINUTES`` without a request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app, request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..store.models import AdminSession, User, utcnow

#: last_seen is written at most this often: a page view is not a database write.
TOUCH_EVERY = dt.timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(sess: Session, user: User) -> str:
    """A new session for ``user``; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    sess.add(AdminSession(token_hash=_hash(token), user_id=user.id, created=now, last_seen=now,
                          address=(request.remote_addr or "")[:64],
                          user_agent=request.headers.get("User-Agent", "")[:300]))
    return token


def current(sess: Session, token: str | None) -> AdminSession | None:
    """The live session ``token`` names, or ``None`` (unknown, ended, expired or idle).

    An expired or idle row is deleted on the way; ``last_seen`` moves forward.
    """
    if not token or not isinstance(token, str):
        return None
    row = sess.scalar(select(AdminSession).where(AdminSession.token_hash == _hash(token)))
    if row is None:
        return None
    now = utcnow()
    cfg = current_app.config
    if now - row.created > dt.timedelta(hours=cfg["ADMIN_SESSION_HOURS"]) or \
            now - row.last_seen > dt.timedelta(minutes=cfg["ADMIN_IDLE_MINUTES"]):
        sess.delete(row)
        sess.commit()
        return None
    if now - row.last_seen > TOUCH_EVERY:
        row.last_seen = now
        sess.commit()
    return row


def end(sess: Session, token: str | None) -> None:
    """End the session ``token`` names (signing out)."""
    if token and isinstance(token, str):
        sess.execute(delete(AdminSession).where(AdminSession.token_hash == _hash(token)))


def end_all(sess: Session, user: User, keep: str | None = None) -> int:
    """End every session of ``user`` but the one ``keep`` names; returns how many ended."""
    query = delete(AdminSession).where(AdminSession.user_id == user.id)
    if keep:
        query = query.where(AdminSession.token_hash != _hash(keep))
    return sess.execute(query).rowcount or 0


def end_one(sess: Session, user: User, session_id: int) -> bool:
    """End the session ``session_id`` if it is one of ``user``'s; returns whether it was."""
    return (sess.execute(delete(AdminSession).where(AdminSession.id == session_id,
                                                    AdminSession.user_id == user.id)).rowcount or 0) == 1


def of_user(sess: Session, user: User) -> list[AdminSession]:
    """``user``'s live sessions, the most recently used first. Rows past their
    lifetime or idle time are left out: they open nothing, and :func:`current`
    deletes each the next time its cookie comes back."""
    now, cfg = utcnow(), current_app.config
    return list(sess.scalars(select(AdminSession).where(
        AdminSession.user_id == user.id,
        AdminSession.created > now - dt.timedelta(hours=cfg["ADMIN_SESSION_HOURS"]),
        AdminSession.last_seen > now - dt.timedelta(minutes=cfg["ADMIN_IDLE_MINUTES"]))
        .order_by(AdminSession.last_seen.desc(), AdminSession.id.desc())))

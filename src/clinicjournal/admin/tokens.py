"""Single-use, time-limited links sent by e-mail: invitations and password resets.

The link carries a random token; the ``account_token`` row keeps only its
SHA-256, so the database alone opens nothing. A token is good while it is
unused, unexpired, its account is active, and the account's password is still
the one it had when the token was made (``password_stamp``): setting a
password, by any way, retires every link made before. Using a token retires
the account's other links too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..store.models import AccountToken, User, utcnow

INVITATION = "invitation"
RESET = "reset"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_stamp(user: User) -> str:
    """A digest of the account's password hash ("" while it has none)."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest() if user.password_hash else ""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def store(sess: Session, user: User, purpose: str, token: str, lifetime: dt.timedelta) -> AccountToken:
    """Keep ``token`` (its hash) for ``user``; an unused earlier link of the same
    purpose stops working, so only the newest mail's link opens the account."""
    now = utcnow()
    sess.execute(delete(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == purpose,
                                            AccountToken.used_at.is_(None)))
    row = AccountToken(user_id=user.id, purpose=purpose, token_hash=digest(token), password_stamp=password_stamp(user),
                       created=now, expires=now + lifetime)
    sess.add(row)
    return row


def find(sess: Session, token: str | None, purpose: str) -> tuple[AccountToken, User] | None:
    """The unused, unexpired link ``token`` of ``purpose`` and its active account, or None."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    row = sess.scalar(select(AccountToken).where(AccountToken.token_hash == digest(token),
                                                 AccountToken.purpose == purpose))
    if row is None or row.used_at is not None or row.expires <= utcnow():
        return None
    user = sess.get(User, row.user_id)
    if user is None or not user.active or row.password_stamp != password_stamp(user):
        return None
    return row, user


def use(sess: Session, row: AccountToken) -> bool:
    """Mark the link used, unless another request used it first; on success every
    other unused link of the account is retired too. Returns whether this request won."""
    won = sess.execute(update(AccountToken).where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
                       .values(used_at=utcnow())).rowcount == 1
    if won:
        sess.execute(delete(AccountToken).where(AccountToken.user_id == row.user_id, AccountToken.id != row.id,
                                                AccountToken.used_at.is_(None)))
    return won


def pending_invitation(sess: Session, user: User) -> AccountToken | None:
    """The account's newest invitation still waiting to be accepted."""
    return sess.scalar(select(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.purpose == INVITATION, AccountToken.used_at.is_(None),
        AccountToken.expires > utcnow()).order_by(AccountToken.id.desc()).limit(1))


def forget_old(sess: Session, older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
    """Delete links that expired more than ``older_than`` ago (they open nothing)."""
    return sess.execute(delete(AccountToken).where(AccountToken.expires < utcnow() - older_than)).rowcount or 0

"""Accounts and site roles: shared by ``clinicjournal user ...`` and the admin pages.

Passwords are hashed with Argon2id (argon2-cffi's ``PasswordHasher``); a hash
made with other parameters than the current ones is replaced at the next
successful sign-in. The parameters come from the ``ARGON2_PARAMETERS`` setting
(keyword arguments of ``PasswordHasher``; empty means the library's defaults,
RFC 9106's low-memory profile).
"""

from __future__ import annotations

import re
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from ..store.manage import ConfigError, check_text
from ..store.models import Membership, Site, User
from . import sessions

ROLES = ("site_admin", "editor", "reviewer", "translator")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024


class AccountError(ConfigError):
    """A refused account change; the message says what to do instead."""


class LastSiteAdmin(AccountError):
    """Refused: the site ``site_slug`` would be left without a site admin."""

    def __init__(self, message, site_slug: str) -> None:
        super().__init__(message)
        self.site_slug = site_slug


def hasher(parameters: dict[str, Any] | None = None) -> PasswordHasher:
    return PasswordHasher(**(parameters or {}))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


#: zxcvbn's scores run 0 (guessed at once) to 4; 3 means "safely unguessable" offline.
MIN_PASSWORD_SCORE = 3


def check_password_rules(password: str, user_inputs: tuple[str, ...] = ()) -> None:
    """:raise AccountError: when the password is too short, too long, or easy to guess:
    common, a keyboard pattern, a date, or made of the account's own name or address
    (``user_inputs``), as zxcvbn estimates offline from its shipped word lists."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(_l("the password must have at least %(num)d characters", num=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise AccountError(_l("the password must have at most %(num)d characters", num=MAX_PASSWORD))
    from zxcvbn import (
        zxcvbn,  # its word lists cost memory: only load them when a password is set
    )

    inputs = [part for value in user_inputs for part in [value, *value.replace("@", " ").replace(".", " ").split()]
              if part]
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < MIN_PASSWORD_SCORE:
        raise AccountError(_l("this password is too easy to guess: it is common, a pattern or close to the "
                              "account's name. Choose a phrase of four or more unrelated words."))


def find_user(sess: Session, email: str) -> User | None:
    return sess.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(sess: Session, email: str) -> User:
    """:raise AccountError: when there is no account for ``email``."""
    user = find_user(sess, email)
    if user is None:
        raise AccountError(_l("no account for %(email)s; invite it with `clinicjournal user invite`",
                              email=repr(normalise_email(email))))
    return user


def check_new_address(sess: Session, email: str) -> str:
    """The normalised address for a new account.

    :raise AccountError: for a malformed address or one an account already has.
    """
    email = normalise_email(email)
    if not EMAIL.match(email):
        raise AccountError(_l("%(email)s is not an e-mail address", email=repr(email)))
    if find_user(sess, email) is not None:
        raise AccountError(_l("an account for %(email)s already exists", email=repr(email)))
    return email


def create_user(sess: Session, email: str, password: str, *, name: str = "", network_admin: bool = False,
                ph: PasswordHasher | None = None) -> User:
    """Add an account. :raise AccountError: for a malformed or taken address or a weak password."""
    email = check_new_address(sess, email)
    check_password_rules(password, (email, name))
    user = User(email=email, name=name.strip()[:200], is_network_admin=network_admin,
                password_hash=(ph or hasher()).hash(password), active=True)
    sess.add(user)
    sess.flush()
    return user


def set_password(user: User, password: str, ph: PasswordHasher | None = None, keep_session: str | None = None) -> None:
    """Set a new password and end every session of ``user`` (but ``keep_session``, the
    token of the session that made the change): whoever knew the old one is out."""
    check_password_rules(password, (user.email, user.name))
    user.password_hash = (ph or hasher()).hash(password)
    sessions.end_all(object_session(user), user, keep=keep_session)


MAX_NAME = 200


def set_name(user: User, name: str) -> bool:
    """Give ``user`` the full name ``name``; returns whether it changed. Readers see it
    on articles this person signs off from now on ("Medically reviewed by …"); a
    sign-off already given keeps the name it was given with.

    :raise AccountError: for an empty or over-long name, or one with control characters.
    """
    name = (name or "").strip()
    if not name:
        raise AccountError(_l("enter a full name, such as Dr. Amina Haddad"))
    if len(name) > MAX_NAME:
        raise AccountError(_l("the full name may have at most %(num)d characters", num=MAX_NAME))
    try:
        check_text(_l("the full name"), name)
    except ConfigError as exc:  # one kind of refusal for the account pages to catch
        raise AccountError(exc.args[0]) from None
    changed = name != user.name
    user.name = name
    return changed


def set_active(sess: Session, user: User, active: bool, *, by: User | None = None) -> bool:
    """Let ``user`` sign in again (``active``) or stop them; returns whether it changed.

    Either way every session of the account ends: on disabling, so that whoever is
    signed in is out at once; on enabling, so that a session from before the
    account was disabled does not come back to life with it.

    :raise AccountError: when ``by`` (the network admin acting) would disable their
        own account, which would lock them out of the page that undoes it.
    :raise LastSiteAdmin: when ``user`` is the last active site admin of a site.
    """
    if not active:
        if by is not None and by.id == user.id:
            raise AccountError(_l("you cannot disable your own account; another network admin can"))
        check_can_disable(sess, user)
    changed = user.active != active
    user.active = active
    sessions.end_all(sess, user)
    return changed


def verify_password(user: User | None, password: str, ph: PasswordHasher) -> bool:
    """Whether ``password`` is ``user``'s; rehashes it when the parameters changed.

    With no user (or a disabled one) a dummy hash is still verified, so the time
    taken does not tell whether an account exists.
    """
    stored = user.password_hash if user is not None and user.active and user.password_hash else None
    try:
        ph.verify(stored or _dummy_hash(ph), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if stored is None:
        return False
    if ph.check_needs_rehash(stored):
        user.password_hash = ph.hash(password)
    return True


_DUMMIES: dict[tuple, str] = {}


def _dummy_hash(ph: PasswordHasher) -> str:
    key = (ph.time_cost, ph.memory_cost, ph.parallelism, ph.hash_len, ph.salt_len)
    if key not in _DUMMIES:
        _DUMMIES[key] = ph.hash("not a password: no account has this")
    return _DUMMIES[key]


def roles_on(user: User, site_id: int) -> set[str]:
    return {m.role for m in user.memberships if m.site_id == site_id}


#: Roles that can be limited to some of a site's languages (a reviewer for German).
LANGUAGE_ROLES = ("reviewer", "translator")


def grant(sess: Session, user: User, site: Site, role: str, locales: list[str] | None = None) -> bool:
    """Give ``user`` ``role`` on ``site``, for ``locales`` only when given (a
    reviewer or translator role; empty or None: every language). Returns False
    when nothing changed (they had that role, for those languages).

    :raise AccountError: for an unknown role, a language the site does not
        publish in, or languages on a role that covers every language.
    """
    if role not in ROLES:
        raise AccountError(_l("unknown role %(role)s; roles: %(roles)s", role=repr(role), roles=", ".join(ROLES)))
    chosen = sorted(set(locales or ()))
    if chosen and role not in LANGUAGE_ROLES:
        raise AccountError(_l("only medical reviewers and translators can be limited to some languages"))
    unknown = [code for code in chosen if code not in site.locales]
    if unknown:
        raise AccountError(_l("%(site)s does not publish in %(codes)s; its languages: %(languages)s",
                              site=site.name, codes=", ".join(unknown), languages=", ".join(site.locales)))
    if set(chosen) == set(site.locales):
        chosen = []  # every language the site has: the same as no limit, and it covers languages added later
    existing = next((m for m in user.memberships if m.site_id == site.id and m.role == role), None)
    if existing is not None:
        if locales is None or sorted(existing.locales or []) == chosen:
            return False
        existing.locales = chosen
        sess.flush()
        return True
    user.memberships.append(Membership(site_id=site.id, role=role, locales=chosen))
    sess.flush()
    return True


def revoke(sess: Session, user: User, site: Site, role: str | None = None) -> list[str]:
    """Take ``role`` (every role when ``None``) on ``site`` away from ``user``; returns the roles removed.

    :raise AccountError: for an unknown role, or when it would take the site's last
        site admin away (:func:`check_site_keeps_an_admin`).
    """
    if role is not None and role not in ROLES:
        raise AccountError(_l("unknown role %(role)s; roles: %(roles)s", role=repr(role), roles=", ".join(ROLES)))
    removed = [m for m in user.memberships if m.site_id == site.id and (role is None or m.role == role)]
    if any(m.role == "site_admin" for m in removed):
        check_site_keeps_an_admin(sess, user, site)
    for membership in removed:
        user.memberships.remove(membership)
        sess.delete(membership)
    if removed:
        sessions.end_all(sess, user)  # a role taken away ends what the old sessions could do
    sess.flush()
    return sorted(m.role for m in removed)


def check_site_keeps_an_admin(sess: Session, user: User, site: Site) -> None:
    """Refuse to leave ``site`` without a site admin who can sign in: taking the role
    from (or disabling) ``user`` is allowed while another active account that has
    chosen its password has it (an invitation nobody accepted yet signs nobody in),
    or when ``user`` cannot sign in anyway (a disabled or invited account was no
    admin the site had).
    Network admins keep access to every site whatever its members; they are not
    counted, since a clinic should not need one to get its own site back.

    :raise LastSiteAdmin: saying to give another account the role first.
    """
    if not (user.active and user.password_hash):
        return
    others = sess.scalar(select(func.count()).select_from(Membership).join(User, User.id == Membership.user_id)
                         .where(Membership.site_id == site.id, Membership.role == "site_admin",
                                Membership.user_id != user.id, User.active.is_(True), User.password_hash != ""))
    if not others:
        raise LastSiteAdmin(_l(
            "this would leave %(site)s without a site admin, as %(email)s is its last one; give another account "
            "the site admin role first, so that someone at the site can still manage its members and settings "
            "(network admins keep access to every site in any case)", email=user.email, site=site.name), site.slug)


def check_can_disable(sess: Session, user: User) -> None:
    """:raise LastSiteAdmin: when ``user`` is the last active site admin of a site."""
    for membership in user.memberships:
        if membership.role == "site_admin":
            site = sess.get(Site, membership.site_id)
            if site is not None:
                check_site_keeps_an_admin(sess, user, site)


def list_users(sess: Session) -> list[User]:
    return list(sess.scalars(select(User).order_by(User.email)))


def site_slugs(sess: Session) -> dict[int, str]:
    return dict(sess.execute(select(Site.id, Site.slug)).all())

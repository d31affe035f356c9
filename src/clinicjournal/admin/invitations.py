"""Inviting someone: an account without a password, its role, and a mail with a
link to choose one. Shared by ``clinicjournal user invite``, the Accounts page
and a site's Members page (:func:`add_member`).

An invited account is active but has no password, so nobody can sign in to it
until the link is used: accepting sets the password (the same rules as
everywhere, :func:`.accounts.check_password_rules`) and signs the person in.
Inviting an address again, before it is accepted, sends a new link and retires
the old one.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMultiAlternatives
from sqlalchemy.orm import Session

from ..mail import accounts as letters
from ..mail import links, preferences
from ..mail.compose import compose
from ..store.models import Site, User
from . import accounts, tokens


def invite(sess: Session, email: str, *, name: str = "", site: Site | None = None, role: str | None = None,
           network_admin: bool = False) -> User:
    """The account to invite (new, or one whose invitation is not accepted yet),
    with ``role`` on ``site`` when given.

    :raise AccountError: for a malformed address, one whose account is already in
        use, an unknown role, or a site without a role (or a role without a site).
    """
    if (site is None) != (not role):
        raise accounts.AccountError(_l("choose both a site and a role, or neither"))
    user = accounts.find_user(sess, email)
    if user is not None and user.password_hash:
        raise accounts.AccountError(_l("%(email)s already has an account that is in use; give it a role on the "
                                       "site's Members page instead", email=user.email))
    if user is None:
        user = User(email=accounts.check_new_address(sess, email), name=name.strip()[:200],
                    is_network_admin=network_admin, password_hash="", active=True)
        sess.add(user)
        sess.flush()
    else:
        user.name = name.strip()[:200] or user.name
        user.is_network_admin = user.is_network_admin or network_admin
    if site is not None and role:
        accounts.grant(sess, user, site, role)
    return user


def invitation_message(sess: Session, user: User, *, inviter: str | None, site: Site | None = None,
                       role: str | None = None) -> EmailMultiAlternatives:
    """A new invitation link for ``user`` (stored) and the mail that carries it,
    in their language. Commit, then send it.

    :raise LookupError: outside a request when no address for the link is known
        (:func:`..mail.links.admin_url`).
    """
    token = tokens.new_token()
    row = tokens.store(sess, user, tokens.INVITATION, token,
                       dt.timedelta(days=current_app.config["INVITATION_DAYS"]))
    link = links.admin_url("admin.accept_invitation", site=site, token=token)
    locale = preferences.locale_for(sess, user, site)
    return compose(user.email, locale, lambda: letters.invitation(user, link, row.expires, locale, inviter=inviter,
                                                                   site=site, role=role))


def reinvitation_message(sess: Session, user: User, *, inviter: str) -> EmailMultiAlternatives:
    """The invitation sent again (a new link; the old one stops working), about the
    account's first role, as the first invitation most likely was. Commit, then send it."""
    first = min(user.memberships, key=lambda m: m.id, default=None)
    site = sess.get(Site, first.site_id) if first is not None else None
    return invitation_message(sess, user, inviter=inviter, site=site, role=first.role if first is not None else None)


def is_pending(user: User) -> bool:
    """Invited, and the invitation not accepted yet (no password chosen)."""
    return user.active and not user.password_hash


def add_member(sess: Session, email: str, site: Site, role: str, *, inviter: str,
               locales: list[str] | None = None) -> tuple[User, bool, EmailMultiAlternatives | None]:
    """Give the address ``role`` on ``site``, whether or not it has an account:
    ``(user, granted, message)``. An address without an account (or whose
    invitation is not accepted yet) is invited; an active account gets a note
    of its new role; a disabled one gets no mail.

    The Members page answers alike in every case, so a site admin learns nothing
    about which addresses have accounts on the install (issue 16, 8d).

    ``locales`` limits a reviewer or translator role to those languages
    (:func:`.accounts.grant`); a new role for an address already in use is
    the same note whether or not languages are named.

    :raise AccountError: for a malformed address, an unknown role or language.
    """
    if role not in accounts.ROLES:
        raise accounts.AccountError(_l("choose one of the roles in the list"))
    user = accounts.find_user(sess, email)
    if user is None or is_pending(user):
        user = invite(sess, email)
        granted = accounts.grant(sess, user, site, role, locales)
        return user, granted, invitation_message(sess, user, inviter=inviter, site=site, role=role) if granted else None
    granted = accounts.grant(sess, user, site, role, locales)
    if not (granted and user.active):
        return user, granted, None
    locale = preferences.locale_for(sess, user, site)
    link = links.admin_url("admin.dashboard", site=site)
    return user, granted, compose(user.email, locale, lambda: letters.role_granted(user, link, inviter=inviter,
                                                                                 site=site, role=role))

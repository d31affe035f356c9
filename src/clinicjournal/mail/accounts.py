"""The messages that open an account: an invitation and a password reset."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import ngettext

from ..i18n import short_date_for
from ..store.models import Site, User
from .compose import Letter


def role_words(role: str) -> str:
    """A role in words, in e-mails and on the admin's pages (``role_label``)."""
    return {
        "site_admin": _("site admin"),
        "editor": _("editor"),
        "reviewer": _("medical reviewer"),
        "translator": _("translator"),
    }.get(role, role)


def _hello(user: User) -> str:
    return _("Hello %(name)s,", name=user.name) if user.name else _("Hello,")


def invitation(user: User, link: str, expires: dt.datetime, locale: str, *, inviter: str | None = None,
               site: Site | None = None, role: str | None = None) -> Letter:
    """An invitation to choose a password (and so open the account) at ``link``;
    ``inviter`` is a name, or None for "your network administrator" (the CLI)."""
    inviter = inviter or _("Your network administrator")
    if site is not None and role:
        subject = _("You are invited to the journal of %(site)s", site=site.name)
        why = _("%(inviter)s invites you to work on the journal of %(site)s as %(role)s.",
                inviter=inviter, site=site.name, role=role_words(role))
    elif user.is_network_admin:
        subject = _("You are invited to run the clinic journals")
        why = _("%(inviter)s invites you to run the clinic journals as a network admin: every site and "
                "every account.", inviter=inviter)
    else:
        subject = _("You are invited to the clinic journal administration")
        why = _("%(inviter)s invites you to the clinic journal administration.", inviter=inviter)
    return Letter(
        subject=subject, greeting=_hello(user),
        paragraphs=[why,
                    _("To accept, choose your own password with the button below. The link works once, "
                      "until %(date)s (UTC).", date=short_date_for(expires.date(), locale)),
                    _("Your sign-in name is your e-mail address, %(email)s.", email=user.email)],
        action=(_("Choose your password"), link),
        footer=_("If you did not expect this invitation, you can ignore this message: the account stays "
                 "closed until someone chooses its password with this link."))


def role_granted(user: User, link: str, *, inviter: str, site: Site, role: str) -> Letter:
    """A note to an account in use that it has a new role on ``site``."""
    return Letter(
        subject=_("New role on the journal of %(site)s", site=site.name), greeting=_hello(user),
        paragraphs=[_("%(inviter)s gave you the role of %(role)s on the journal of %(site)s.",
                      inviter=inviter, site=site.name, role=role_words(role)),
                    _("Sign in as usual, with your e-mail address %(email)s and your password.", email=user.email)],
        action=(_("Open the site's dashboard"), link),
        footer=_("If you did not expect this, tell the site's administrators or your network administrator."))


def password_reset(user: User, link: str, minutes: int, sent_by: str | None = None) -> Letter:
    """A link to choose a new password, asked for on the sign-in page, or sent by
    the network admin named ``sent_by`` from the Accounts page."""
    if sent_by:
        why = _("%(name)s, a network admin of the clinic journals, sent you a link to choose a new password for "
                "the account %(email)s.", name=sent_by, email=user.email)
        footer = _("If you did not expect this, ask %(name)s about it. Your password stays as it is until "
                   "someone uses this link.", name=sent_by)
    else:
        why = _("Someone, probably you, asked for a new password for the clinic journal account %(email)s.",
                email=user.email)
        footer = _("If you did not ask for this, ignore this message: your password stays as it is.")
    return Letter(
        subject=_("Choose a new password"), greeting=_hello(user),
        paragraphs=[why,
                    ngettext("The button below lets you choose one. The link works once, for %(num)d minute.",
                             "The button below lets you choose one. The link works once, for %(num)d minutes.",
                             minutes),
                    _("Choosing a new password signs the account out on every other device.")],
        action=(_("Choose a new password"), link), footer=footer)

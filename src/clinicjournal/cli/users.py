"""``clinicjournal user ...``: accounts and their roles on sites."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from ..admin import accounts, invitations, sessions
from ..mail import compose
from ..store import audit
from ..store.manage import ConfigError, get_site
from .base import console, fail, main, session, table

PASSWORD_ENV = "CLINICJOURNAL_NEW_PASSWORD"


def _hasher():
    return accounts.hasher(current_app.config.get("ARGON2_PARAMETERS"))


def _new_password(*user_inputs: str) -> str:
    """The password from CLINICJOURNAL_NEW_PASSWORD (for scripts), else asked twice;
    ``user_inputs`` (the address, the name) must not make it easy to guess."""
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    try:
        accounts.check_password_rules(password, user_inputs)
    except ConfigError as exc:
        fail(str(exc))
    return password


@main.group("user")
def user_group() -> None:
    """Accounts for the admin at /admin/, and their roles per site."""


def _mail_whereabouts() -> str:
    """Where a message went, for the operator: the folder when no mail server is configured."""
    if current_app.config["MAIL_BACKEND"] == "eml":
        return (f" No mail server is configured, so the message is a file in {current_app.config['MAIL_FILE_PATH']}"
                " (set MAIL_BACKEND=smtp to send it; see docs/deploy.md).")
    return ""


def _send_invitation(sess, user, site=None, role: str | None = None) -> None:
    """Store a new invitation link for ``user``, commit, and send it."""
    try:
        message = invitations.invitation_message(sess, user, inviter=None, site=site, role=role)
    except LookupError:
        fail("there is no address to put in the invitation's link: set MAIL_BASE_URL to where staff reach "
             "the admin (e.g. CLINICJOURNAL_MAIL_BASE_URL=https://journal.example.org), or give the site a host "
             "name, then run `clinicjournal user invite` again.")
    audit.record(sess, audit.CLI, "user.invited", site=site, target=user.email, role=role,
                 network_admin=user.is_network_admin)
    sess.commit()
    try:
        compose.send([message])
    except Exception as exc:  # noqa: BLE001 - smtplib, socket, TLS or disk: the operator must see it
        fail(f"the account for {user.email} is ready, but the invitation could not be sent ({exc}). Check the "
             "MAIL_* settings, then run `clinicjournal user invite` for the same address again.")
    days = current_app.config["INVITATION_DAYS"]
    console.print(f"Invitation sent to {user.email}: its link lets them choose a password, once, within {days} "
                  f"day{'s' if days != 1 else ''}." + _mail_whereabouts())


@user_group.command("invite")
@click.argument("email")
@click.option("--site", "site_slug", help="A site to give a role on (with --role).")
@click.option("--role", type=click.Choice(accounts.ROLES), help="The role on --site.")
@click.option("--name", default="", help="Full name; shown as the reviewer's name on articles they sign off.")
@click.option("--network-admin", is_flag=True, help="Manages every site and account.")
@with_appcontext
def user_invite(email: str, site_slug: str | None, role: str | None, name: str, network_admin: bool) -> None:
    """Invite EMAIL by e-mail: they choose their own password from the link.

    Inviting an address again before it is accepted sends a new link (the old one stops working).
    """
    sess = session()
    try:
        site = get_site(sess, site_slug) if site_slug else None
        user = invitations.invite(sess, email, name=name, site=site, role=role, network_admin=network_admin)
    except ConfigError as exc:
        fail(str(exc))
    if site is not None and role:
        audit.record(sess, audit.CLI, "member.granted", site=site, target=user.email, role=role)
    _send_invitation(sess, user, site, role)


@user_group.command("create")
@click.argument("email")
@click.option("--name", default="", help="Full name; shown as the reviewer's name on articles they sign off.")
@click.option("--network-admin", is_flag=True, help="Manages every site and account.")
@click.option("--password", "with_password", is_flag=True,
              help="Set a password here instead of inviting (asked twice, or read from CLINICJOURNAL_NEW_PASSWORD).")
@with_appcontext
def user_create(email: str, name: str, network_admin: bool, with_password: bool) -> None:
    """Create an account and e-mail an invitation to choose its password.

    With --password, or CLINICJOURNAL_NEW_PASSWORD set (for scripts), the password is set here instead.
    """
    sess = session()
    try:  # before the password is asked for: a typo in the address must not cost it
        accounts.check_new_address(sess, email)
    except ConfigError as exc:
        fail(str(exc))
    if not (with_password or os.environ.get(PASSWORD_ENV) is not None):
        try:
            user = invitations.invite(sess, email, name=name, network_admin=network_admin)
        except ConfigError as exc:
            fail(str(exc))
        audit.record(sess, audit.CLI, "user.created", target=user.email, network_admin=network_admin)
        _send_invitation(sess, user)
        return
    password = _new_password(email, name)
    try:
        user = accounts.create_user(sess, email, password, name=name, network_admin=network_admin, ph=_hasher())
    except ConfigError as exc:
        fail(str(exc))
    audit.record(sess, audit.CLI, "user.created", target=user.email, network_admin=network_admin)
    sess.commit()
    what = "network admin" if network_admin else "account"
    console.print(f"Created {what} {user.email}." + ("" if network_admin else
                  f" Give it a role with `clinicjournal user grant {user.email} --site SLUG --role editor`."))


def _account(email: str):
    """``(session, user)`` for EMAIL; no such account ends the command with the way to make it."""
    sess = session()
    try:
        return sess, accounts.get_user(sess, email)
    except ConfigError as exc:
        fail(str(exc))


@user_group.command("password")
@click.argument("email")
@with_appcontext
def user_password(email: str) -> None:
    """Set a new password (signs the account out everywhere)."""
    sess, user = _account(email)
    accounts.set_password(user, _new_password(user.email, user.name), _hasher())
    audit.record(sess, audit.CLI, "user.password_set", target=user.email)
    sess.commit()
    console.print(f"New password set for {user.email}.")


@user_group.command("sign-out")
@click.argument("email")
@with_appcontext
def user_sign_out(email: str) -> None:
    """End every session of EMAIL at once, on every server (a lost phone, a shared computer)."""
    sess, user = _account(email)
    ended = sessions.end_all(sess, user)
    audit.record(sess, audit.CLI, "user.signed_out_everywhere", target=user.email, sessions=ended)
    sess.commit()
    console.print(f"{user.email} is signed out everywhere ({ended} session{'s' if ended != 1 else ''} ended). "
                  "They can sign in again with their password; change it with `clinicjournal user password` "
                  "if it may be known to someone else.")


def _set_active(email: str, active: bool) -> None:
    sess = session()
    try:
        user = accounts.get_user(sess, email)
        accounts.set_active(sess, user, active)
    except accounts.LastSiteAdmin as exc:
        _refuse_last_admin(exc)
    except ConfigError as exc:
        fail(str(exc))
    audit.record(sess, audit.CLI, "user.enabled" if active else "user.disabled", target=user.email)
    sess.commit()
    console.print(f"{user.email} can {'now' if active else 'no longer'} sign in.")


@user_group.command("disable")
@click.argument("email")
@with_appcontext
def user_disable(email: str) -> None:
    """Stop EMAIL from signing in (signs them out at once; roles and history are kept).

    Refused for the last site admin of a site: grant the role to another account first.
    """
    _set_active(email, False)


@user_group.command("enable")
@click.argument("email")
@with_appcontext
def user_enable(email: str) -> None:
    """Let a disabled account sign in again."""
    _set_active(email, True)


def _refuse_last_admin(exc: accounts.LastSiteAdmin) -> None:
    fail(f"{exc}. Grant it with `clinicjournal user grant OTHER-EMAIL --site {exc.site_slug} --role site_admin`, "
         "then run this command again.")


def _change_membership(sess, email: str, site_slug: str, change, role: str | None):
    """``change(sess, user, site, role)`` (accounts.grant / revoke) for the account and
    site named; (user, site, what ``change`` returned), or a clear failure."""
    try:
        user, site = accounts.get_user(sess, email), get_site(sess, site_slug)
        return user, site, change(sess, user, site, role)
    except accounts.LastSiteAdmin as exc:
        _refuse_last_admin(exc)
    except ConfigError as exc:
        fail(str(exc))


@user_group.command("grant")
@click.argument("email")
@click.option("--site", "site_slug", required=True)
@click.option("--role", required=True, type=click.Choice(accounts.ROLES))
@click.option("--locale", "locales", multiple=True,
              help="Only this language (repeat for more): a reviewer or translator for some of the site's "
                   "languages. Given again for a role the account has, it replaces that role's languages.")
@with_appcontext
def user_grant(email: str, site_slug: str, role: str, locales: tuple[str, ...]) -> None:
    """Give EMAIL a role on a site."""
    sess = session()
    chosen = list(locales) if locales else None
    user, site, added = _change_membership(
        sess, email, site_slug, lambda s, u, site, r: accounts.grant(s, u, site, r, chosen), role)
    languages = f" for {', '.join(sorted(set(locales)))}" if locales else ""
    if not added:
        console.print(f"{user.email} already is {role}{languages} on {site_slug}.")
        return
    audit.record(sess, audit.CLI, "member.granted", site=site, target=user.email, role=role,
                 **({"locales": sorted(set(locales))} if locales else {}))
    sess.commit()
    console.print(f"{user.email} is now {role}{languages} on {site_slug}.")


@user_group.command("revoke")
@click.argument("email")
@click.option("--site", "site_slug", required=True)
@click.option("--role", type=click.Choice(accounts.ROLES), help="Only this role (default: every role on the site).")
@with_appcontext
def user_revoke(email: str, site_slug: str, role: str | None) -> None:
    """Take a role (or every role) on a site away from EMAIL.

    Refused for the site's last site admin: grant the role to another account first.
    """
    sess = session()
    user, site, removed = _change_membership(sess, email, site_slug, accounts.revoke, role)
    if not removed:
        console.print(f"{user.email} had no {role or 'role'} on {site_slug}.")
        return
    for name in removed:
        audit.record(sess, audit.CLI, "member.revoked", site=site, target=user.email, role=name)
    sess.commit()
    console.print(f"{user.email} is no longer {', '.join(removed)} on {site_slug}.")


@user_group.command("list")
@with_appcontext
def user_list() -> None:
    """Every account with its roles per site."""
    sess = session()
    users = accounts.list_users(sess)
    if not users:
        console.print("No accounts yet. Invite one with `clinicjournal user invite EMAIL --network-admin`.")
        return
    slugs = accounts.site_slugs(sess)
    table("Accounts", ["email", "name", "network admin", "roles", "last sign-in"],
          [[u.email, u.name, "yes" if u.is_network_admin else "",
            ", ".join(sorted(f"{slugs.get(m.site_id, '?')}: {m.role}"
                             + (f" ({' '.join(m.locales)})" if m.locales else "") for m in u.memberships)) or "-",
            u.last_login.strftime("%Y-%m-%d %H:%M UTC") if u.last_login else
            ("invited" if invitations.is_pending(u) else "never")]
           for u in users])

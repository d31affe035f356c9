"""``clinicjournal user ...``: accounts and their roles on sites."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from ..admin import accounts, sessions
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


@user_group.command("create")
@click.argument("email")
@click.option("--name", default="", help="Full name; shown as the reviewer's name on articles they sign off.")
@click.option("--network-admin", is_flag=True, help="Manages every site and account.")
@with_appcontext
def user_create(email: str, name: str, network_admin: bool) -> None:
    """Create an account. The password is asked twice, or read from CLINICJOURNAL_NEW_PASSWORD."""
    sess = session()
    try:  # before the password is asked for: a typo in the address must not cost it
        accounts.check_new_address(sess, email)
    except ConfigError as exc:
        fail(str(exc))
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
        if not active:
            accounts.check_can_disable(sess, user)
    except accounts.LastSiteAdmin as exc:
        _refuse_last_admin(exc)
    except ConfigError as exc:
        fail(str(exc))
    user.active = active
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
@with_appcontext
def user_grant(email: str, site_slug: str, role: str) -> None:
    """Give EMAIL a role on a site."""
    sess = session()
    user, site, added = _change_membership(sess, email, site_slug, accounts.grant, role)
    if not added:
        console.print(f"{user.email} already is {role} on {site_slug}.")
        return
    audit.record(sess, audit.CLI, "member.granted", site=site, target=user.email, role=role)
    sess.commit()
    console.print(f"{user.email} is now {role} on {site_slug}.")


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
        console.print("No accounts yet. Create one with `clinicjournal user create EMAIL --network-admin`.")
        return
    slugs = accounts.site_slugs(sess)
    table("Accounts", ["email", "name", "network admin", "roles", "last sign-in"],
          [[u.email, u.name, "yes" if u.is_network_admin else "",
            ", ".join(sorted(f"{slugs.get(m.site_id, '?')}: {m.role}" for m in u.memberships)) or "-",
            u.last_login.strftime("%Y-%m-%d %H:%M UTC") if u.last_login else "never"]
           for u in users])

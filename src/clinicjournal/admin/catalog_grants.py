"""Who may edit the shared (install-wide) catalogs of a language: a network
admin's grant per account and locale (``catalog_grant``). One set of rules for
``clinicjournal translate grant | revoke`` and the account page of the admin;
every change is in the audit log.

A shared edit changes every clinic's pages, so it is kept apart from the site
roles: a site's translator edits that site's own wording unless granted this.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import audit
from ..store.catalog_models import CatalogGrant
from ..store.models import User


def shared_locales() -> list[str]:
    """The languages the shipped core catalog has: those the shared catalogs can be edited in."""
    core = current_app.extensions["clinicjournal"].catalogs.directories["core"]
    return sorted(p.name for p in core.iterdir() if (p / "LC_MESSAGES").is_dir())


def granted(sess: Session, user: User) -> list[str]:
    return sorted(sess.scalars(select(CatalogGrant.locale).where(CatalogGrant.user_id == user.id)))


def grant(sess: Session, user: User, locale: str, by: User | None) -> bool:
    """Let ``user`` edit the shared ``locale`` catalogs; False when they already could."""
    if sess.get(CatalogGrant, (user.id, locale)) is not None:
        return False
    sess.add(CatalogGrant(user_id=user.id, locale=locale, detail={}))
    audit.record(sess, by, "translation.granted", target=user.email, locale=locale)
    return True


def revoke(sess: Session, user: User, locale: str, by: User | None) -> bool:
    found = sess.get(CatalogGrant, (user.id, locale))
    if found is None:
        return False
    sess.delete(found)
    audit.record(sess, by, "translation.grant_removed", target=user.email, locale=locale)
    return True


def set_granted(sess: Session, user: User, locales: set[str], offered: list[str], by: User | None) -> bool:
    """Make ``user``'s grants among ``offered`` exactly ``locales``; whether anything changed.
    A code outside ``offered`` (a forged form) is ignored, and grants outside it are kept."""
    changed = False
    for locale in offered:
        if locale in locales:
            changed |= grant(sess, user, locale, by)
        else:
            changed |= revoke(sess, user, locale, by)
    return changed

"""Which language a staff member reads mail in, and which notifications they want."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..store.models import Site, User, UserPreferences

#: Notification kinds a person can turn off, with the words the settings form shows.
#: Invitations and password resets are not among them: they answer a request.
NOTIFICATIONS = {
    "review_requested": _l("An article is waiting for my medical review"),
    "changes_requested": _l("An article I wrote is sent back with changes requested"),
    "review_reminders": _l("Reminders when a medical review is due or overdue"),
    "weekly_digest": _l("A weekly summary of the sites I run (site admins)"),
}


def of(sess: Session, user: User) -> UserPreferences | None:
    return sess.get(UserPreferences, user.id)


def wants(sess: Session, user: User, kind: str) -> bool:
    """Whether ``user`` gets notifications of ``kind`` (on unless turned off)."""
    row = of(sess, user)
    return row is None or bool((row.notifications or {}).get(kind, True))


def save(sess: Session, user: User, locale: str, chosen: set[str]) -> bool:
    """Store ``user``'s mail language ("" for each site's own) and the kinds they
    want; returns whether anything changed."""
    row = of(sess, user)
    if row is None:
        row = UserPreferences(user_id=user.id, locale="", notifications={})
        sess.add(row)
    before = (row.locale, chosen_kinds(row))
    row.locale = locale if locale in current_app.config["UI_LOCALES"] else ""
    row.notifications = {kind: kind in chosen for kind in NOTIFICATIONS}
    return before != (row.locale, chosen_kinds(row))


def chosen_kinds(row: UserPreferences | None) -> set[str]:
    """The notification kinds ``row`` leaves on (all of them without a row)."""
    stored = (row.notifications or {}) if row is not None else {}
    return {kind for kind in NOTIFICATIONS if stored.get(kind, True)}


def locale_for(sess: Session, user: User | None, site: Site | None = None) -> str:
    """The language to write to ``user`` in: their own choice, else the default
    language of the site the message is about (or of their first site), else
    the install's default."""
    row = of(sess, user) if user is not None and user.id is not None else None
    if row is not None and row.locale:
        return row.locale
    if site is None and user is not None and user.memberships:
        site = sess.get(Site, min(user.memberships, key=lambda m: m.id).site_id)
    if site is not None and site.default_locale:
        return site.default_locale
    return current_app.config.get("BABEL_DEFAULT_LOCALE") or "en"

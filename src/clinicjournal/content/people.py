"""Changing person profiles (the admin's People screen): the rules a profile's
fields must follow, and what names a profile (articles' ``author_key``).

Every refusal is a :class:`PersonError` naming the form field, so the screen
shows it beside that field. The checks that span rows (a slug the site has, an
account with a profile already, a photo of another site) are made here, before
the database's unique constraints would turn them into a 500.
"""

from __future__ import annotations

from typing import Iterable

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..store.media import MediaItem
from ..store.models import Article, Membership, User
from ..store.people import (
    BIO_MAX,
    CREDENTIALS_MAX,
    NAME_MAX,
    ROLE_MAX,
    SLUG_MAX,
    Person,
)
from .authoring import SLUG_RE
from .slugs import propose

#: the front-matter key naming an author's profile (docs/authoring.md; web/people.py reads it)
AUTHOR_KEY = "author_key"


class PersonError(ValueError):
    """A profile change that cannot be made; ``field`` names the form field."""

    def __init__(self, message, field: str, status: int = 422) -> None:
        super().__init__(message)
        self.field, self.status = field, status


def _line(value: str) -> str:
    return " ".join((value or "").split())


def _paragraphs(value: str) -> str:
    """A biography keeps its blank lines (paragraphs); nothing else of its layout."""
    paras = ["\n".join(_line(line) for line in p.splitlines() if line.strip())
             for p in (value or "").replace("\r\n", "\n").split("\n\n")]
    return "\n\n".join(p for p in paras if p)


def members(sess: Session, site_id: int) -> list[User]:
    """The accounts with a role on the site: the only ones a profile may stand for."""
    return list(sess.scalars(select(User).where(User.id.in_(
        select(Membership.user_id).where(Membership.site_id == site_id))).order_by(User.name, User.email)))


def naming_articles(sess: Session, site_id: int, slug: str) -> list[Article]:
    """The site's articles (any status, any language) whose ``author_key`` is ``slug``."""
    return list(sess.scalars(select(Article).where(
        Article.site_id == site_id, Article.extra[AUTHOR_KEY].as_string() == slug).order_by(
        Article.locale, Article.slug)))


def clean(sess: Session, site, person: Person | None, form: dict[str, str]) -> dict:
    """The profile's new values from the form, checked.

    ``form`` has ``slug``, ``name``, ``credentials``, ``user_id``, ``photo_id`` and
    ``role:<locale>`` / ``bio:<locale>`` for each language of the site.

    :raise PersonError: naming the first field in error.
    """
    name = _line(form.get("name", ""))
    if not name:
        raise PersonError(_l("Enter the person's name as readers should see it."), "name")
    if len(name) > NAME_MAX:
        raise PersonError(_l("The name is longer than %(most)d characters.", most=NAME_MAX), "name")
    slug = (form.get("slug") or "").strip() or propose(name, site.default_locale)
    if not slug:
        raise PersonError(_l("Enter an address for the profile page, such as leila-haddad."), "slug")
    if not SLUG_RE.match(slug) or len(slug) > SLUG_MAX:
        raise PersonError(_l("The address is lower-case letters, digits and hyphens, such as leila-haddad "
                             "(at most %(most)d characters).", most=SLUG_MAX), "slug")
    taken = sess.scalar(select(Person.id).where(Person.site_id == site.id, Person.slug == slug))
    if taken is not None and (person is None or taken != person.id):
        raise PersonError(_l("Another profile of this site has the address %(slug)s.", slug=slug), "slug")
    if person is not None and slug != person.slug:
        named = naming_articles(sess, site.id, person.slug)
        if named:
            raise PersonError(lazy_ngettext(
                "%(num)d article names this profile by its address (author_key: %(slug)s); "
                "change its author_key first, or keep the address.",
                "%(num)d articles name this profile by its address (author_key: %(slug)s); "
                "change their author_key first, or keep the address.", len(named), slug=person.slug), "slug")
    credentials = _line(form.get("credentials", ""))
    if len(credentials) > CREDENTIALS_MAX:
        raise PersonError(_l("The credentials are longer than %(most)d characters.", most=CREDENTIALS_MAX),
                          "credentials")
    role, bio = {}, {}
    for code in site.locales:
        role[code] = _line(form.get(f"role:{code}", ""))
        if len(role[code]) > ROLE_MAX:
            raise PersonError(_l("The role is longer than %(most)d characters.", most=ROLE_MAX), f"role:{code}")
        bio[code] = _paragraphs(form.get(f"bio:{code}", ""))
        if len(bio[code]) > BIO_MAX:
            raise PersonError(_l("The biography is longer than %(most)d characters.", most=BIO_MAX),
                              f"bio:{code}")
    return {"slug": slug, "name": name, "credentials": credentials,
            "role": {k: v for k, v in role.items() if v}, "bio": {k: v for k, v in bio.items() if v},
            "user_id": _account(sess, site, person, form.get("user_id", "")),
            "photo_id": _photo(sess, site, form.get("photo_id", ""))}


def _number(raw: str, field: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
        raise PersonError(_l("Choose one of the listed options."), field)
    return int(raw)


def _account(sess: Session, site, person: Person | None, raw: str) -> int | None:
    user_id = _number(raw, "user_id")
    if user_id is None:
        return None
    member = sess.scalar(select(func.count()).select_from(Membership).where(
        Membership.site_id == site.id, Membership.user_id == user_id))
    if not member:
        raise PersonError(_l("Only an account with a role on this site can be linked to its profiles."),
                          "user_id")
    other = sess.scalar(select(Person).where(Person.site_id == site.id, Person.user_id == user_id))
    if other is not None and (person is None or other.id != person.id):
        raise PersonError(_l("That account is linked to the profile of %(name)s already: an account "
                             "stands for one profile.", name=other.name), "user_id")
    return user_id


def _photo(sess: Session, site, raw: str) -> int | None:
    photo_id = _number(raw, "photo_id")
    if photo_id is None:
        return None
    if photo(sess, site.id, photo_id) is None:
        raise PersonError(_l("Choose an image of this site's media library."), "photo_id")
    return photo_id


def photo(sess: Session, site_id: int, photo_id: int | None) -> MediaItem | None:
    """The profile's photo, only ever an image *of the same site*."""
    if photo_id is None:
        return None
    return sess.scalar(select(MediaItem).where(MediaItem.id == photo_id, MediaItem.site_id == site_id))


def apply(person: Person, values: dict) -> bool:
    """Set ``values`` on ``person``; returns whether anything changed."""
    changed = any(getattr(person, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(person, key, value)
    return changed


def photos(sess: Session, site_id: int) -> Iterable[MediaItem]:
    return sess.scalars(select(MediaItem).where(MediaItem.site_id == site_id).order_by(MediaItem.key))

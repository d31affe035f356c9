"""Who may do what on which site: the one place the admin decides.

Every admin URL that concerns a site carries its slug (``/admin/<site>/...``).
Each route declares the permission it needs (:func:`route`); before any view
runs, :func:`authorise` loads the site named in the URL and checks the signed-in
user's roles on *that* site:

* a user with no role on the site (and not a network admin) gets **404**, so
  sites they do not work on are not even confirmed to exist;
* a user with a role on the site but without the permission gets **403**;
* a route that declares no permission is refused (403): forgetting a check
  fails closed.

Objects looked up by id (articles, revisions, memberships) are always filtered
by the site's id as well (:func:`article_or_404` and friends), so an id from
another site is a 404 — on pages and on form posts alike.
"""

from __future__ import annotations

from typing import Callable

from flask import abort, g
from sqlalchemy import select

from ..store import db
from ..store.models import Article, Membership, Revision, Site, covers
from .accounts import ROLES

ANY_ROLE = frozenset(ROLES)

#: permission → the site roles that have it. Network admins have every
#: permission except those in NEEDS_MEMBERSHIP.
PERMISSIONS: dict[str, frozenset[str]] = {
    "site.view": ANY_ROLE,  # the site's dashboard
    "site.settings": frozenset({"site_admin"}),  # name, colours, logo, languages, review interval
    "site.hosts": frozenset(),  # host names route the whole install: network admins only
    "plugins.manage": frozenset({"site_admin"}),
    "members.manage": frozenset({"site_admin"}),
    "audit.view": frozenset({"site_admin"}),
    "articles.view": ANY_ROLE,
    "articles.edit": frozenset({"editor", "translator"}),  # translators: translations only (can_edit)
    "articles.publish": frozenset({"editor"}),
    "articles.review": frozenset({"reviewer"}),
    "articles.delete": frozenset({"site_admin"}),  # for good, with revisions: archiving is the editors'
    # the Translations screens; which language and scope each may edit: catalog_screen.may_edit
    "translations.edit": frozenset({"site_admin", "translator"}),
    "media.manage": frozenset({"editor", "site_admin"}),  # upload images, alt text, focal point
    # the People screen: author and reviewer profiles, their photo and linked account
    # (editors name authors in articles; site admins know who works for the clinic)
    "people.manage": frozenset({"editor", "site_admin"}),
    "network": frozenset(),  # create sites and accounts, the install-wide audit log
}
#: A medical sign-off is a professional statement: it needs the reviewer role
#: itself, even for a network admin.
NEEDS_MEMBERSHIP = frozenset({"articles.review"})
#: Routes that need no signed-in user, and routes for any signed-in user.
PUBLIC = "public"
SIGNED_IN = "signed_in"

#: endpoint → permission, filled by :func:`route` at import time (static route metadata).
REQUIRED: dict[str, str] = {}


def route(bp, rule: str, permission: str, **options) -> Callable:
    """``bp.route`` that also records the permission the view needs."""
    if permission not in PERMISSIONS and permission not in (PUBLIC, SIGNED_IN):
        raise ValueError(f"unknown permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        endpoint = options.pop("endpoint", view.__name__)
        bp.add_url_rule(rule, endpoint, view, **options)
        REQUIRED[f"{bp.name}.{endpoint}"] = permission
        return view

    return decorator


def allowed(permission: str, roles: set[str] | frozenset[str], network_admin: bool) -> bool:
    if network_admin and permission not in NEEDS_MEMBERSHIP:
        return True
    return bool(PERMISSIONS.get(permission, frozenset()) & set(roles))


def authorise(endpoint: str | None, site_slug: str | None) -> None:
    """Check the signed-in user (``g.user``) may use ``endpoint`` on ``site_slug``.

    Sets ``g.admin_site`` (the Site row) and ``g.roles`` (the user's roles there).

    :raise 404: when the site does not exist or the user has no role on it.
    :raise 403: when the user lacks the endpoint's permission, or the endpoint
        declares none.
    """
    permission = REQUIRED.get(endpoint or "")
    if permission is None:
        abort(403)
    if permission == PUBLIC:
        return
    user = g.user
    if site_slug is not None:
        site = db.session().scalar(select(Site).where(Site.slug == site_slug))
        if site is None:
            abort(404)
        memberships = [m for m in user.memberships if m.site_id == site.id]
        roles = {m.role for m in memberships}
        if not roles and not user.is_network_admin:
            abort(404)
        g.admin_site, g.roles = site, roles
        g.role_locales = {m.role: list(m.locales or []) for m in memberships}
    if permission == SIGNED_IN:
        return
    if not can(permission):
        abort(403)


def can(permission: str) -> bool:
    """Whether the signed-in user has ``permission`` on the site of this request
    (for install-wide permissions, whether they are a network admin)."""
    user = g.get("user")
    if user is None:
        return False
    return allowed(permission, g.get("roles", set()), user.is_network_admin)


def require(permission: str) -> None:
    """:raise 403: unless :func:`can` ``(permission)``."""
    if not can(permission):
        abort(403)


def role_covers(role: str, locale: str) -> bool:
    """Whether the signed-in user holds ``role`` on this site for ``locale`` (a
    role limited to some languages covers only those)."""
    return role in g.get("roles", set()) and covers(g.get("role_locales", {}).get(role), locale)


def can_edit_locale(locale: str) -> bool:
    """Editors edit every language; translators only the site's other languages
    (and, when their role names languages, only those)."""
    user, roles = g.get("user"), g.get("roles", set())
    if user is None:
        return False
    if user.is_network_admin or "editor" in roles:
        return True
    return role_covers("translator", locale) and locale != g.admin_site.default_locale


def require_edit(locale: str) -> None:
    """:raise 403: unless the user may edit articles in ``locale`` on this site."""
    if not (can("articles.edit") and can_edit_locale(locale)):
        abort(403)


def article_or_404(article_id: int) -> Article:
    """The article ``article_id`` *of this site*. :raise 404: for any other id."""
    article = db.session().scalar(select(Article).where(
        Article.id == article_id, Article.site_id == g.admin_site.id))
    if article is None:
        abort(404)
    return article


def revision_or_404(article: Article, revision_id: int) -> Revision:
    revision = db.session().scalar(
        select(Revision).join(Article, Article.id == Revision.article_id).where(
            Revision.id == revision_id, Revision.article_id == article.id,
            Article.site_id == g.admin_site.id))
    if revision is None:
        abort(404)
    return revision


def membership_or_404(membership_id: int) -> Membership:
    membership = db.session().scalar(select(Membership).where(
        Membership.id == membership_id, Membership.site_id == g.admin_site.id))
    if membership is None:
        abort(404)
    return membership


def managed_sites(user) -> list[Site]:
    """The sites ``user`` can open in the admin, by name."""
    query = select(Site).order_by(Site.name)
    if not user.is_network_admin:
        ids = {m.site_id for m in user.memberships}
        if not ids:
            return []
        query = query.where(Site.id.in_(ids))
    return list(db.session().scalars(query))

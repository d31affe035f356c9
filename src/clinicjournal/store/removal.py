"""Deleting a whole site, with everything that belongs to it.

Each table is emptied of the site's rows explicitly, children first, rather than
trusting ``ON DELETE CASCADE``: SQLite enforces it only with its foreign-key
pragma on, and plugin health rows name the site by slug, with no key at all.
Audit events stay (their ``site_id`` is set to NULL by the schema), so the log
still says who deleted what.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from . import db
from .catalog_models import CatalogEdit, CatalogRevision
from .media import MediaFile, MediaItem
from .models import (
    Article,
    AuditEvent,
    Membership,
    PluginHealth,
    Reference,
    Revision,
    Site,
    SiteHost,
    SitePlugin,
    SlugRedirect,
)
from .people import Person


@dataclass(frozen=True)
class SiteContents:
    """What deleting a site would remove, to show before asking for confirmation."""

    articles: int
    revisions: int
    members: int
    hosts: list[str]


def contents(sess: Session, site: Site) -> SiteContents:
    in_site = select(Article.id).where(Article.site_id == site.id).scalar_subquery()
    return SiteContents(
        articles=sess.scalar(select(func.count()).select_from(Article).where(Article.site_id == site.id)) or 0,
        revisions=sess.scalar(select(func.count()).select_from(Revision).where(Revision.article_id.in_(in_site)))
        or 0,
        members=sess.scalar(select(func.count(func.distinct(Membership.user_id))).where(
            Membership.site_id == site.id)) or 0,
        hosts=[h.name for h in site.hosts])


def delete_site(sess: Session, site: Site) -> SiteContents:
    """Remove ``site`` and all its content, members' roles, hosts, plugin
    settings and its own interface wording (accounts stay: they may work on other sites). The caller commits."""
    removed = contents(sess, site)
    in_site = select(Article.id).where(Article.site_id == site.id).scalar_subquery()
    own_wording = select(CatalogEdit.id).where(CatalogEdit.site_id == site.id).scalar_subquery()
    for table, where in (
            (CatalogRevision, CatalogRevision.edit_id.in_(own_wording)),
            (CatalogEdit, CatalogEdit.site_id == site.id),
            (Revision, Revision.article_id.in_(in_site)),
            (Reference, Reference.article_id.in_(in_site)),
            (SlugRedirect, SlugRedirect.site_id == site.id),
            (Article, Article.site_id == site.id),
            (Person, Person.site_id == site.id),
            (Membership, Membership.site_id == site.id),
            (MediaItem, MediaItem.site_id == site.id),
            (MediaFile, MediaFile.site_id == site.id),
            (SitePlugin, SitePlugin.site_id == site.id),
            (SiteHost, SiteHost.site_id == site.id),
            (PluginHealth, PluginHealth.site_slug == site.slug)):
        sess.execute(delete(table).where(where))
    sess.execute(AuditEvent.__table__.update().where(AuditEvent.site_id == site.id).values(site_id=None))
    if site in sess:  # the ORM must not flush, or refresh, a row that is gone
        sess.expunge(site)
    sess.execute(delete(Site).where(Site.id == site.id))
    db.bump_config_generation(sess)
    return removed

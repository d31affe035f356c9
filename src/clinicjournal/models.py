"""The schema. Changes go through an Alembic revision in ``migrations/versions``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class Site(Base):
    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    default_locale: Mapped[str] = mapped_column(String(16))
    locales: Mapped[list[str]] = mapped_column(default=list)
    # Presentation: colours, logo URL, tagline. Free-form so themes can grow.
    appearance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    hosts: Mapped[list[SiteHost]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="SiteHost.name"
    )
    plugins: Mapped[list[SitePlugin]] = relationship(
        back_populates="site", cascade="all, delete-orphan"
    )


class SiteHost(Base):
    __tablename__ = "site_host"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    # Lower-case host name without port; unique across the whole install.
    name: Mapped[str] = mapped_column(String(253), unique=True)

    site: Mapped[Site] = relationship(back_populates="hosts")


class SitePlugin(Base):
    """Whether a plugin runs on a site, and its settings there (JSON, never pickled)."""

    __tablename__ = "site_plugin"
    __table_args__ = (UniqueConstraint("site_id", "plugin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    plugin: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    # {"setting": value} for plain settings; {"setting": {"en": v, "de": v}} for translatable ones.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)

    site: Mapped[Site] = relationship(back_populates="plugins")


class Article(Base):
    """One language version of an article or page.

    Versions of the same article in other languages share ``translation_key``.
    """

    __tablename__ = "article"
    __table_args__ = (
        UniqueConstraint("site_id", "locale", "slug"),
        Index("ix_article_listing", "site_id", "locale", "kind", "published"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(200))
    translation_key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="article")  # article | page
    status: Mapped[str] = mapped_column(String(16), default="published")
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(100))
    published: Mapped[dt.date | None] = mapped_column(Date)
    updated: Mapped[dt.date | None] = mapped_column(Date)
    reviewed: Mapped[dt.date | None] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(200), default="")
    reviewer: Mapped[str] = mapped_column(String(200), default="")
    takeaway: Mapped[str] = mapped_column(Text, default="")
    faq: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    # Front-matter keys this version does not model yet, kept so export loses nothing.
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    modified: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # When the reader-visible content (text, FAQ, takeaway, sources) last changed.
    # A translation older than its source-language version is outdated.
    content_changed: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    references: Mapped[list[Reference]] = relationship(
        back_populates="article",
        cascade="all, delete-orphan",
        order_by="Reference.position",
        lazy="selectin",
    )


class Reference(Base):
    __tablename__ = "reference"
    __table_args__ = (UniqueConstraint("article_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(default=list)
    container: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(100), default="")
    year: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(String(2000), default="")
    doi: Mapped[str] = mapped_column(String(300), default="")
    pmid: Mapped[str] = mapped_column(String(50), default="")
    pmcid: Mapped[str] = mapped_column(String(50), default="")

    article: Mapped[Article] = relationship(back_populates="references")


class Setting(Base):
    """Install-wide counters. ``config_generation`` is bumped by every change to
    sites, hosts or plugin enablement so each worker knows when to reload."""

    __tablename__ = "install_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class PluginHealth(Base):
    """Failures and slow calls of a plugin on a site, written by whichever worker saw
    them, so the CLI and the admin UI can show them."""

    __tablename__ = "plugin_health"
    __table_args__ = (UniqueConstraint("plugin", "site_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(100))
    site_slug: Mapped[str] = mapped_column(String(63))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    slowest_ms: Mapped[int] = mapped_column(Integer, default=0)
    slowest_hook: Mapped[str] = mapped_column(String(100), default="")

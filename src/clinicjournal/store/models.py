"""The schema. Changes go through an Alembic revision in ``migrations/versions``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
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
    # Site-wide editorial settings, e.g. {"review_interval_days": 365}.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
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
        Index("ix_article_listing", "site_id", "locale", "kind", "published", "status", "publish_at"),
        Index("ix_article_category", "site_id", "locale", "category", "kind", "published", "status",
              "publish_at"),
        Index("ix_article_versions", "site_id", "translation_key"),
        Index("ix_article_pages", "kind", "site_id"),
        # when scheduled articles go live (upcoming.py)
        Index("ix_article_published", "published"),
        Index("ix_article_publish_at", "publish_at"),
        Index("ix_article_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(200))
    translation_key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="article")  # article | page
    # What readers get: draft (nothing), scheduled (from publish_at), published.
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
    # Scheduled publishing at a precise time (UTC); None means "on the published date".
    publish_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    next_review: Mapped[dt.date | None] = mapped_column(Date)
    # Exact time of the last medical sign-off (admin); publishing needs it newer than content_changed.
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Optimistic locking: every UPDATE checks and bumps it, so a save based on a
    # stale copy fails instead of silently overwriting another editor's work.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The row's content columns are what readers see: while the article is
    # published or scheduled they hold the live revision, and saving only adds a
    # revision (the working copy, ``latest_revision_id``). A draft's row mirrors
    # its working copy. See content/publishing.py.
    # Plain ids, not foreign keys: article and revision would point at each other,
    # and backups copy tables in foreign-key order.
    live_revision_id: Mapped[int | None] = mapped_column(Integer)
    latest_revision_id: Mapped[int | None] = mapped_column(Integer)
    # The working copy's review state: "" or "review" (sent to the medical reviewers).
    workflow: Mapped[str] = mapped_column(String(16), default="")
    # Scheduled unpublishing (UTC), e.g. for seasonal advice.
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __mapper_args__ = {"version_id_col": version}

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


class SlugRedirect(Base):
    """A slug an article had before, so its old URL answers 301 to the current one."""

    __tablename__ = "slug_redirect"
    __table_args__ = (UniqueConstraint("site_id", "locale", "old_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(16))
    old_slug: Mapped[str] = mapped_column(String(200))
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


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


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300), default="")
    is_network_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login: Mapped[dt.datetime | None] = mapped_column(DateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")


class Membership(Base):
    """A user's role on one site: site_admin, editor, reviewer or translator."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "site_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    # The languages this role covers (a reviewer for German only); empty means all.
    locales: Mapped[list[str]] = mapped_column(default=list)

    user: Mapped[User] = relationship(back_populates="memberships")
    site: Mapped[Site] = relationship()

    def covers(self, locale: str) -> bool:
        return covers(self.locales, locale)


def covers(locales: list[str] | None, locale: str) -> bool:
    """Whether a role limited to ``locales`` (empty: every language) covers ``locale``."""
    return not locales or locale in locales


class AdminSession(Base):
    """A signed-in staff session. Kept server-side, so that signing out, a password
    change, a role removal or a disabled account ends it on every worker at once:
    the cookie only carries a random token, and the row stores its hash."""

    __tablename__ = "admin_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class LoginThrottle(Base):
    """Failed logins per key (an e-mail address or a client address)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Revision(Base):
    """A saved state of an article, in the authoring format's fields."""

    __tablename__ = "article_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    saved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    saved_by_label: Mapped[str] = mapped_column(String(320), default="")  # e-mail, or "import"
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(String(300), default="")
    # content/fingerprint.py over ``data``; a revision's data never changes.
    content_hash: Mapped[str] = mapped_column(String(80), default="")
    # The medical sign-off of exactly this revision: who, when, and the hash it covers.
    signed_off_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    signed_off_name: Mapped[str] = mapped_column(String(200), default="")
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    signed_hash: Mapped[str] = mapped_column(String(80), default="")

    @property
    def signed(self) -> bool:
        """Signed off, and the sign-off covers this revision's content."""
        return self.signed_off_at is not None and bool(self.signed_hash) and self.signed_hash == self.content_hash


class AuditEvent(Base):
    """Who did what, when, on which site."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(320), default="")  # e-mail, or "cli"
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(100))  # e.g. "plugin.enabled", "article.published"
    target: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class UserPreferences(Base):
    """A staff member's language for e-mail and the notifications they want.

    One row per user, made the first time either is chosen (mail/preferences.py).
    Kept beside ``user_account`` rather than in it while the account screens
    change; no row means the defaults: the site's default language, every
    notification on.
    """

    __tablename__ = "user_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    # A UI locale code; "" means "the language of the site the message is about".
    locale: Mapped[str] = mapped_column(String(16), default="")
    # {"review_requested": False, ...}: a kind that is missing is on.
    notifications: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AccountToken(Base):
    """A single-use link sent by e-mail: an invitation or a password reset.

    Only the SHA-256 of the token is kept, so a copy of the database opens no
    account. ``password_stamp`` is a digest of the password hash when the token
    was made: once the password changes, the token no longer matches it.
    """

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # invitation | reset
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_stamp: Mapped[str] = mapped_column(String(64), default="")
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class MailSent(Base):
    """One row per scheduled message already sent (a reminder, a weekly digest),
    keyed by what it was about, so running ``reminders send`` again sends nothing twice."""

    __tablename__ = "mail_sent"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)

"""Interface translations edited in the browser, stored as rows.

The shipped ``.po`` files stay what the developers committed; a row here is
layered over them at run time (:mod:`clinicjournal.i18n.layer`). A row with
``site_id`` NULL changes the install-wide catalog of a language; a row with a
site id is that site's own wording and wins over both. Every save is also a
:class:`CatalogRevision`, so a message's history can be read back and reverted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, utcnow


class CatalogEdit(Base):
    """The current browser translation of one message of one catalog and locale."""

    __tablename__ = "catalog_edit"
    __table_args__ = (
        # one row per message and scope; "" stands for "no context" and site 0
        # for "install-wide" in the key, because NULLs are never equal in a UNIQUE
        Index("ux_catalog_edit_message", "catalog", "locale", "scope", "msgctxt", "msgid", unique=True),
        Index("ix_catalog_edit_site_id", "site_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    catalog: Mapped[str] = mapped_column(String(100))  # "core" or a plugin's name
    locale: Mapped[str] = mapped_column(String(16))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    scope: Mapped[int] = mapped_column(Integer, default=0)  # site_id or 0: part of the unique key
    msgctxt: Mapped[str] = mapped_column(String(300), default="")
    msgid: Mapped[str] = mapped_column(Text)
    msgid_plural: Mapped[str] = mapped_column(Text, default="")
    # one string per plural form (a single one for a message without plural)
    strings: Mapped[list[str]] = mapped_column(JSON, default=list)
    fuzzy: Mapped[bool] = mapped_column(Boolean, default=False)
    # what the source said when this was translated: `translate update` compares it
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_by_label: Mapped[str] = mapped_column(String(320), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def key(self) -> tuple[str, str]:
        return self.msgid, self.msgctxt


class CatalogRevision(Base):
    """One saved state of a :class:`CatalogEdit` (the first is what was shipped)."""

    __tablename__ = "catalog_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    edit_id: Mapped[int] = mapped_column(ForeignKey("catalog_edit.id", ondelete="CASCADE"), index=True)
    strings: Mapped[list[str]] = mapped_column(JSON, default=list)
    fuzzy: Mapped[bool] = mapped_column(Boolean, default=False)
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    saved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    saved_by_label: Mapped[str] = mapped_column(String(320), default="")
    note: Mapped[str] = mapped_column(String(300), default="")  # "revert to 12", "upload", "source changed"


class CatalogGrant(Base):
    """A network admin's grant: ``user`` may edit the install-wide catalogs of ``locale``."""

    __tablename__ = "catalog_grant"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

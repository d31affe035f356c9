"""The media library's tables: uploaded images and the bytes of every size of them.

The bytes live in the database, not on one host's disk, so every host of a
multi-host install serves them with nothing more to set up (and a backup, which
copies every table, carries them). A file is keyed by the site and the SHA-256
of its bytes: the URL names the hash, so it never changes meaning and browsers
and caches keep it forever; the site in the key makes another site's host
answer 404 for it (two sites uploading the same picture each hold a copy).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, utcnow


class MediaItem(Base):
    """One image of a site's library, referenced by ``key`` from articles
    (``image: key``, ``![...](media:key)``) and from the site's logo setting."""

    __tablename__ = "media_item"
    __table_args__ = (UniqueConstraint("site_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    # {"en": "...", "ar": "..."}: one description per language of the site, all required.
    alt: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Where the subject is, 0..1 from the left and from the top: crops keep it in view.
    focal_x: Mapped[float] = mapped_column(Float, default=0.5)
    focal_y: Mapped[float] = mapped_column(Float, default=0.5)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # The re-encoded full-size image (what export writes), a media_file hash.
    original: Mapped[str] = mapped_column(String(64))
    # [{"hash", "mime", "width", "height"}]: the sizes readers get, WebP and a fallback.
    variants: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The 1200×630 crop around the focal point for og:image / twitter:image.
    social: Mapped[str] = mapped_column(String(64), default="")
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class MediaFile(Base):
    """The bytes of one image file (an original, a variant or a crop) of one site."""

    __tablename__ = "media_file"

    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of data, hex
    mime: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

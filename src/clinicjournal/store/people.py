"""Person profiles: the authors and medical reviewers a site names on its articles.

A profile may be linked to a staff account (``user_id``): the reviewed-by line
links to the profile of the account that actually signed the live revision off,
never to a profile whose name merely looks like the typed sign-off name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models import Base

SLUG_MAX, NAME_MAX, CREDENTIALS_MAX, ROLE_MAX, BIO_MAX = 100, 200, 60, 120, 4000


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("site_id", "slug"), UniqueConstraint("site_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    credentials: Mapped[str] = mapped_column(String(CREDENTIALS_MAX), default="")  # "MD", "RN, MSc"
    # {"en": "Family physician", "ar": "..."}: per locale of the site, plain text.
    role: Mapped[dict[str, Any]] = mapped_column(default=dict)
    bio: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The staff account whose sign-offs this profile stands for (one per site).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Reserved for the media library (a media item id); not a foreign key yet,
    # so this table does not depend on one that may not exist.
    photo_id: Mapped[int | None] = mapped_column(Integer)

    def role_in(self, locale: str, default_locale: str) -> str:
        return self.role.get(locale) or self.role.get(default_locale) or ""

    def bio_in(self, locale: str, default_locale: str) -> str:
        return self.bio.get(locale) or self.bio.get(default_locale) or ""


def slugs(sess: Session, site_id: int) -> set[str]:
    """The profile slugs of a site: what front matter ``author_key`` may name."""
    return set(sess.scalars(select(Person.slug).where(Person.site_id == site_id)))

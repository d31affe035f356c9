"""Person pages (``/<locale>/people/<slug>/``) and the article byline's links to them.

Two path segments under ``people/``, so no article slug (one segment) can take
a person's address. Lists only what readers may see (``articles.visible``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g, request
from markupsafe import Markup
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..content import media
from ..content import people as profiles
from ..content.context import PageContext
from ..store import db
from ..store.models import Article, Revision
from ..store.people import Person
from .articles import ARTICLE, visible
from .assets import render_page
from .media import site_root
from .pagebits import jsonld_dumps, locale_root

AUTHOR_KEY = profiles.AUTHOR_KEY  # front matter: the slug of the author's profile (docs/authoring.md)
PHOTO_SIZES = "(min-width: 40rem) 10rem, 8rem"  # the portrait beside the name (journal.css .person__photo)


def person_url(slug: str, locale: str | None = None) -> str:
    return locale_root(locale or g.locale) + "people/" + slug + "/"


@dataclass(frozen=True)
class Byline:
    """The profiles an article's header links to (either may be missing)."""

    author: Person | None = None
    reviewer: Person | None = None

    @property
    def key(self) -> tuple:
        """What the header's memo must vary on: a renamed profile changes the line."""
        return tuple((p.id, p.slug, p.name, p.credentials) if p else None for p in (self.author, self.reviewer))

    def jsonld(self, locale: str, default_locale: str) -> dict:
        return {role: person_jsonld(p, locale, default_locale)
                for role, p in (("author", self.author), ("reviewer", self.reviewer)) if p is not None}


def _signed_live(revision_id):
    """The live revision, with a sign-off that covers its own content."""
    return and_(Revision.id == revision_id, Revision.signed_off_at.is_not(None),
                Revision.signed_hash != "", Revision.signed_hash == Revision.content_hash)


def byline(sess: Session, site_id: int, article) -> Byline:
    """The author's profile named by ``author_key``, and the reviewer's: the
    profile linked to the account that signed the live revision off. A typed
    reviewer name is never matched to a profile."""
    author = reviewer = None
    key = (article.extra or {}).get(AUTHOR_KEY)
    if isinstance(key, str) and key:
        author = sess.scalar(select(Person).where(Person.site_id == site_id, Person.slug == key))
    if article.reviewer and article.reviewed and article.id is not None:
        reviewer = sess.scalar(select(Person).join(Revision, Revision.signed_off_by == Person.user_id).join(
            Article, Article.live_revision_id == Revision.id).where(
            Person.site_id == site_id, Article.id == article.id, Article.site_id == site_id,
            _signed_live(Article.live_revision_id)))
    return Byline(author, reviewer)


def works(sess: Session, person: Person, locale: str) -> list[Article]:
    """Visible articles in ``locale`` that ``person`` wrote or signed off, newest first."""
    wrote = Article.extra[AUTHOR_KEY].as_string() == person.slug
    reviewed = (Article.live_revision_id.in_(select(Revision.id).where(
        Revision.signed_off_by == person.user_id, _signed_live(Revision.id)))
        if person.user_id is not None else False)
    return list(sess.scalars(select(Article).where(
        Article.site_id == person.site_id, Article.locale == locale, Article.kind == ARTICLE,
        visible(), or_(wrote, reviewed)).order_by(Article.published.desc(), Article.id.desc()).limit(200)))


def person_jsonld(person: Person, locale: str, default_locale: str) -> dict:
    """schema.org ``Person``: for an article's ``author``/``reviewedBy`` and the profile page."""
    data = {"@type": "Person", "name": person.name, "url": request.host_url.rstrip("/") + person_url(person.slug, locale)}
    if person.credentials:
        data["honorificSuffix"] = person.credentials
    role = person.role_in(locale, default_locale)
    if role:
        data["jobTitle"] = role
    return data


def _written_in(texts: dict, locale: str, default_locale: str) -> str | None:
    """The language of the text shown for ``locale``, when it is not ``locale``'s own."""
    return None if (texts or {}).get(locale) else default_locale


def find(sess: Session, site_id: int, slug: str) -> Person | None:
    return sess.scalar(select(Person).where(Person.site_id == site_id, Person.slug == slug))


def person_page(slug: str) -> str:
    """A person's profile and what they wrote or reviewed.

    :raise 404: for a slug no profile of this site has.
    """
    site, sess = g.site, db.session()
    person = find(sess, site.id, slug)
    if person is None:
        abort(404)
    listed = works(sess, person, g.locale)
    reviewed_ids = set(sess.scalars(select(Revision.id).where(
        Revision.id.in_([a.live_revision_id for a in listed]), Revision.signed_off_by == person.user_id))
    ) if person.user_id is not None else set()
    g.page_ctx = PageContext(site=site, locale=g.locale, page="person")
    item = profiles.photo(sess, site.id, person.photo_id)  # of this site only, whatever the row says
    photo = Markup(media.picture_html(item, site_root(), media.alt_text(item, g.locale, site.default_locale),
                                      sizes=PHOTO_SIZES, hero=True)) if item is not None else None
    jsonld = Markup(jsonld_dumps({"@context": "https://schema.org", "@type": "ProfilePage",
                                  "mainEntity": person_jsonld(person, g.locale, site.default_locale)}))
    return render_page("person.html", person=person, listed=listed, photo=photo, reviewed_ids=reviewed_ids, jsonld=jsonld,
                       role=person.role_in(g.locale, site.default_locale),
                       bio=person.bio_in(g.locale, site.default_locale),
                       # a role or biography not written in this language is the default language's:
                       # marked so, its punctuation stays where that language puts it
                       role_lang=_written_in(person.role, g.locale, site.default_locale),
                       bio_lang=_written_in(person.bio, g.locale, site.default_locale),
                       alternates=[(loc, person_url(slug, loc)) for loc in site.locales])

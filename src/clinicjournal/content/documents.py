"""Importing and exporting articles in the authoring format.

An import is all or nothing: every file is parsed and checked first, and the
database is written in one transaction only when none has a problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ..store.models import Article, Site, utcnow
from . import publishing, redirects, retiring, revisions
from .authoring import (
    ArticleData,
    AuthoringError,
    Parsed,
    check_document,
)
from .writing import dump_document, to_data


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: live articles whose file was saved as changes waiting for review and publishing
    waiting: list[str] = field(default_factory=list)
    #: made live without a medical sign-off (none in the file, or one that did not match)
    unreviewed: list[str] = field(default_factory=list)
    #: a ``signoff`` whose hash is not the text's: the text changed after it was signed
    signoff_dropped: list[str] = field(default_factory=list)
    #: "locale/old-slug" aliases not taken: another article of the site answers there
    aliases_refused: list[str] = field(default_factory=list)


class ImportFailed(Exception):
    """Raised with every problem found; nothing was written."""

    def __init__(self, errors: list[AuthoringError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def find_files(path: Path) -> list[Path]:
    """The ``.md`` files at ``path`` (a file, or a folder searched recursively)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is neither a file nor a folder")
    return sorted(p for p in path.rglob("*.md") if p.is_file() and not p.name.startswith("."))


def read_files(files: Iterable[Path], progress: Callable[[Path], None] | None = None) -> list[Parsed]:
    """Each file parsed as far as it can be, with every problem in it (see
    :func:`~clinicjournal.content.authoring.check_document`)."""
    parsed = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            parsed.append(Parsed(str(path), None, [AuthoringError("is not UTF-8 text; save it as UTF-8",
                                                                  source=str(path))]))
        else:
            parsed.append(check_document(text, source=str(path)))
        if progress:
            progress(path)
    return parsed


def check_against_site(parsed: list[Parsed], site: Site, known_categories: set[str] | None,
                       validate: Callable[[ArticleData], list[str]] | None = None,
                       people: set[str] | None = None) -> list[AuthoringError]:
    """Problems that depend on the site: locales it serves, categories, duplicates, plugins' checks,
    and an ``author_key`` naming no profile of ``people`` (the site's profile slugs).

    Files with problems of their own are checked too, on the fields they got
    right (a refused locale is not also "not served"); plugins' checks run only
    on articles whose every field was accepted, as they expect a whole article.
    """
    errors, seen = [], {}
    for item in parsed:
        doc, refused = item.doc, item.refused
        if doc is None:  # the front matter could not be read
            continue

        def err(message: str, fld: str, item: Parsed = item) -> None:
            errors.append(AuthoringError(message, source=item.source, line=item.line_of(fld), field=fld))

        if "locale" not in refused and doc.locale not in site.locales:
            err(f"site {site.slug!r} does not serve locale {doc.locale!r} (it serves "
                f"{', '.join(site.locales)}); add it with `clinicjournal site add-locale {site.slug} "
                f"{doc.locale}`", "locale")
        if doc.category and known_categories is not None and doc.category not in known_categories:
            err(f"unknown category {doc.category!r}; categories offered by installed plugins: "
                f"{', '.join(sorted(known_categories)) or 'none'}", "category")
        author_key = (doc.extra or {}).get("author_key")
        if author_key is not None and people is not None and (
                not isinstance(author_key, str) or author_key not in people):
            err(f"author_key {author_key!r} names no person profile of site {site.slug!r} (profiles: "
                f"{', '.join(sorted(people)) or 'none'}); create that profile first", "author_key")
        if not refused & {"slug", "locale"}:
            key = (doc.locale, doc.slug)
            if key in seen:
                err(f"the slug {doc.slug!r} in locale {doc.locale!r} is also used by {seen[key]}", "slug")
            seen[key] = doc.source
        if validate and not refused:
            for message in validate(doc):
                err(message, "plugin check")
    return errors


def in_file_order(errors: list[AuthoringError], files: Iterable[Path]) -> list[AuthoringError]:
    """``errors`` grouped by file in the order of ``files``, and by line within each
    file (a problem of no particular line last)."""
    order = {str(path): i for i, path in enumerate(files)}
    return sorted(errors, key=lambda e: (order.get(e.source, len(order)), e.source, e.line is None, e.line or 0))


def import_documents(sess: Session, site: Site, docs: list[ArticleData]) -> ImportReport:
    """Create or update articles by (site, locale, slug). The caller commits.

    Each file is saved as its article's working copy (a revision labelled
    ``"import"``). A new article, or one with nothing live, then takes the file's
    status: ``published`` or ``scheduled`` (at ``publish_at``) makes that revision
    live, ``review`` sends it to the reviewers. An article that is live keeps
    what readers see unless the file is published and signed off (a ``signoff``
    block whose hash is the file's text): other text waits in the admin to be
    reviewed and published. A ``signoff`` block is kept only when its hash is the text's.

    Articles that go live together get the same ``content_changed`` time, so
    versions imported together never look outdated against each other.
    """
    report = ImportReport()
    now = utcnow()
    existing = _existing(sess, site.id, {(d.locale, d.slug) for d in docs})
    for doc in docs:
        article = existing.get((doc.locale, doc.slug))
        label = f"{doc.locale}/{doc.slug}"
        created = article is None
        if created:
            article = Article(site_id=site.id, locale=doc.locale, slug=doc.slug, status="draft", workflow="")
            sess.add(article)
        elif _unchanged(sess, article, doc):
            _take_aliases(sess, article, doc, report)
            report.unchanged.append(label)
            continue
        was_live = publishing.is_live(article)
        revision = publishing.save(sess, article, doc, "import", note="import", now=now)
        if doc.signoff:
            if doc.signoff["hash"] == revision.content_hash:
                if not publishing.signature(revision):
                    publishing.sign(site, article, revision, doc.signoff["reviewer"], None,
                                    at=dt.datetime.combine(doc.signoff["date"], dt.time()))
            else:
                report.signoff_dropped.append(label)
        _take_aliases(sess, article, doc, report)
        if was_live and not (doc.status in publishing.SHOWN and publishing.signature(revision)):
            # unreviewed text never replaces what readers see: it waits in the admin
            report.waiting.append(label)
            continue
        (report.created if created else report.updated).append(label)
        if doc.status in publishing.SHOWN:
            publishing.make_live(sess, site, article, revision, at=doc.publish_at, expires=doc.expires,
                                 keep_date=True, now=now)
            if not publishing.signature(revision) and publishing.review_required(site, article.kind):
                report.unreviewed.append(label)
        else:
            article.workflow = "review" if doc.status == "review" else ""
            if doc.status == retiring.ARCHIVED:
                article.status = retiring.ARCHIVED
    sess.flush()
    return report


def _take_aliases(sess: Session, article: Article, doc: ArticleData, report: ImportReport) -> None:
    if article.id is None:
        sess.flush()
    for alias in doc.aliases:
        if redirects.add_alias(sess, article, alias) is not None:
            report.aliases_refused.append(f"{doc.locale}/{alias}")


def _unchanged(sess: Session, article: Article, doc: ArticleData) -> bool:
    """Whether importing ``doc`` would change nothing: the same text as the
    working copy, the same public state (unless something is live, which an
    import never changes), and no sign-off to add."""
    current = publishing.latest(sess, article)
    if current is None or publishing.comparable(current.data) != publishing.comparable(revisions.snapshot_of(doc)):
        return False
    if doc.signoff and not publishing.signature(current) and doc.signoff["hash"] == current.content_hash:
        return False
    if publishing.is_live(article):
        return True
    return doc.status not in publishing.SHOWN and article.workflow == ("review" if doc.status == "review" else "")


def _existing(sess: Session, site_id: int, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Article]:
    """The site's stored articles among ``keys`` ((locale, slug) pairs), in batches:
    an import of one file into a site of thousands loads one article, not all."""
    found: dict[tuple[str, str], Article] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), 200):
        batch = ordered[start:start + 200]
        for article in sess.scalars(select(Article).where(
                Article.site_id == site_id, tuple_(Article.locale, Article.slug).in_(batch))):
            found[(article.locale, article.slug)] = article
    return found


def _comparable(doc: ArticleData) -> ArticleData:
    return ArticleData(**{**doc.__dict__, "source": "", "body_line": 1})


def export_site(sess: Session, site: Site, folder: Path,
                progress: Callable[[Path], None] | None = None) -> list[Path]:
    """Write every article of ``site`` as ``<folder>/<locale>/<slug>.md``: what is
    live (with its schedule, expiry and sign-off), else the working copy.

    Importing the folder into an empty site gives the same public site at every
    moment. Changes waiting on a live article are not written: they stay in the
    admin (``content status`` lists them).
    """
    written = []
    for article in sess.scalars(select(Article).where(Article.site_id == site.id)
                                .order_by(Article.locale, Article.slug)):
        path = folder / article.locale / f"{article.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_document(exported(sess, article)), encoding="utf-8")
        written.append(path)
        if progress:
            progress(path)
    return written


def exported(sess: Session, article: Article, working: bool = False) -> ArticleData:
    """The authoring document export writes for ``article``: what is live, else
    (or with ``working``, for the editor's download) the working copy."""
    if publishing.is_live(article) and not (working and publishing.changes_waiting(article)):
        doc, revision = to_data(article), publishing.live(sess, article)
    else:
        doc, revision = publishing.working_copy(sess, article), publishing.latest(sess, article)
        doc.status = "review" if article.workflow == "review" else (
            retiring.ARCHIVED if article.status == retiring.ARCHIVED else "draft")
    doc.aliases = redirects.aliases(sess, article)
    # The sign-off is written as a block with the hash it covers, never as the
    # bare reviewer and date, which an import would have no way to check.
    doc.reviewer, doc.reviewed = "", None
    if publishing.signature(revision):
        doc.signoff = {"reviewer": revision.signed_off_name, "date": revision.signed_off_at.date(),
                       "hash": revision.signed_hash}
    return doc

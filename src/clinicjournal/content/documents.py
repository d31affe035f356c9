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

from ..store import db
from ..store.manage import review_interval_days
from ..store.models import Article, Reference, Site, utcnow
from . import revisions
from .authoring import (
    ArticleData,
    AuthoringError,
    Parsed,
    check_document,
    dump_document,
    to_data,
)
from .render import count_words


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


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
                       validate: Callable[[ArticleData], list[str]] | None = None) -> list[AuthoringError]:
    """Problems that depend on the site: locales it serves, categories, duplicates, plugins' checks.

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

    Each created or changed article gets a revision labelled ``"import"``, and
    ``next_review`` (its ``reviewed`` date plus the site's review interval).

    Every article whose reader-visible content changes gets the same
    ``content_changed`` time, so versions imported together never look
    outdated against each other.
    """
    report = ImportReport()
    now = utcnow()
    touched: list[Article] = []
    pages_changed = False
    existing = _existing(sess, site.id, {(d.locale, d.slug) for d in docs})
    for doc in docs:
        article = existing.get((doc.locale, doc.slug))
        label = f"{doc.locale}/{doc.slug}"
        if article is None:
            article = Article(site_id=site.id, locale=doc.locale, slug=doc.slug)
            sess.add(article)
            report.created.append(label)
        elif to_data(article) == _comparable(doc):
            report.unchanged.append(label)
            continue
        else:
            report.updated.append(label)
        before = _visible_content(article)
        was_page = article.kind == "page"
        reviewed_before = article.reviewed
        apply(article, doc)
        if before != _visible_content(article):
            article.content_changed = now
        if article.reviewed and (article.next_review is None or article.reviewed != reviewed_before):
            article.next_review = article.reviewed + dt.timedelta(days=review_interval_days(site))
        touched.append(article)
        pages_changed = pages_changed or was_page or article.kind == "page"
    sess.flush()
    for article in touched:
        revisions.record(sess, article, "import", note="import")
    if pages_changed:
        # Site pages (About, Disclaimer) are part of each worker's site registry.
        # Articles are not: cached pages are retired by the cache generation.
        db.bump_config_generation(sess)
    return report


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


def apply(article: Article, doc: ArticleData) -> None:
    """Copy ``doc``'s fields onto ``article``, updating references in place by key."""
    for name in ("translation_key", "kind", "status", "title", "category", "summary", "published",
                 "updated", "reviewed", "author", "reviewer", "takeaway", "body"):
        setattr(article, name, getattr(doc, name))
    article.faq = [dict(item) for item in doc.faq]
    article.extra = dict(doc.extra)
    article.word_count = count_words(doc.body)
    by_key = {r.key: r for r in article.references}
    keep = []
    for position, ref in enumerate(doc.references):
        row = by_key.get(ref.key) or Reference(key=ref.key)
        for name in ("title", "authors", "container", "kind", "year", "doi", "pmid", "pmcid", "url"):
            setattr(row, name, getattr(ref, name))
        row.position = position
        keep.append(row)
    article.references = keep


def _visible_content(article: Article) -> tuple:
    refs = tuple((r.key, r.title, tuple(r.authors or ()), r.container, r.kind, r.year, r.url, r.doi,
                  r.pmid, r.pmcid) for r in article.references) if article.id else ()
    return (article.title, article.summary, article.body, article.takeaway,
            repr(article.faq), refs)


def _comparable(doc: ArticleData) -> ArticleData:
    return ArticleData(**{**doc.__dict__, "source": "", "body_line": 1})


def export_site(sess: Session, site: Site, folder: Path,
                progress: Callable[[Path], None] | None = None) -> list[Path]:
    """Write every article of ``site`` as ``<folder>/<locale>/<slug>.md``."""
    written = []
    for article in sess.scalars(select(Article).where(Article.site_id == site.id)
                                .order_by(Article.locale, Article.slug)):
        path = folder / article.locale / f"{article.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_document(to_data(article)), encoding="utf-8")
        written.append(path)
        if progress:
            progress(path)
    return written

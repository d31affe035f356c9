"""The article editor: form values ↔ the authoring format, saving, and the
publishing workflow (draft → review → published / scheduled).

The form is validated by the same parser that reads authored files
(:func:`~clinicjournal.content.authoring.check_document`), so the editor and
``content import`` accept exactly the same articles. Unknown citation keys do
not stop a draft from being saved, but they stop it from going to review or
being published; each is reported with its line in the body.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content import revisions, safe_yaml
from ..content.authoring import (
    ArticleData,
    AuthoringError,
    check_document,
    extra_problem,
    uncited_keys,
)
from ..content.citations import find_citations
from ..content.documents import _visible_content, apply, to_data
from ..store import db
from ..store.manage import review_interval_days
from ..store.models import Article, User, utcnow

TEXT_FIELDS = ("title", "summary", "category", "translation_key", "slug", "locale", "kind", "published",
               "updated", "author", "takeaway")
#: Fields a restore copies back (identity and workflow fields stay as they are now).
CONTENT_FIELDS = ("title", "summary", "body", "category", "published", "updated", "author", "takeaway",
                  "faq", "references", "extra")


@dataclass
class Problem:
    """Something wrong in the form, shown next to ``field`` (and in the summary)."""

    field: str
    message: str
    line: int | None = None  # for the body: the line in the editor
    excerpt: str = ""  # for the body: that line's text


@dataclass
class Checked:
    doc: ArticleData | None
    errors: list[Problem]  # stop saving
    citations: list[Problem]  # stop review and publishing
    uncited: list[str]  # reference keys never cited: only flagged


class WorkflowError(Exception):
    """A refused status change; the message says why."""


# -- form values -----------------------------------------------------------------

def references_text(refs: list[Any]) -> str:
    data = [{k: v for k, v in dataclasses.asdict(r).items() if v not in ("", None, [])} for r in refs]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100) if data else ""


def values_from_data(doc: ArticleData) -> dict[str, Any]:
    return {
        "title": doc.title, "summary": doc.summary, "body": doc.body, "category": doc.category or "",
        "translation_key": doc.translation_key, "slug": doc.slug, "locale": doc.locale, "kind": doc.kind,
        "published": doc.published.isoformat() if doc.published else "",
        "updated": doc.updated.isoformat() if doc.updated else "",
        "author": doc.author, "takeaway": doc.takeaway,
        "faq": [{"q": i.get("q", ""), "a": i.get("a", "")} for i in doc.faq],
        "references": references_text(doc.references),
    }


def values_from_article(article: Article) -> dict[str, Any]:
    values = values_from_data(to_data(article))
    values["version"] = str(article.version)
    return values


def values_from_form(form) -> dict[str, Any]:
    values = {name: (form.get(name) or "").strip() for name in TEXT_FIELDS}
    values["body"] = (form.get("body") or "").replace("\r\n", "\n")
    values["references"] = (form.get("references") or "").replace("\r\n", "\n")
    questions, answers = form.getlist("faq_q"), form.getlist("faq_a")
    values["faq"] = [{"q": q.strip(), "a": a.strip()} for q, a in zip(questions, answers)]
    values["version"] = (form.get("version") or "").strip()
    return values


# -- checking --------------------------------------------------------------------

def _problem(exc: AuthoringError) -> Problem:
    path = (exc.field or "").split(".")
    head = {"type": "kind"}.get(path[0], path[0]) if path[0] else ""
    message = exc.message
    if head == "references" and len(path) >= 2 and path[1].isdigit():
        what = f" ({path[2]})" if len(path) > 2 else ""
        message = _("Reference %(num)d%(what)s: %(message)s", num=int(path[1]) + 1, what=what, message=message)
    elif head == "faq" and len(path) >= 2 and path[1].isdigit():
        message = _("Question %(num)d: %(message)s", num=int(path[1]) + 1, message=message)
    return Problem(head or "", message)


def citation_problems(body: str, references: list[Any]) -> list[Problem]:
    """Every citation of a key the references do not define, with its line in ``body``."""
    known = {r.key for r in references}
    lines = body.split("\n")
    problems = []
    for citation in find_citations(body):
        for key in citation.keys:
            if key not in known:
                text = lines[citation.line - 1].strip() if citation.line <= len(lines) else ""
                problems.append(Problem("body", _(
                    "Line %(line)d: unknown citation key “%(key)s”. Add it to the references or fix "
                    "the spelling.", line=citation.line, key=key), line=citation.line,
                    excerpt=text if len(text) <= 90 else text[:87] + "…"))
    return problems


def check(values: dict[str, Any], *, site, article: Article | None, sess: Session,
          categories: set[str]) -> Checked:
    """Validate the editor's values for ``site`` (``article`` is None for a new one)."""
    errors: list[Problem] = []
    refs: Any = []
    if values["references"].strip():
        try:
            refs = safe_yaml.load(values["references"])
        except safe_yaml.BadYAML as exc:
            errors.append(Problem("references", _("Not valid YAML (line %(line)s): %(problem)s",
                                                   line=exc.line or "?", problem=exc.problem)))
        if refs is not None and not isinstance(refs, list):
            errors.append(Problem("references", _("Write the references as a YAML list: each one starts "
                                                  "with “- key: ...”.")))
            refs = []
    faq = []
    for number, item in enumerate(values["faq"], start=1):
        if not item["q"] and not item["a"]:
            continue
        if not item["q"] or not item["a"]:
            errors.append(Problem("faq", _("Question %(num)d needs both a question and an answer.", num=number)))
        faq.append(item)
    if errors:
        return Checked(None, errors, [], [])

    meta: dict[str, Any] = dict(article.extra or {}) if article is not None else {}
    too_large = extra_problem(meta)  # stored before the limit: refused at once, not after a slow dump
    if too_large:
        return Checked(None, [Problem("", too_large)], [], [])
    meta.update({
        "slug": values["slug"], "locale": values["locale"],
        "translation_key": values["translation_key"] or values["slug"], "type": values["kind"] or "article",
        "status": article.status if article is not None else "draft",
        "title": values["title"], "category": values["category"] or None, "summary": values["summary"],
        "published": values["published"] or None, "updated": values["updated"] or None,
        "reviewed": article.reviewed.isoformat() if article is not None and article.reviewed else None,
        "author": values["author"], "reviewer": article.reviewer if article is not None else "",
        "takeaway": values["takeaway"], "faq": faq, "references": refs or [],
    })
    front = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"
    body = values["body"]
    parsed = check_document(front + body, source="editor")
    # Unknown citation keys are listed below with their lines in the editor, and
    # only stop review and publishing; every other problem stops saving.
    refused = [p for p in parsed.problems if not (p.field or "").startswith("@")]
    if refused:
        return Checked(None, [_problem(p) for p in refused], [], [])
    doc = parsed.doc
    citations = citation_problems(body, doc.references)

    if doc.locale not in site.locales:
        errors.append(Problem("locale", _("This site does not publish in %(locale)s.", locale=doc.locale)))
    current = article.category if article is not None else None
    if doc.category and doc.category not in categories and doc.category != current:
        errors.append(Problem("category", _("Choose one of the categories offered by this site's plugins.")))
    clash = sess.scalar(select(Article.id).where(Article.site_id == site.id, Article.locale == doc.locale,
                                                 Article.slug == doc.slug))
    if clash is not None and (article is None or clash != article.id):
        errors.append(Problem("slug", _("Another article in this language already uses this slug.")))
    return Checked(doc, errors, citations, uncited_keys(doc))


# -- saving ----------------------------------------------------------------------

# Revision notes are stored in English (they are data, read by every member in
# their own language) and translated when shown: see note_label().
_NOTE_PATTERNS = (
    (re.compile(r"^restored revision (\d+)$"), lambda m: _("restored revision %(num)s", num=m.group(1))),
    (re.compile(r"^uploaded (.+)$"), lambda m: _("uploaded %(file)s", file=m.group(1))),
    (re.compile(r"^scheduled for (.+) UTC$"), lambda m: _("scheduled for %(when)s UTC", when=m.group(1))),
)


def note_label(note: str) -> str:
    """A stored revision note in the reader's language."""
    fixed = {"created": _("created"), "edited": _("edited"), "import": _("import"),
             "sent for review": _("sent for review"), "sent back to draft": _("sent back to draft"),
             "medical review signed off": _("medical review signed off"), "published": _("published"),
             "unpublished": _("unpublished")}
    if note in fixed:
        return fixed[note]
    for pattern, label in _NOTE_PATTERNS:
        found = pattern.match(note)
        if found:
            return label(found)
    return note


def save(sess: Session, site, article: Article | None, doc: ArticleData, user: User, note: str = "") -> Article:
    """Write ``doc`` into ``article`` (a new draft when None) and record a revision.

    Always issues an UPDATE, so the optimistic lock (``Article.version``) is
    checked and moved even when only a reference's details changed. The caller
    compares the form's version first and commits (catching StaleDataError).
    """
    now = utcnow()
    was_page = article is not None and article.kind == "page"
    if article is None:
        article = Article(site_id=site.id, locale=doc.locale, slug=doc.slug, status="draft",
                          content_changed=now)
        sess.add(article)
        before = None
    else:
        before = _visible_content(article)
    article.locale, article.slug = doc.locale, doc.slug
    apply(article, doc)
    if before is not None and before != _visible_content(article):
        article.content_changed = now
    article.modified = now
    revisions.record(sess, article, user, note)
    if article.kind == "page" or was_page:
        db.bump_config_generation(sess)  # the reader's registry lists the site's pages
    return article


def restore(sess: Session, site, article: Article, snapshot: dict[str, Any], user: User, number: int) -> None:
    """Copy a revision's content back into ``article`` as a new save."""
    old = revisions.from_snapshot(snapshot)
    doc = to_data(article)
    for name in CONTENT_FIELDS:
        setattr(doc, name, getattr(old, name))
    save(sess, site, article, doc, user, note=f"restored revision {number}")


# -- workflow ----------------------------------------------------------------------

def signed_off(article: Article) -> bool:
    """Whether a reviewer signed off the article's current text."""
    return article.reviewed_at is not None and article.reviewed_at >= article.content_changed


def problems_before_release(article: Article, site_view, plugins) -> list[str]:
    """Why ``article`` may not go to review or be published (empty: it may)."""
    doc = to_data(article)
    messages = [p.message for p in citation_problems(doc.body, doc.references)]
    if article.kind == "article" and not article.summary:
        messages.append(_("An article needs a summary."))
    for result in plugins.call("validate_article", site_view.enabled_plugins, site_view.slug,
                               article=doc, site=site_view):
        messages.extend(f"{result.plugin}: {m}" for m in result.value or [])
    return messages


def _touch(sess, article: Article, user: User, note: str) -> None:
    article.modified = utcnow()
    revisions.record(sess, article, user, note)
    if article.kind == "page":
        db.bump_config_generation(sess)


def submit(sess, article: Article, user: User, site_view, plugins) -> None:
    if article.status != "draft":
        raise WorkflowError(_("Only a draft can be sent for review."))
    problems = problems_before_release(article, site_view, plugins)
    if problems:
        raise WorkflowError(" ".join(problems))
    article.status = "review"
    _touch(sess, article, user, "sent for review")


def send_back(sess, article: Article, user: User) -> None:
    if article.status != "review":
        raise WorkflowError(_("Only an article in review can be sent back to draft."))
    article.status = "draft"
    _touch(sess, article, user, "sent back to draft")


def sign_off(sess, site, article: Article, user: User) -> None:
    """Record the medical review: reviewer, date, and when the next one is due."""
    if article.status not in ("review", "published", "scheduled"):
        raise WorkflowError(_("Send the article for review first."))
    today = utcnow().date()
    article.reviewer = user.name or user.email
    article.reviewed = today
    article.reviewed_at = utcnow()
    article.next_review = today + dt.timedelta(days=review_interval_days(site))
    _touch(sess, article, user, "medical review signed off")


def publish(sess, article: Article, user: User, site_view, plugins, at: dt.datetime | None = None) -> str:
    """Publish now, or schedule for ``at`` (UTC) when it is in the future.

    Returns the new status. :raise WorkflowError: when the article is not in
    review (or scheduled), an article's current text has no medical sign-off,
    or a citation or plugin check fails.
    """
    if article.status not in ("review", "scheduled"):
        raise WorkflowError(_("Only an article in review can be published."))
    if article.kind == "article" and not signed_off(article):
        raise WorkflowError(_("A medical reviewer must sign off the current text before it is published."))
    problems = problems_before_release(article, site_view, plugins)
    if problems:
        raise WorkflowError(" ".join(problems))
    now = utcnow()
    if at is not None and at > now:
        article.status, article.publish_at, article.published = "scheduled", at, at.date()
        note = f"scheduled for {at:%Y-%m-%d %H:%M} UTC"
    else:
        article.status, article.publish_at = "published", None
        if article.published is None or article.published > now.date():
            article.published = now.date()
        note = "published"
    _touch(sess, article, user, note)
    return article.status


def unpublish(sess, article: Article, user: User) -> None:
    if article.status not in ("published", "scheduled"):
        raise WorkflowError(_("The article is not published."))
    article.status, article.publish_at = "draft", None
    _touch(sess, article, user, "unpublished")

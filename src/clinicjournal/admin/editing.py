"""The article editor: form values ↔ the authoring format, saving, and the
publishing workflow: save (the working copy) → send for review → sign off
(one exact revision) → publish or schedule (that revision goes live).

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

from ..content import media, publishing, revisions, safe_yaml
from ..content.authoring import (
    ArticleData,
    AuthoringError,
    check_document,
    extra_problem,
    uncited_keys,
)
from ..content.checks import is_unknown_citation
from ..content.citations import find_article_citations
from ..i18n import language_here
from ..store.models import Article, Membership, User, covers, utcnow
from . import reference_rows, seo_form

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
    item: int | None = None  # for references and questions: the row (from 1)
    part: str = ""  # for references: the row's field ("title", "year"...)


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
        "seo": seo_form.values(doc.extra),
    }


def values_from_article(sess: Session, article: Article) -> dict[str, Any]:
    """The editor's values: the working copy, not necessarily what readers see."""
    values = values_from_data(publishing.working_copy(sess, article))
    values["version"] = str(article.version)
    return values


def values_from_form(form) -> dict[str, Any]:
    values = {name: (form.get(name) or "").strip() for name in TEXT_FIELDS}
    values["body"] = (form.get("body") or "").replace("\r\n", "\n")
    values["references_mode"], values["references"] = reference_rows.references_text(form)
    questions, answers = form.getlist("faq_q"), form.getlist("faq_a")
    values["faq"] = [{"q": q.strip(), "a": a.strip()} for q, a in zip(questions, answers)]
    values["version"] = (form.get("version") or "").strip()
    values["seo"] = seo_form.from_form(form)
    return values


# -- checking --------------------------------------------------------------------

def _problem(exc: AuthoringError) -> Problem:
    path = (exc.field or "").split(".")
    head = {"type": "kind"}.get(path[0], path[0]) if path[0] else ""
    message, item, part = exc.message, None, ""
    if head == "references" and len(path) >= 2 and path[1].isdigit():
        item, part = int(path[1]) + 1, path[2] if len(path) > 2 else ""
        what = f" ({part})" if part else ""
        message = _("Reference %(num)d%(what)s: %(message)s", num=item, what=what, message=message)
    elif head == "faq" and len(path) >= 2 and path[1].isdigit():
        item = int(path[1]) + 1
        message = _("Question %(num)d: %(message)s", num=item, message=message)
    return Problem(head or "", message, item=item, part=part)


def citation_problems(body: str, references: list[Any], faq: list[dict[str, str]] | None = None) -> list[Problem]:
    """Every citation of a key the references do not define: with its line in
    ``body``, then for each answer of ``faq`` (``{"q", "a"}`` items), with its
    question's number."""
    known = {r.key for r in references}
    lines = body.split("\n")
    problems = []
    for item, citation in find_article_citations(body, faq):
        for key in citation.keys:
            if key in known:
                continue
            if item is not None:
                problems.append(Problem("faq", _(
                    "Question %(num)d: unknown citation key “%(key)s”. Add it to the references or fix "
                    "the spelling.", num=item + 1, key=key)))
                continue
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

    current = publishing.working_copy(sess, article) if article is not None else None
    meta: dict[str, Any] = dict(current.extra or {}) if current is not None else {}
    too_large = extra_problem(meta)  # stored before the limit: refused at once, not after a slow dump
    if too_large:
        return Checked(None, [Problem("", too_large)], [], [])
    meta.update({
        "slug": values["slug"], "locale": values["locale"],
        "translation_key": values["translation_key"] or values["slug"], "type": values["kind"] or "article",
        "status": "draft",
        "title": values["title"], "category": values["category"] or None, "summary": values["summary"],
        "published": values["published"] or None, "updated": values["updated"] or None,
        "author": values["author"],
        "takeaway": values["takeaway"], "faq": faq, "references": refs or [],
    })
    if "seo" in values:
        seo_form.into_front_matter(meta, values["seo"])
    front = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"
    body = values["body"]
    parsed = check_document(front + body, source="editor")
    # Unknown citation keys are listed below with their lines in the editor, and
    # only stop review and publishing; every other problem stops saving.
    refused = [p for p in parsed.problems if not is_unknown_citation(p)]
    if refused:
        return Checked(None, [_problem(p) for p in refused], [], [])
    doc = parsed.doc
    citations = citation_problems(body, doc.references, doc.faq)

    if doc.locale not in site.locales:
        errors.append(Problem("locale", _("This site does not publish in %(locale)s.", locale=doc.locale)))
    kept = {current.category, article.category} if article is not None and current is not None else set()
    if doc.category and doc.category not in categories and doc.category not in kept:
        errors.append(Problem("category", _("Choose one of the categories offered by this site's plugins.")))
    clash = sess.scalar(select(Article.id).where(Article.site_id == site.id, Article.locale == doc.locale,
                                                 Article.slug == doc.slug))
    if clash is not None and (article is None or clash != article.id):
        errors.append(Problem("slug", _("Another article in this language already uses this slug.")))
    for key in media.missing_keys(sess, site.id, body, doc.extra):
        errors.append(Problem("body", _("No image with the key “%(key)s” in the media library: upload it "
                                        "(Media) or correct the key.", key=key)))
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
    fixed = {"created": _("created"), "edited": _("edited"), "autosaved": _("autosaved"), "import": _("import"),
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
    """Save ``doc`` as the working copy of ``article`` (a new draft when None).

    Never changes what readers see (content/publishing.py). The caller compares
    the form's version first and commits (catching StaleDataError).
    """
    if article is None:
        article = Article(site_id=site.id, locale=doc.locale, slug=doc.slug, status="draft", workflow="")
        sess.add(article)
    publishing.save(sess, article, doc, user, note)
    return article


def restore(sess: Session, site, article: Article, snapshot: dict[str, Any], user: User, number: int) -> None:
    """Copy a revision's content into the working copy, as a new save."""
    old = revisions.from_snapshot(snapshot)
    doc = publishing.working_copy(sess, article)
    for name in CONTENT_FIELDS:
        setattr(doc, name, getattr(old, name))
    save(sess, site, article, doc, user, note=f"restored revision {number}")


# -- workflow ----------------------------------------------------------------------
# Each step checks what it may do against the data (which revision is latest,
# which is live, who saved what), never against which buttons a screen showed.

def signed_off(article: Article) -> bool:
    """Whether the live revision carries a medical sign-off (what the public line shows)."""
    return publishing.is_live(article) and article.reviewed_at is not None


def problems_before_release(doc: ArticleData, site_view, plugins) -> list[str]:
    """Why the working copy ``doc`` may not go to review or be published (empty: it may)."""
    messages = [p.message for p in citation_problems(doc.body, doc.references, doc.faq)]
    if doc.kind == "article" and not doc.summary:
        messages.append(_("An article needs a summary."))
    for result in plugins.call("validate_article", site_view.enabled_plugins, site_view.slug,
                               article=doc, site=site_view):
        messages.extend(f"{result.plugin}: {m}" for m in result.value or [])
    return messages


def _working(sess, article: Article):
    revision = publishing.latest(sess, article)
    if revision is None:
        raise WorkflowError(_("This article has no saved text yet; save it first."))
    return revision, revisions.from_snapshot(revision.data)


def submit(sess, article: Article, user: User, site_view, plugins) -> None:
    if article.workflow == "review":
        raise WorkflowError(_("The article is already waiting for a medical reviewer."))
    _revision, doc = _working(sess, article)
    if publishing.is_live(article) and not publishing.changes_waiting(article):
        raise WorkflowError(_("Nothing to send: the text is the one readers see. Edit it first."))
    problems = problems_before_release(doc, site_view, plugins)
    if problems:
        raise WorkflowError(" ".join(problems))
    article.workflow = "review"
    article.modified = utcnow()


def send_back(sess, article: Article, user: User) -> None:
    if article.workflow != "review":
        raise WorkflowError(_("Only an article in review can be sent back to draft."))
    article.workflow = ""
    article.modified = utcnow()


def awaiting_signoff(sess, article: Article) -> bool:
    """Whether the latest revision waits for a sign-off: sent for review and not yet signed."""
    revision = publishing.latest(sess, article)
    return article.workflow == "review" and revision is not None and not publishing.signature(revision)


def review_languages(sess, site, user: User) -> list[str] | None:
    """The languages ``user`` reviews on ``site``: None when they are no reviewer
    there, an empty list for every language. Read from the database, not from
    the request, so that the sign-off rests on the role as it is now."""
    row = sess.scalar(select(Membership).where(Membership.site_id == site.id, Membership.user_id == user.id,
                                               Membership.role == "reviewer"))
    return None if row is None else list(row.locales or [])


def not_your_language(languages: list[str], locale: str) -> str:
    """Why a reviewer limited to ``languages`` cannot sign off text in ``locale``."""
    return _("You review %(languages)s on this site; this text is in %(language)s, so a reviewer for that "
             "language must sign it off.", languages=", ".join(language_here(code) for code in languages),
             language=language_here(locale))


def sign_off(sess, site, article: Article, user: User) -> None:
    """Sign off the latest revision: the one sent for review, or the live one again
    (the periodic re-review), never text that nobody asked to be reviewed."""
    revision, _doc = _working(sess, article)
    renewing = revision.id == article.live_revision_id and publishing.is_live(article)
    if not (renewing or article.workflow == "review"):
        raise WorkflowError(_("Nothing is waiting for a medical sign-off: the changes must be sent for "
                              "review first."))
    if publishing.signature(revision) and not renewing:
        raise WorkflowError(_("This revision is already signed off; it can be published."))
    if publishing.four_eyes(site) and user.id in publishing.authors_of(sess, article, revision):
        raise WorkflowError(_("You made changes in this text, so another reviewer must sign it off (this "
                              "site's four-eyes rule)."))
    languages = review_languages(sess, site, user)
    if languages is None:
        raise WorkflowError(_("Only a medical reviewer of this site can sign off."))
    if not covers(languages, article.locale):
        raise WorkflowError(not_your_language(languages, article.locale))
    publishing.sign(site, article, revision, user.name or user.email, user)
    article.modified = utcnow()


def publish(sess, site, article: Article, user: User, site_view, plugins, at: dt.datetime | None = None,
            expires: dt.datetime | None = None) -> str:
    """Make the latest revision live now, or from ``at`` (UTC) when it is in the future.

    Returns the new status. :raise WorkflowError: when that revision needs a
    sign-off it does not carry, a citation or plugin check fails, its slug is
    taken, or a schedule is asked for an article readers already see.
    """
    now = utcnow()
    revision, doc = _working(sess, article)
    if at is not None and at > now and publishing.public_state(article, now) == "published":
        raise WorkflowError(_("Readers already see this article, so it cannot be scheduled: publish the "
                              "changes now, or unpublish it first."))
    if expires is not None and expires <= (at if at is not None and at > now else now):
        raise WorkflowError(_("Choose an unpublishing time after the article goes live."))
    if publishing.review_required(site, doc.kind) and not publishing.signature(revision):
        raise WorkflowError(_("A medical reviewer must sign off this exact text before it is published."))
    problems = problems_before_release(doc, site_view, plugins)
    if problems:
        raise WorkflowError(" ".join(problems))
    clash = sess.scalar(select(Article.id).where(Article.site_id == site.id, Article.locale == doc.locale,
                                                 Article.slug == doc.slug, Article.id != article.id))
    if clash is not None:
        raise WorkflowError(_("Another article in this language already uses this slug."))
    return publishing.make_live(sess, site, article, revision, at=at, expires=expires, now=now)


def unpublish(sess, article: Article, user: User) -> None:
    if not publishing.is_live(article):
        raise WorkflowError(_("The article is not published."))
    publishing.take_down(sess, article)


def set_expiry(sess, article: Article, at: dt.datetime | None) -> None:
    """Schedule (or cancel, with None) unpublishing of what is live."""
    if not publishing.is_live(article):
        raise WorkflowError(_("The article is not published."))
    if at is not None and at <= utcnow():
        raise WorkflowError(_("Choose a time in the future to unpublish the article."))
    article.expires_at = at
    article.modified = utcnow()


def discard(sess, article: Article) -> None:
    if not publishing.changes_waiting(article):
        raise WorkflowError(_("No changes are waiting."))
    publishing.discard(sess, article)

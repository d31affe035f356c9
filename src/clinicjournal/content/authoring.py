"""The authoring format: YAML front matter + Markdown body (see docs/authoring.md).

``parse_document`` turns a file's text into an :class:`ArticleData` or raises
:class:`AuthoringError` naming the file, the line and the field of every problem
in it; ``check_document`` gives the same problems as a list, with the article as
far as it could be read. ``writing.dump_document`` writes the same format
back, so export → import loses nothing.

The front matter is read by :mod:`.safe_yaml` (plain data: no anchors or
aliases, bounded nesting, size and numbers); unknown keys are kept in
``extra`` up to :data:`MAX_EXTRA_BYTES`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError

from ..store.models import Reference
from . import safe_yaml, seo
from .checks import CONTROL_RE, AuthoringError, Checker, shown
from .citations import find_article_citations, number_references

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,198}[a-z0-9])?$")
KINDS = ("article", "page")
STATUSES = ("draft", "review", "published", "scheduled", "archived")
REFERENCE_FIELDS = ("key", "title", "authors", "container", "kind", "year", "doi", "pmid", "pmcid", "url")
MAX_REFERENCE_LENGTH = {column.name: column.type.length for column in Reference.__table__.c
                        if getattr(column.type, "length", None)}
#: unknown front-matter keys are kept (and exported again) up to this size, written as JSON
MAX_EXTRA_BYTES = 64 * 1024
# Front-matter keys in the order export writes them.
FIELDS = ("slug", "locale", "translation_key", "aliases", "type", "status", "publish_at", "expires", "title",
          "category", "summary", "published", "updated", "reviewed", "author", "reviewer", "signoff", "takeaway",
          "faq", "references")



@dataclass
class ReferenceData:
    key: str
    title: str
    authors: list[str] = field(default_factory=list)
    container: str = ""
    kind: str = ""
    year: int | None = None
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    url: str = ""


@dataclass
class ArticleData:
    slug: str
    locale: str
    title: str
    translation_key: str = ""
    kind: str = "article"
    status: str = "published"
    category: str | None = None
    summary: str = ""
    published: dt.date | None = None
    updated: dt.date | None = None
    reviewed: dt.date | None = None
    author: str = ""
    reviewer: str = ""
    takeaway: str = ""
    faq: list[dict[str, str]] = field(default_factory=list)
    references: list[ReferenceData] = field(default_factory=list)
    body: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # The workflow's facts, read from and written to files only (never part of a
    # revision's snapshot): scheduled publishing and unpublishing (naive UTC), and
    # a sign-off {"reviewer", "date", "hash"}, taken only if its hash matches the text.
    publish_at: dt.datetime | None = None
    expires: dt.datetime | None = None
    signoff: dict[str, Any] | None = None
    #: old slugs in the same locale that answer 301 to this article (content/redirects.py)
    aliases: list[str] = field(default_factory=list)
    source: str = ""
    body_line: int = 1  # line of the file where the body starts, for error messages


@dataclass
class Parsed:
    """One authored file as far as it could be read, with every problem found in it."""

    source: str
    #: the article, with each refused field left at its default; None when the
    #: front matter could not be read at all (then ``problems`` has that one problem)
    doc: ArticleData | None
    problems: list[AuthoringError] = field(default_factory=list)  # in the order of their lines
    lines: dict[str, int] = field(default_factory=dict)  # dotted field path → line of the file

    @property
    def refused(self) -> set[str]:
        """Front-matter fields (top-level names, and ``body``) whose value was refused:
        checks that depend on them (locale served, duplicate slugs...) are skipped."""
        return {p.field.split(".")[0] for p in self.problems if p.field and not p.field.startswith("@")}

    def line_of(self, path: str) -> int | None:
        """The line where the field ``path`` (``references.2.title``) is written, if it is."""
        return self.lines.get(path)


def parse_document(text: str, source: str = "<text>") -> ArticleData:
    """Parse one authored file.

    :raise AuthoringError: for a missing or malformed front matter, a missing or
        mistyped field, or a citation of a key the references do not list. Every
        problem of the file is in its ``problems`` (see :func:`check_document`).
    """
    parsed = check_document(text, source)
    if parsed.problems:
        raise AuthoringError.collect(parsed.problems)
    return parsed.doc


def check_document(text: str, source: str = "<text>") -> Parsed:
    """Read one authored file and find every problem in it, without raising.

    Each refused field is reported with its line and left at its default, and
    checking goes on; only a front matter that cannot be read (no ``---``
    fences, invalid YAML, not a mapping) is a single problem, with no article.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")

    def unreadable(message: str, line: int | None) -> Parsed:
        return Parsed(source, None, [AuthoringError(message, source=source, line=line)])

    if not lines or lines[0].strip() != "---":
        return unreadable("the file must start with a '---' line opening the front matter", 1)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return unreadable("the front matter is not closed by a '---' line", len(lines))
    front = "\n".join(lines[1:end])
    try:
        meta, node = safe_yaml.load_with_node(front)
    except safe_yaml.BadYAML as exc:
        return unreadable(f"invalid YAML: {exc.problem}", (exc.line + 1) if exc.line else None)
    meta = meta or {}
    if not isinstance(meta, dict):
        return unreadable("the front matter must be a mapping of 'field: value' lines", 2)
    lines_of = safe_yaml.line_index(node, offset=2)
    rest = lines[end + 1:]
    leading_blank = next((i for i, line in enumerate(rest) if line.strip()), len(rest))
    body = "\n".join(rest).strip("\n") + "\n"
    body_line = end + 2 + leading_blank
    c = Checker(meta, source, lines_of)
    for number, line in enumerate(body.split("\n")):
        bad = CONTROL_RE.search(line)
        if bad:  # e.g. NUL, which no database column can hold
            c.refuse("body", f"contains the control character U+{ord(bad.group()):04X}; remove it",
                     line=body_line + number)
    doc = _build(c, body, body_line=body_line)
    return Parsed(source, doc, sorted(c.problems, key=lambda p: p.line or 0), lines_of)


def _build(c: Checker, body: str, body_line: int) -> ArticleData:
    meta, source = c.meta, c.source
    slug = c.field("slug", required=True)
    if slug and not SLUG_RE.match(slug):
        slug = c.refuse("slug", f"{slug!r} must be lower-case letters, digits and hyphens", "")
    locale = c.field("locale", required=True)
    if locale:
        try:
            Locale.parse(locale)
        except (ValueError, UnknownLocaleError):
            locale = c.refuse("locale", f"{locale!r} is not a locale code such as en, de or pt_BR", "")
    kind = c.choice("type", meta.get("type"), KINDS, "article")
    known_type = not c.refused("type")  # a mistyped `type: pgae` must not make the summary required
    references, keys = _references(c, meta.get("references"))
    refused_seo = seo.check(c)  # search fields live in extra: a refused one is not kept
    article = ArticleData(
        slug=slug,
        locale=locale,
        kind=kind,
        title=c.field("title", required=True),
        translation_key=c.field("translation_key") or slug,
        status=c.choice("status", meta.get("status"), STATUSES, "published"),
        category=c.field("category") or None,
        summary=c.text("summary", meta.get("summary"), required=kind == "article" and known_type),
        published=c.date("published", meta.get("published")),
        updated=c.date("updated", meta.get("updated")),
        reviewed=c.date("reviewed", meta.get("reviewed")),
        author=c.field("author"),
        reviewer=c.field("reviewer"),
        takeaway=c.text("takeaway", meta.get("takeaway")),
        faq=_faq(c, meta.get("faq")),
        references=references,
        body=body,
        extra=_extra(c, {k: v for k, v in meta.items() if k not in FIELDS and k not in refused_seo}),
        publish_at=c.moment("publish_at", meta.get("publish_at")),
        expires=c.moment("expires", meta.get("expires")),
        signoff=c.signoff("signoff", meta.get("signoff")),
        aliases=_aliases(c, meta.get("aliases"), slug),
        source=source,
        body_line=body_line,
    )
    if (article.status in ("published", "scheduled") and kind == "article" and not article.published
            and not any(c.refused(name) for name in ("published", "status", "type"))):
        c.refuse("published", f"is required when status is {article.status}")
    if article.signoff and article.updated and article.signoff["date"] < article.updated:
        c.refuse("signoff.date", f"{article.signoff['date'].isoformat()} is before the text's updated date "
                                 f"{article.updated.isoformat()}; a sign-off covers the text as it is, so it "
                                 "cannot be older than its last update", line=c.line("signoff.date"))
        article.signoff = None
    if keys is not None:  # unknown when the references could not be read: every citation would look wrong
        c.problems.extend(_unknown_citations(article, keys, c.line))
    return article


def _aliases(c: Checker, value: Any, slug: str) -> list[str]:
    """Old slugs of the article: a list of slugs, none of them its own."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        return c.refuse("aliases", "must be a list of old slugs, e.g. [flu-jab-2024]", [])
    found = []
    for i, item in enumerate(value):
        if not (isinstance(item, str) and SLUG_RE.match(item)):
            c.refuse(f"aliases.{i}", f"{shown(item)} must be a slug: lower-case letters, digits and hyphens")
        elif item == slug:
            c.refuse(f"aliases.{i}", f"{item!r} is the article's own slug; an old slug must differ from it")
        elif item not in found:
            found.append(item)
    return found


def _faq(c: Checker, value: Any) -> list[dict[str, str]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        return c.refuse("faq", "must be a list of items with 'q' and 'a'", [])
    items = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            c.refuse(f"faq.{i}", "must have a 'q' (question) and an 'a' (answer)")
            continue
        items.append({"q": c.text(f"faq.{i}.q", item.get("q"), required=True),
                      "a": c.text(f"faq.{i}.a", item.get("a"), required=True)})
    return items


def _references(c: Checker, value: Any) -> tuple[list[ReferenceData], set[str] | None]:
    """The references, and the keys they define as written (None when some could
    not be read, so citations cannot be checked against them)."""
    if value in (None, ""):
        return [], set()
    if not isinstance(value, list):
        return c.refuse("references", "must be a list of references, each with a 'key' and a 'title'", []), None
    refs, keys, readable = [], set(), True
    for i, item in enumerate(value):
        path = f"references.{i}"
        if not isinstance(item, dict):
            c.refuse(path, "must be a mapping with at least 'key' and 'title'")
            readable = False
            continue
        for name in sorted(set(item) - set(REFERENCE_FIELDS), key=str):
            c.refuse(f"{path}.{name}", f"unknown reference field; use one of {', '.join(REFERENCE_FIELDS)}")

        def text(name: str, required: bool = False) -> str:
            return c.text(f"{path}.{name}", item.get(name), required, MAX_REFERENCE_LENGTH.get(name))

        key = text("key", required=True)
        if key and key in keys:
            c.refuse(f"{path}.key", f"duplicate reference key {key!r}")
        written = item.get("key")
        # a key refused for its length still defines what the body cites: not "unknown" too
        keys.add(key or (written.strip() if isinstance(written, str) else ""))
        authors = item.get("authors") or []
        if isinstance(authors, str):
            authors = [authors]
        if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
            authors = c.refuse(f"{path}.authors", "must be a list of names", [])
        for j, author in enumerate(authors):
            c.printable(f"{path}.authors.{j}", author)
        year = item.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999):
            year = c.refuse(f"{path}.year", f"must be a whole number such as 2025, not {shown(year)}")
        url = text("url")
        if url and not re.match(r"^https?://", url, re.I):
            url = c.refuse(f"{path}.url", "must start with http:// or https://", "")
        refs.append(ReferenceData(
            key=key, title=text("title", required=True), authors=authors, container=text("container"),
            kind=text("kind"), year=year, doi=text("doi"), pmid=text("pmid"), pmcid=text("pmcid"), url=url,
        ))
    return refs, keys if readable else None


def _extra(c: Checker, extra: dict) -> dict[str, Any]:
    """The front-matter keys the format does not know, kept as written when they
    are plain data (no control character, no .nan or .inf) within :data:`MAX_EXTRA_BYTES`."""
    kept, sizes = {}, {}
    for key, value in extra.items():
        path = str(key)
        if not all(c.printable(path, text) for text in _texts({key: value})):
            continue
        try:
            sizes[path] = _json_size(value, strict=True)
        except ValueError:
            c.refuse(path, "holds .nan or .inf, which cannot be stored; put it in quotes if it is text")
            continue
        kept[key] = value
    if sum(sizes.values()) > MAX_EXTRA_BYTES:
        biggest = max(sizes, key=sizes.get)
        return c.refuse(biggest, _too_large(sizes), {})
    return kept


def extra_problem(extra: dict[str, Any]) -> str | None:
    """Why ``extra`` (an article's unknown front-matter keys) is too large to store, or None."""
    sizes = {str(key): _json_size(value) for key, value in (extra or {}).items()}
    return _too_large(sizes) if sum(sizes.values()) > MAX_EXTRA_BYTES else None


def _too_large(sizes: dict[str, int]) -> str:
    names = sorted(sizes, key=sizes.get, reverse=True)
    listed = ", ".join(f"{shown(name)} ({-(-sizes[name] // 1024)} KB)" for name in names[:5])
    return (f"fields the format does not know are kept as written up to {MAX_EXTRA_BYTES // 1024} KB in all "
            f"(as JSON), and these take {-(-sum(sizes.values()) // 1024)} KB: {listed}"
            f"{', …' if len(names) > 5 else ''}; shorten or remove them")


def _json_size(value: Any, strict: bool = False) -> int:
    """Bytes of ``value`` as JSON. :raise ValueError: for NaN or infinity when ``strict``."""
    return len(json.dumps(value, ensure_ascii=False, allow_nan=not strict, default=str).encode())


def _texts(value: Any):
    """Every text in ``value`` (a string, or the keys and values of lists and mappings)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _unknown_citations(article: ArticleData, known: set[str],
                       line_of: Callable[[str], int] | None = None) -> list[AuthoringError]:
    """Every citation of a key not in ``known``, with the key and where it is: its
    line in the body (field ``@key``), or its FAQ answer (field ``faq.N.a``, on the
    line ``line_of`` gives for that field, when given)."""
    listed = sorted(k for k in known if k)

    def error(key: str, faq: int | None, line: int) -> AuthoringError:
        field = f"@{key}" if faq is None else f"faq.{faq}.a"
        return AuthoringError(f"unknown citation key {key!r}; add it under 'references' or fix the spelling"
                              + (f" (known keys: {', '.join(listed)})" if listed else ""), source=article.source,
                              line=article.body_line + line - 1 if faq is None else (line_of(field) if line_of else None),
                              field=field)

    return [error(key, faq, citation.line) for faq, citation in find_article_citations(article.body, article.faq)
            for key in citation.keys if key not in known]


def check_citations(article: ArticleData) -> None:
    """:raise AuthoringError: for the keys the body or the FAQ answers cite and the
    references do not define (the first one's, with every one in ``problems``)."""
    problems = _unknown_citations(article, {r.key for r in article.references})
    if problems:
        raise AuthoringError.collect(problems)


def uncited_keys(article: ArticleData) -> list[str]:
    """Reference keys that neither the body nor an FAQ answer cites (listed, but flagged to editors)."""
    cited = set(number_references(article.body, article.faq))
    return [r.key for r in article.references if r.key not in cited]

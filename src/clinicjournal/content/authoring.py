"""The authoring format: YAML front matter + Markdown body (see docs/authoring.md).

``parse_document`` turns a file's text into an :class:`ArticleData` or raises
:class:`AuthoringError` naming the file, the line and the field; ``dump_document``
writes the same format back, so export → import loses nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError

from ..store.models import Article, Reference
from .citations import find_citations

# Control characters other than tab and line breaks: never meant as text (NUL cannot even be stored).
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,198}[a-z0-9])?$")
KINDS = ("article", "page")
STATUSES = ("draft", "review", "published", "scheduled")
REFERENCE_FIELDS = ("key", "title", "authors", "container", "kind", "year", "doi", "pmid", "pmcid", "url")
#: the longest text each field's column holds (PostgreSQL refuses more, at commit time and
#: without saying which file): checked here, so the error names the file, line and field
MAX_LENGTH = {column.name: column.type.length for column in Article.__table__.c if getattr(column.type, "length", None)}
MAX_REFERENCE_LENGTH = {column.name: column.type.length for column in Reference.__table__.c
                        if getattr(column.type, "length", None)}
# Front-matter keys in the order export writes them.
FIELDS = ("slug", "locale", "translation_key", "type", "status", "title", "category", "summary",
          "published", "updated", "reviewed", "author", "reviewer", "takeaway", "faq", "references")


class AuthoringError(ValueError):
    """A problem in an authored file. ``str()`` gives ``file:line: field: message``."""

    def __init__(self, message: str, *, source: str = "", line: int | None = None,
                 field: str | None = None) -> None:
        self.source, self.line, self.field, self.message = source, line, field, message
        where = source + (f":{line}" if line else "")
        what = f"{field}: " if field else ""
        super().__init__(f"{where}: {what}{message}" if where else f"{what}{message}")


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
    source: str = ""
    body_line: int = 1  # line of the file where the body starts, for error messages


def parse_document(text: str, source: str = "<text>") -> ArticleData:
    """Parse one authored file.

    :raise AuthoringError: for a missing or malformed front matter, a missing or
        mistyped field, or a citation of a key the references do not list.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise AuthoringError("the file must start with a '---' line opening the front matter",
                             source=source, line=1)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise AuthoringError("the front matter is not closed by a '---' line", source=source,
                             line=len(lines)) from None
    front = "\n".join(lines[1:end])
    try:
        node = yaml.compose(front, Loader=_Loader)
        meta = yaml.load(front, Loader=_Loader) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise AuthoringError(f"invalid YAML: {exc.problem or exc}", source=source,
                             line=(mark.line + 2) if mark else None) from None
    if not isinstance(meta, dict):
        raise AuthoringError("the front matter must be a mapping of 'field: value' lines",
                             source=source, line=2)
    lines_of = _line_index(node, offset=2)
    rest = lines[end + 1:]
    leading_blank = next((i for i, line in enumerate(rest) if line.strip()), len(rest))
    body = "\n".join(rest).strip("\n") + "\n"
    body_line = end + 2 + leading_blank
    bad = CONTROL_RE.search(body)
    if bad:  # e.g. NUL, which no database column can hold
        raise AuthoringError(f"contains the control character U+{ord(bad.group()):04X}; remove it",
                             source=source, line=body_line + body.count("\n", 0, bad.start()), field="body")
    return _build(meta, body, source, lines_of, body_line=body_line)


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is reported by our
    checks (with its field and line) instead of crashing PyYAML's constructor."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _line_index(node, offset: int, prefix: str = "") -> dict[str, int]:
    """Map dotted field paths (``references.2.title``) to 1-based file lines."""
    index: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = f"{prefix}{key_node.value}"
            index[path] = key_node.start_mark.line + offset
            index.update(_line_index(value_node, offset, path + "."))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = f"{prefix}{i}"
            index[path] = item.start_mark.line + offset
            index.update(_line_index(item, offset, path + "."))
    return index


class _Checker:
    def __init__(self, meta: dict, source: str, lines_of: dict[str, int]) -> None:
        self.meta, self.source, self.lines_of = meta, source, lines_of

    def fail(self, path: str, message: str):
        line = self.lines_of.get(path) or self.lines_of.get(path.rsplit(".", 1)[0])
        raise AuthoringError(message, source=self.source, line=line, field=path)

    def text(self, path: str, value: Any, required: bool = False, max_length: int | None = None) -> str:
        if value is None or value == "":
            if required:
                self.fail(path, "is required")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail(path, f"must be text, not {type(value).__name__}")
        self.printable(path, value)
        value = value.strip()
        if max_length is not None and len(value) > max_length:
            self.fail(path, f"is {len(value)} characters long; at most {max_length} fit, shorten it")
        return value

    def field(self, name: str, required: bool = False) -> str:
        """The front-matter text field ``name``, within its column's length."""
        return self.text(name, self.meta.get(name), required, MAX_LENGTH.get(name))

    def printable(self, path: str, value: str) -> None:
        bad = CONTROL_RE.search(value)
        if bad:
            self.fail(path, f"contains the control character U+{ord(bad.group()):04X}; remove it")

    def date(self, path: str, value: Any) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(path, f"must be a date written YYYY-MM-DD, not {value!r}")

    def choice(self, path: str, value: Any, choices: tuple[str, ...], default: str) -> str:
        value = self.text(path, value) or default
        if value not in choices:
            self.fail(path, f"must be one of {', '.join(choices)}, not {value!r}")
        return value


def _build(meta: dict, body: str, source: str, lines_of: dict[str, int], body_line: int) -> ArticleData:
    c = _Checker(meta, source, lines_of)
    slug = c.field("slug", required=True)
    if not SLUG_RE.match(slug):
        c.fail("slug", f"{slug!r} must be lower-case letters, digits and hyphens")
    locale = c.field("locale", required=True)
    try:
        Locale.parse(locale)
    except (ValueError, UnknownLocaleError):
        c.fail("locale", f"{locale!r} is not a locale code such as en, de or pt_BR")
    kind = c.choice("type", meta.get("type"), KINDS, "article")
    article = ArticleData(
        slug=slug,
        locale=locale,
        kind=kind,
        title=c.field("title", required=True),
        translation_key=c.field("translation_key") or slug,
        status=c.choice("status", meta.get("status"), STATUSES, "published"),
        category=c.field("category") or None,
        summary=c.text("summary", meta.get("summary"), required=kind == "article"),
        published=c.date("published", meta.get("published")),
        updated=c.date("updated", meta.get("updated")),
        reviewed=c.date("reviewed", meta.get("reviewed")),
        author=c.field("author"),
        reviewer=c.field("reviewer"),
        takeaway=c.text("takeaway", meta.get("takeaway")),
        faq=_faq(c, meta.get("faq")),
        references=_references(c, meta.get("references")),
        body=body,
        extra={k: v for k, v in meta.items() if k not in FIELDS},
        source=source,
        body_line=body_line,
    )
    if article.status in ("published", "scheduled") and kind == "article" and not article.published:
        c.fail("published", f"is required when status is {article.status}")
    check_citations(article)
    return article


def _faq(c: _Checker, value: Any) -> list[dict[str, str]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        c.fail("faq", "must be a list of items with 'q' and 'a'")
    items = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            c.fail(f"faq.{i}", "must have a 'q' (question) and an 'a' (answer)")
        items.append({"q": c.text(f"faq.{i}.q", item.get("q"), required=True),
                      "a": c.text(f"faq.{i}.a", item.get("a"), required=True)})
    return items


def _references(c: _Checker, value: Any) -> list[ReferenceData]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        c.fail("references", "must be a list of references, each with a 'key' and a 'title'")
    refs, seen = [], set()
    for i, item in enumerate(value):
        path = f"references.{i}"
        if not isinstance(item, dict):
            c.fail(path, "must be a mapping with at least 'key' and 'title'")
        unknown = set(item) - set(REFERENCE_FIELDS)
        if unknown:
            name = sorted(unknown)[0]
            c.fail(f"{path}.{name}", f"unknown reference field; use one of {', '.join(REFERENCE_FIELDS)}")
        def text(name: str, required: bool = False) -> str:
            return c.text(f"{path}.{name}", item.get(name), required, MAX_REFERENCE_LENGTH.get(name))

        key = text("key", required=True)
        if key in seen:
            c.fail(f"{path}.key", f"duplicate reference key {key!r}")
        seen.add(key)
        authors = item.get("authors") or []
        if isinstance(authors, str):
            authors = [authors]
        if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
            c.fail(f"{path}.authors", "must be a list of names")
        for j, author in enumerate(authors):
            c.printable(f"{path}.authors.{j}", author)
        year = item.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999):
            c.fail(f"{path}.year", f"must be a whole number such as 2025, not {year!r}")
        url = text("url")
        if url and not re.match(r"^https?://", url, re.I):
            c.fail(f"{path}.url", "must start with http:// or https://")
        refs.append(ReferenceData(
            key=key, title=text("title", required=True), authors=authors, container=text("container"),
            kind=text("kind"), year=year, doi=text("doi"), pmid=text("pmid"), pmcid=text("pmcid"), url=url,
        ))
    return refs


def check_citations(article: ArticleData) -> None:
    """:raise AuthoringError: naming the first cited key the references do not define."""
    known = {r.key for r in article.references}
    for citation in find_citations(article.body):
        for key in citation.keys:
            if key not in known:
                raise AuthoringError(
                    f"unknown citation key {key!r}; add it under 'references' or fix the spelling"
                    + (f" (known keys: {', '.join(sorted(known))})" if known else ""),
                    source=article.source, line=article.body_line + citation.line - 1,
                    field=f"@{key}")


def uncited_keys(article: ArticleData) -> list[str]:
    """Reference keys that the body never cites (listed, but flagged to editors)."""
    cited = {k for c in find_citations(article.body) for k in c.keys}
    return [r.key for r in article.references if r.key not in cited]


def dump_document(article: ArticleData) -> str:
    """The authoring-format text for ``article``: ``parse_document`` reads it back equal."""
    meta: dict[str, Any] = {
        "slug": article.slug,
        "locale": article.locale,
        "translation_key": article.translation_key,
        "type": article.kind,
        "status": article.status,
        "title": article.title,
        "category": article.category,
        "summary": article.summary,
        "published": article.published,
        "updated": article.updated,
        "reviewed": article.reviewed,
        "author": article.author,
        "reviewer": article.reviewer,
        "takeaway": article.takeaway,
        "faq": article.faq,
        "references": [
            {k: v for k, v in asdict(r).items() if v not in ("", None, [])} for r in article.references
        ],
    }
    meta = {k: v for k, v in meta.items() if v not in (None, "", [])}
    meta.update(article.extra)
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{front}---\n{article.body}"


def to_data(article: Article) -> ArticleData:
    """The authoring-format view of a stored article."""
    return ArticleData(
        slug=article.slug, locale=article.locale, title=article.title,
        translation_key=article.translation_key, kind=article.kind, status=article.status,
        category=article.category, summary=article.summary, published=article.published,
        updated=article.updated, reviewed=article.reviewed, author=article.author,
        reviewer=article.reviewer, takeaway=article.takeaway, faq=[dict(i) for i in article.faq or []],
        references=[ReferenceData(key=r.key, title=r.title, authors=list(r.authors or []),
                                  container=r.container, kind=r.kind, year=r.year, doi=r.doi,
                                  pmid=r.pmid, pmcid=r.pmcid, url=r.url) for r in article.references],
        body=article.body, extra=dict(article.extra or {}),
    )

"""Full-text search of one site's articles in one language (``/<locale>/search``).

The engine's own full-text search does the work, chosen by dialect:

- SQLite: an FTS5 table ``article_fts`` over the articles' title, summary and
  body (external content, kept in sync by triggers; tokenizer ``unicode61
  remove_diacritics 2``, so "Präparate" is found by "praparate"), ranked by
  bm25 with the title weighted most.
- PostgreSQL: the generated ``article.search_vector`` column (GIN-indexed),
  built with the text search configuration of the article's language
  (``english``, ``german``, ``spanish``, ``french``; ``simple`` otherwise),
  ranked by ``ts_rank_cd``.
- Anything else: ``LIKE`` on each word, newest first.

Readers' words are never passed to the engine as query syntax: each word is
quoted as an FTS5 phrase, or handed to ``plainto_tsquery``. Snippets come back
with private-use marker characters around the matches; the text is escaped
first and only then are the markers turned into ``<mark>``, so nothing in an
article can reach the page as HTML.

Schema: migrations ``0006_search`` and ``0007_scale_indexes`` (the SQLite scope column).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from flask import current_app, g, request, url_for
from markupsafe import Markup, escape
from sqlalchemy import and_, func, literal_column, or_, select, table
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ..content.context import PageContext
from ..store import db
from ..store.models import Article
from .articles import today, visible
from .assets import render_page

log = logging.getLogger("clinicjournal.search")

MAX_QUERY = 200  # characters of a query that are used (the rest is ignored)
MAX_TERMS = 12
START, END = "\ue000", "\ue001"  # match markers; escaped text never contains them as HTML
#: PostgreSQL text search configuration per article language (the migration uses the same).
PG_CONFIGS = {"en": "english", "de": "german", "es": "spanish", "fr": "french"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff\ue000\ue001]")


def pg_config(locale: str) -> str:
    return PG_CONFIGS.get(locale.replace("-", "_").split("_")[0].lower(), "simple")


@dataclass(frozen=True)
class Hit:
    slug: str
    title: Markup
    snippet: Markup
    category: str | None
    published: object
    word_count: int


@dataclass
class Results:
    query: str
    terms: list[str]
    number: int
    per_page: int
    total: int = 0
    items: list[Hit] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page


def clean_query(raw: str) -> str:
    """The reader's query without control characters, trimmed to ``MAX_QUERY``."""
    return " ".join(_CONTROL.sub(" ", raw or "").split())[:MAX_QUERY].strip()


def terms_of(query: str) -> list[str]:
    """Words worth searching for: each has a letter or digit; at most ``MAX_TERMS``."""
    return [t for t in query.split() if re.search(r"\w", t)][:MAX_TERMS]


def fts5_match(terms: list[str]) -> str:
    """An FTS5 query that ANDs the words, each quoted as a phrase (so ``OR``,
    ``NEAR(``, ``*`` and ``"`` are just text). Whole words, stemmed by the
    index's Porter tokenizer ("vitamins" finds "vitamin"): prefix queries read
    every site's postings and were slow on large installs (bench/README.md)."""
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


def search(sess: Session, site_id: int, locale: str, query: str, number: int = 1,
           per_page: int = 10) -> Results:
    """Visible articles of one site and language that match ``query``, best first."""
    query = clean_query(query)
    results = Results(query, terms_of(query), number, per_page)
    if not results.terms:
        return results
    where = [Article.site_id == site_id, Article.locale == locale, Article.kind == "article",
             visible(today())]
    dialect = sess.get_bind().dialect.name
    try:
        if dialect == "sqlite":
            _sqlite(sess, results, where, f"s{site_id}x{locale}")
        elif dialect == "postgresql":
            _postgresql(sess, results, where, locale)
        else:
            _like(sess, results, where)
    except OperationalError as exc:
        # Quoting should make every query valid; if the engine still objects to
        # one, the reader gets "no results" rather than an error page.
        if "fts5" not in str(exc).lower():
            raise
        log.warning("search query %r refused by FTS5: %s", query, exc.orig)
        sess.rollback()
        results.total, results.items = 0, []
    return results


def _sqlite(sess: Session, results: Results, where: list, scope: str) -> None:
    fts = table("article_fts")
    name = literal_column("article_fts")
    # The scope token limits the match to one site and language inside the FTS
    # index itself (migration 0007), instead of filtering every site's matches.
    match = name.op("MATCH")(f'search_scope : "{scope}" AND ({fts5_match(results.terms)})')
    joined = fts.join(Article, Article.id == literal_column("article_fts.rowid"))
    results.total = sess.scalar(select(func.count()).select_from(joined).where(match, *where)) or 0
    if not results.total or results.offset >= results.total:
        return
    rows = sess.execute(
        select(Article.slug, Article.summary, Article.category, Article.published, Article.word_count,
               func.highlight(name, 0, START, END),
               func.snippet(name, 2, START, END, "…", 28),
               func.snippet(name, 1, START, END, "…", 28))
        .select_from(joined).where(match, *where)
        .order_by(func.bm25(name, 10.0, 4.0, 1.0, 0.0), Article.published.desc(), Article.id.desc())
        .limit(results.per_page).offset(results.offset))
    for slug, summary, category, published, words, title, body_snip, summary_snip in rows:
        snippet = body_snip if START in body_snip else summary_snip if START in summary_snip else summary
        results.items.append(Hit(slug, highlight(title), highlight(snippet, markdown=True), category,
                                 published, words))


def _postgresql(sess: Session, results: Results, where: list, locale: str) -> None:
    config = literal_column(f"'{pg_config(locale)}'::regconfig")  # from PG_CONFIGS: safe to inline
    tsquery = func.plainto_tsquery(config, " ".join(results.terms))
    vector = literal_column("article.search_vector")
    match = vector.op("@@")(tsquery)
    results.total = sess.scalar(select(func.count()).select_from(Article).where(match, *where)) or 0
    if not results.total or results.offset >= results.total:
        return
    rank = func.ts_rank_cd(vector, tsquery).label("rank")
    best = (select(Article.id, rank).where(match, *where)
            .order_by(rank.desc(), Article.published.desc(), Article.id.desc())
            .limit(results.per_page).offset(results.offset).subquery())
    marks = f"StartSel={START}, StopSel={END}"
    rows = sess.execute(  # headlines are costly: only for this page's rows
        select(Article.slug, Article.summary, Article.category, Article.published, Article.word_count,
               func.ts_headline(config, Article.title, tsquery, marks + ", HighlightAll=true"),
               func.ts_headline(config, Article.body, tsquery,
                                marks + ', MaxWords=32, MinWords=14, MaxFragments=2, FragmentDelimiter=" … "'),
               func.ts_headline(config, Article.summary, tsquery, marks + ", HighlightAll=true"))
        .join(best, best.c.id == Article.id)
        .order_by(best.c.rank.desc(), Article.published.desc(), Article.id.desc()))
    for slug, summary, category, published, words, title, body_snip, summary_snip in rows:
        snippet = body_snip if START in body_snip else summary_snip
        results.items.append(Hit(slug, highlight(title), highlight(snippet, markdown=True), category,
                                 published, words))


def _like(sess: Session, results: Results, where: list) -> None:
    def pattern(term: str) -> str:
        return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    match = and_(*(or_(*(col.ilike(pattern(t), escape="\\") for col in (Article.title, Article.summary,
                                                                        Article.body)))
                   for t in results.terms))
    results.total = sess.scalar(select(func.count()).select_from(Article).where(match, *where)) or 0
    rows = sess.execute(select(Article.slug, Article.title, Article.summary, Article.category,
                               Article.published, Article.word_count).where(match, *where)
                        .order_by(Article.published.desc(), Article.id.desc())
                        .limit(results.per_page).offset(results.offset))
    words = re.compile("|".join(re.escape(t) for t in results.terms), re.IGNORECASE)
    for slug, title, summary, category, published, count in rows:
        def marked(text: str) -> Markup:
            return highlight(words.sub(lambda m: START + m.group(0) + END, text))
        results.items.append(Hit(slug, marked(title), marked(summary), category, published, count))


_MARKDOWN = [
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[@[^\]…]*\]?"), ""),  # citations [@key; @other], also cut off by the snippet's end
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links → their text
    # headings, quotes, list markers at a line's start (or the snippet's, after "…")
    (re.compile(r"(?m)(^|…)[ \t]*(?:#{1,6}|>|[-*+]|\d+[.)])[ \t]+"), r"\1"),
    (re.compile(r"[*_`~]{1,3}"), ""),  # emphasis and code marks
]
_MARKED = re.compile(f"{START}([^{START}{END}]*){END}")


def highlight(text: str | None, markdown: bool = False) -> Markup:
    """Escape ``text``, then turn marker pairs into ``<mark>`` (unpaired markers are dropped)."""
    text = text or ""
    if markdown:
        for pattern, replacement in _MARKDOWN:
            text = pattern.sub(replacement, text)
    text = " ".join(text.split())
    html = _MARKED.sub(r"<mark>\1</mark>", str(escape(text)))
    return Markup(html.replace(START, "").replace(END, ""))


def _page_number() -> int:
    raw = request.args.get("page", "1")
    ok = raw.isascii() and raw.isdigit() and len(raw) <= 4  # not "²", not 5000 digits
    return int(raw) if ok and 1 <= int(raw) <= 1000 else 1


def search_page() -> str:
    """Search results for ``?q=`` in the URL's language; ``?page=N`` pages through them.

    Every query, however odd, gives a normal page: an empty or unusable one
    shows the search form, a page number past the end shows no results.
    """
    site, locale = g.site, g.locale
    raw = request.args.get("q", "")
    results = search(db.session(), site.id, locale, raw, _page_number(), current_app.config["PER_PAGE"])
    g.page_ctx = PageContext(site=site, locale=locale, page="search")
    return render_page(
        "search.html", results=results, query=results.query,
        alternates=[(loc, url_for("reader.search", locale=loc, q=results.query or None))
                    for loc in site.locales])

"""What each worker remembers between uncached requests (issue 7): an article's
rendered parts and sources, the site's chrome, and reader links. Remembered
parts must never show a reader anything a fresh render would not."""

from __future__ import annotations

import pytest
from conftest import parse_html
from flask import url_for
from markupsafe import Markup
from sqlalchemy import select
from test_reader_extras import count_queries

from clinicjournal import hookimpl
from clinicjournal.platform.hookspecs import Category, Contribution
from clinicjournal.store import db, manage
from clinicjournal.store.models import Site
from clinicjournal.web.memo import ENTRY_OVERHEAD, Memo, PageStore
from clinicjournal.web.pagebits import article_url, category_url, index_url

HOST = "alpha.localhost"
# signed off (conftest's write_article writes the signoff block), so a re-import goes live
CITED = {"slug": "cited", "title": "Cited", "category": "sleep-health", "reviewer": "Dr. Review",
         "reviewed": "2025-02-01",
         "body": "## One\n\nA claim [@a]. Another [@b].\n",
         "references": [{"key": "a", "title": "First source", "year": 2020},
                        {"key": "b", "title": "Second source", "year": 2021}]}


@pytest.fixture
def memo_app(make_app, create_site, publish):
    create_site("alpha", name="Alpha Clinic", locales=("en", "de"))
    publish("alpha", CITED, {"slug": "other", "title": "Other", "category": "sleep-health"})
    return make_app(CACHE_TYPE="null")  # no page cache: every request renders


def get(app, path: str = "/en/cited/"):
    response = app.test_client().get(path, headers={"Host": HOST})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_a_remembered_article_reads_no_sources_and_renders_the_same(memo_app):
    first = get(memo_app)
    with count_queries(memo_app) as statements:
        again = get(memo_app)
    assert again == first
    assert not [s for s in statements if "FROM reference" in s], statements  # sources came from the memo
    sources = parse_html(again).one("section", cls="sources").text()
    assert "First source" in sources and "Second source" in sources


def test_without_the_memo_every_request_reads_the_sources(make_app, create_site, publish):
    create_site("alpha")
    publish("alpha", CITED)
    app = make_app(CACHE_TYPE="null", RENDER_MEMO=False)
    get(app)
    with count_queries(app) as statements:
        get(app)
    assert [s for s in statements if "FROM reference" in s]


def test_the_site_chrome_follows_a_saved_change_at_once(memo_app):
    doc = parse_html(get(memo_app))
    assert doc.one("span", cls="site-brand__name").text() == "Alpha Clinic"
    with memo_app.app_context():  # as the admin saves it: another worker's change, same database
        sess = db.session()
        manage.update_site(sess, sess.scalar(select(Site).where(Site.slug == "alpha")), name="Alpha Health")
        sess.commit()
    doc = parse_html(get(memo_app))
    assert doc.one("span", cls="site-brand__name").text() == "Alpha Health"
    assert doc.one("p", cls="site-footer__copy").text() == "© Alpha Health"


def test_an_article_saved_again_shows_its_new_header(memo_app, publish):
    get(memo_app)
    publish("alpha", {**CITED, "title": "Cited, revised", "author": "Dr. New"})
    doc = parse_html(get(memo_app))
    assert doc.one("h1").text() == "Cited, revised"
    assert "Dr. New" in doc.one("p", cls="meta").text()


def test_listings_follow_a_saved_change_at_once(memo_app, publish):
    """Index and category cards are remembered by the rows the listing query returns."""
    for path in ("/en/", "/en/category/sleep-health/"):
        assert "Cited, revised" not in get(memo_app, path)
    publish("alpha", {**CITED, "title": "Cited, revised", "summary": "A new summary."})
    for path in ("/en/", "/en/category/sleep-health/"):
        cards = parse_html(get(memo_app, path)).find_all("article", cls="card")
        titles = [card.one("h2").text() for card in cards]
        assert "Cited, revised" in titles and "Cited" not in titles, (path, titles)
        assert "A new summary." in get(memo_app, path)
    publish("alpha", {**CITED, "title": "Cited, moved", "category": None})
    assert "Cited, moved" not in get(memo_app, "/en/category/sleep-health/")  # left the category


def test_feeds_follow_a_saved_change_at_once(memo_app, publish):
    """A feed's XML is remembered by the rows its query returned, like the listings."""
    for path in ("/en/feed.xml", "/en/category/sleep-health/feed.xml"):
        assert "Cited, retitled" not in get(memo_app, path)
    publish("alpha", {**CITED, "title": "Cited, retitled"})
    for path in ("/en/feed.xml", "/en/category/sleep-health/feed.xml"):
        feed = get(memo_app, path)
        assert "<title>Cited, retitled</title>" in feed and "<title>Cited</title>" not in feed, path


class Flaky:
    """A category plugin that fails while ``failing`` is set (a timeout, say), then works."""

    failing = True

    @hookimpl
    def categories(self, site, locale):
        if self.failing:
            raise RuntimeError("not this time")
        return [Category("allergies", "Allergies")]


def enable(app, plugin, name: str) -> None:
    """Register ``plugin`` in the app's (real) plugin manager and enable it on alpha."""
    plugins = app.extensions["clinicjournal"].plugins
    plugins.register(plugin, name)
    with app.app_context():
        sess = db.session()
        manage.set_plugin_enabled(sess, sess.scalar(select(Site).where(Site.slug == "alpha")), name, True, plugins)
        sess.commit()


def test_chrome_rendered_while_a_plugin_failed_is_not_remembered(memo_app):
    flaky = Flaky()
    enable(memo_app, flaky, "flaky")
    nav = parse_html(get(memo_app)).one("nav", cls="site-nav").text()
    assert "Allergies" not in nav and "Sleep" in nav  # served without the failing plugin's part...
    flaky.failing = False
    nav = parse_html(get(memo_app)).one("nav", cls="site-nav").text()
    assert "Allergies" in nav  # ...and asked again on the next request


@pytest.mark.parametrize("script_root", ["", "/journal"])
@pytest.mark.parametrize("slug", ["plain-slug", "ünïcode", "a b&c", "semi;colon", "100%"])
def test_reader_links_are_what_url_for_builds(memo_app, script_root, slug):
    with memo_app.test_request_context("/en/", base_url=f"http://{HOST}{script_root}"):
        memo_app.preprocess_request()
        for locale in ("en", "de"):
            assert article_url(slug, locale) == url_for("reader.article", locale=locale, slug=slug)
            assert category_url(slug, locale) == url_for("reader.category", locale=locale, slug=slug)
            assert index_url(locale) == url_for("reader.index", locale=locale)
        assert article_url(slug) == url_for("reader.article", slug=slug)  # the page's own locale


class FlakySlot:
    """A slot plugin that fails while ``failing`` is set, then works."""

    failing = True

    @hookimpl
    def template_slot(self, slot, ctx):
        if slot == "article_footer":
            if self.failing:
                raise RuntimeError("not this time")
            return Contribution(Markup('<p class="flaky-note">Checked</p>'))
        return None


def test_article_parts_rendered_after_a_plugin_failed_are_not_remembered(memo_app):
    """The article's slots are rendered (and memoised) before the template; a failure
    there must keep the template's memo of the parts around them from holding the gap."""
    flaky = FlakySlot()
    enable(memo_app, flaky, "flaky-slot")
    assert "flaky-note" not in get(memo_app)  # served without the failing plugin's part...
    flaky.failing = False
    assert "flaky-note" in get(memo_app)  # ...and asked again on the next request


def test_memos_hold_a_bounded_amount_of_html():
    memo = Memo(max_size=4000, weigh=len)  # each entry also costs ENTRY_OVERHEAD (200)
    for n in range(50):
        memo.put(("piece", n), "x" * 90)
    assert memo.used <= 4000 and len(memo) == 4000 // (90 + ENTRY_OVERHEAD)
    assert memo.get(("piece", 49)) is not None and memo.get(("piece", 0)) is None  # the oldest went first
    memo.get(("piece", 44))  # read: now the most recently used
    memo.put(("huge",), "y" * 400)  # more than an eighth of the budget: not kept at all
    assert memo.get(("huge",)) is None
    for n in range(50, 58):  # the 13 held were 37…49: the seven older than 44 go, then 45
        memo.put(("piece", n), "x" * 90)
    assert memo.get(("piece", 44)) is not None and memo.get(("piece", 45)) is None
    memo.put(("piece", 57), "z" * 10)  # replacing an entry counts its new size only
    assert memo.used == (len(memo) - 1) * (90 + ENTRY_OVERHEAD) + 10 + ENTRY_OVERHEAD


def test_the_in_process_page_cache_is_bounded_by_bytes_and_time():
    clock = [0.0]
    store = PageStore(max_bytes=100_000, ttl=300, timer=lambda: clock[0])
    page = ("200 OK", {"": ([("Content-Type", "text/html")], b"p" * 8_000),
                       "br": ([("Content-Type", "text/html"), ("Content-Encoding", "br")], b"b" * 1_000)})
    for n in range(30):
        store.set(f"page:{n}", page, timeout=300)
    assert store.used <= 100_000 and 9 <= len(store) <= 11
    assert store.get("page:29") == page and store.get("page:0") is None
    clock[0] += 301
    assert store.get("page:29") is None  # CACHE_TTL: a scheduled article shows within it
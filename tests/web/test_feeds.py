"""Atom feeds per site and language and per category, parsed by a real feed reader;
opened in a browser, a page in the site's language that explains how to subscribe."""

from __future__ import annotations

import datetime as dt
import re

import feedparser
import pytest
from lxml import etree

from clinicjournal.store import db, manage

HOST = "harbourview.localhost"


@pytest.fixture
def demo(cli):
    result = cli("demo")
    assert result.exit_code == 0, result.output


def parse_feed(client, path: str, host: str = HOST):
    response = client.get(path, headers={"Host": host})
    assert response.status_code == 200, (path, response.status_code)
    # application/xml, not atom+xml: the type browsers render with the stylesheet (web/feeds.py)
    assert response.mimetype == "application/xml"
    assert response.mimetype_params.get("charset", "").lower() == "utf-8"
    feed = feedparser.parse(response.data, response_headers={"content-type": response.content_type})
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_site_feed_lists_the_newest_articles_of_one_language(demo, client):
    feed = parse_feed(client, "/en/feed.xml")
    assert feed.feed.title.startswith("Harbourview Family Clinic")
    assert feed.feed.language == "en"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == f"http://{HOST}/en/feed.xml"
    assert links["alternate"] == f"http://{HOST}/en/"
    assert feed.feed.id.startswith("urn:uuid:")

    entries = feed.entries
    assert len(entries) >= 5
    published = [e.published_parsed for e in entries]
    assert published == sorted(published, reverse=True)  # newest first
    for entry in entries:
        assert entry.title and entry.summary
        assert entry.link.startswith(f"http://{HOST}/en/") and entry.link.endswith("/")
        assert entry.id.startswith("urn:uuid:")
        assert entry.updated_parsed >= entry.published_parsed
        assert entry.author
        assert entry.tags and entry.tags[0].term in {"immune-health", "heart-health", "sleep-health", "nutrition"}
        assert client.get(entry.link, headers={"Host": HOST}).status_code == 200
    slugs = {e.link.rsplit("/", 2)[1] for e in entries}
    assert "vitamin-d-and-immunity" in slugs
    assert not {"about", "disclaimer"} & slugs  # site pages are not articles


def test_each_language_has_its_own_feed(demo, client):
    german = parse_feed(client, "/de/feed.xml")
    assert german.feed.language == "de"
    assert german.entries and all("/de/" in e.link for e in german.entries)
    assert "vitamin-d-und-immunsystem" in {e.link.rsplit("/", 2)[1] for e in german.entries}
    assert client.get("/es/feed.xml", headers={"Host": HOST}).status_code == 404  # not a locale of this site


def test_category_feed_holds_only_that_category(demo, client):
    feed = parse_feed(client, "/en/category/immune-health/feed.xml")
    assert feed.entries
    assert {e.tags[0].term for e in feed.entries} == {"immune-health"}
    assert feed.feed.title.startswith("Immune Health")
    assert client.get("/en/category/no-such-topic/feed.xml", headers={"Host": HOST}).status_code == 404


def test_links_use_the_host_the_reader_came_by(demo, app, client):
    with app.app_context():
        sess = db.session()
        manage.add_host(sess, manage.get_site(sess, "harbourview"), "journal.harbourview.test")
        sess.commit()
    feed = parse_feed(client, "/en/feed.xml", host="journal.harbourview.test")
    assert all(e.link.startswith("http://journal.harbourview.test/en/") for e in feed.entries)
    # Ids do not depend on the host: a reader subscribed through both sees each article once.
    other = parse_feed(client, "/en/feed.xml")
    assert [e.id for e in feed.entries] == [e.id for e in other.entries]


def test_pages_link_to_their_feeds(demo, get_page):
    def feeds(doc):
        return {link.get("href") for link in doc.find_all("link", rel="alternate", type="application/atom+xml")}

    site_feed = f"http://{HOST}/en/feed.xml"
    category_feed = f"http://{HOST}/en/category/immune-health/feed.xml"
    assert feeds(get_page(HOST, "/en/")) == {site_feed}
    assert feeds(get_page(HOST, "/en/category/immune-health/")) == {site_feed, category_feed}
    assert feeds(get_page(HOST, "/en/vitamin-d-and-immunity/")) == {site_feed, category_feed}
    assert f"http://{HOST}/de/feed.xml" in feeds(get_page(HOST, "/de/"))


def test_feed_leaves_out_drafts_future_articles_pages_and_other_sites(
        create_site, write_article, import_content, client, tmp_path):
    create_site("alpha", locales=("en",))
    create_site("beta", locales=("en",))
    folder = tmp_path / "alpha"
    write_article(folder, slug="live", title="Live & <well>", category="nutrition")
    write_article(folder, slug="draft", status="draft")
    write_article(folder, slug="later", status="scheduled", published=dt.date.today() + dt.timedelta(days=30))
    write_article(folder, slug="about", type="page", title="About")
    import_content(folder, "alpha")
    write_article(tmp_path / "beta", slug="beta-news")
    import_content(tmp_path / "beta", "beta")

    feed = parse_feed(client, "/en/feed.xml", host="alpha.localhost")
    assert [e.link for e in feed.entries] == ["http://alpha.localhost/en/live/"]
    assert feed.entries[0].title == "Live & <well>"  # escaped in the XML, exact for the reader
    assert feed.entries[0].published_parsed[:3] == (2025, 1, 15)


def test_empty_feed_is_still_valid(create_site, client):
    create_site("empty", locales=("en",))
    feed = parse_feed(client, "/en/feed.xml", host="empty.localhost")
    assert feed.entries == []


def test_entries_are_dated_by_the_articles_own_revision_date_not_the_import(
        create_site, write_article, import_content, client, tmp_path):
    create_site("alpha", locales=("en",))
    folder = tmp_path / "alpha"
    write_article(folder, slug="revised", published=dt.date(2025, 1, 15), updated=dt.date(2025, 3, 2))
    write_article(folder, slug="as-published", published=dt.date(2025, 2, 1))
    import_content(folder, "alpha")
    import_content(folder, "alpha")  # a re-import changes nothing a reader is told
    feed = parse_feed(client, "/en/feed.xml", host="alpha.localhost")
    updated = {e.link.rsplit("/", 2)[1]: e.updated_parsed[:6] for e in feed.entries}
    assert updated == {"revised": (2025, 3, 2, 0, 0, 0), "as-published": (2025, 2, 1, 0, 0, 0)}
    assert feed.feed.updated_parsed[:6] == (2025, 3, 2, 0, 0, 0)  # the newest entry's


XHTML = "{http://www.w3.org/1999/xhtml}"


def browser_view(client, path: str, host: str = HOST):
    """The feed as a browser gets it: (its stylesheet's URL, the page block carried in the feed)."""
    response = client.get(path, headers={"Host": host})
    root = etree.fromstring(response.data)
    pis = [node for node in root.itersiblings(preceding=True) if isinstance(node, etree._ProcessingInstruction)]
    assert [pi.target for pi in pis] == ["xml-stylesheet"]
    assert 'type="text/css"' in pis[0].text
    (page,) = root.findall(f"{XHTML}div")
    return re.search(r'href="([^"]+)"', pis[0].text).group(1), page


def test_a_feed_opened_in_a_browser_is_a_page_in_the_sites_language(demo, client):
    stylesheet, page = browser_view(client, "/de/feed.xml")
    css = client.get(stylesheet, headers={"Host": HOST}, buffered=True)  # buffered: WhiteNoise's file is closed
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert "@namespace atom url(http://www.w3.org/2005/Atom)" in css.get_data(as_text=True)
    css.close()
    assert (page.get("lang"), page.get("dir"), page.get("class")) == ("de", "ltr", "feed-page")
    assert page.find(f"{XHTML}title").text == page.find(f"{XHTML}h1").text  # the browser tab's title
    home = page.find(f".//{XHTML}a")
    assert home.get("href") == f"http://{HOST}/de/" and home.text == "Zur Startseite des Journals"
    address = page.find(f".//{XHTML}code")
    assert address.text == f"http://{HOST}/de/feed.xml" and address.get("dir") == "ltr"
    links = [a.get("href") for a in page.iterfind(f"{XHTML}ol/{XHTML}li/{XHTML}a")]
    assert f"http://{HOST}/de/vitamin-d-und-immunsystem/" in links
    # A feed reader sees the same entries as before, and none of the page.
    feed = parse_feed(client, "/de/feed.xml")
    assert [e.link for e in feed.entries] == links
    assert feed.feed.title == page.find(f"{XHTML}h1").text

    _stylesheet, arabic = browser_view(client, "/ar/feed.xml")
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")


def test_an_empty_feed_says_so_in_the_browser(create_site, client):
    create_site("empty", locales=("en",))
    _stylesheet, page = browser_view(client, "/en/feed.xml", host="empty.localhost")
    assert page.find(f"{XHTML}ol") is None
    assert "No articles have been published here yet." in etree.tostring(page, encoding="unicode")


def test_index_and_category_pages_show_a_link_to_their_feed(demo, get_page):
    for path, feed in (("/en/", "/en/feed.xml"), ("/ar/", "/ar/feed.xml"),
                       ("/en/category/immune-health/", "/en/category/immune-health/feed.xml")):
        link = get_page(HOST, path).one("p", cls="feed-link").one("a")
        assert link.get("href") == feed and link.get("type") == "application/atom+xml", path
        assert link.text(), path


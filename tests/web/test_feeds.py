"""Atom feeds per site and language and per category, parsed by a real feed reader."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest

from clinicjournal.store import db, manage

HOST = "harbourview.localhost"


@pytest.fixture
def demo(cli):
    result = cli("demo")
    assert result.exit_code == 0, result.output


def parse_feed(client, path: str, host: str = HOST):
    response = client.get(path, headers={"Host": host})
    assert response.status_code == 200, (path, response.status_code)
    assert response.mimetype == "application/atom+xml"
    assert response.mimetype_params.get("charset", "").lower() == "utf-8"
    feed = feedparser.parse(response.data)
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

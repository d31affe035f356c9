"""An article's own search fields (seo_title, seo_description, noindex, canonical),
a meta description on every page type, and the sitemap's category pages and
lastmod (issue #18, item 7)."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

import pytest
import yaml

from clinicjournal.content.authoring import check_document, parse_document
from clinicjournal.content.checks import AuthoringError
from clinicjournal.content.writing import dump_document

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
HOST = "alpha.localhost"


def document(**front) -> str:
    meta = {"slug": "vitamin-d", "locale": "en", "title": "Vitamin D", "summary": "What it does.",
            "published": dt.date(2025, 1, 15), **front}
    return "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n\nText.\n"


# -- the authoring format ----------------------------------------------------------

def test_search_fields_are_kept_and_exported_again():
    text = document(seo_title="Vitamin D: what the trials show", seo_description="A short answer.",
                    noindex=True, canonical="https://example.org/original/")
    doc = parse_document(text, "vitamin-d.en.md")
    assert doc.extra == {"seo_title": "Vitamin D: what the trials show", "seo_description": "A short answer.",
                         "noindex": True, "canonical": "https://example.org/original/"}
    again = parse_document(dump_document(doc), "again.md")
    assert again.extra == doc.extra


@pytest.mark.parametrize("field, value, words", [
    ("canonical", "http://example.org/original/", "absolute https address"),
    ("canonical", "/en/vitamin-d/", "absolute https address"),
    ("canonical", "https://user:pw@example.org/", "no user name or password"),
    ("canonical", "https://example.org/a#part", "#fragment"),
    ("canonical", ["https://example.org/"], "must be text"),
    ("noindex", "yes", "true or false"),
    ("seo_title", "x" * 121, "at most 120"),
    ("seo_description", "x" * 321, "at most 320"),
])
def test_a_bad_search_field_is_refused_naming_file_line_and_field(field, value, words):
    text = document(**{field: value})
    with pytest.raises(AuthoringError) as caught:
        parse_document(text, "vitamin-d.en.md")
    error = caught.value
    line = next(i for i, row in enumerate(text.split("\n"), start=1) if row.startswith(f"{field}:"))
    assert (error.source, error.line, error.field) == ("vitamin-d.en.md", line, field)
    assert words in error.message
    assert str(error).startswith(f"vitamin-d.en.md:{line}: {field}: ")
    parsed = check_document(text, "vitamin-d.en.md")
    assert field not in parsed.doc.extra  # a refused value is never kept


# -- reader pages ------------------------------------------------------------------

@pytest.fixture
def alpha(create_site, publish):
    create_site("alpha", name="Alpha Clinic", locales=("en", "de"))
    publish("alpha",
            {"slug": "plain", "title": "Plain article", "summary": "The plain summary.", "category": "nutrition",
             "published": dt.date(2025, 3, 1)},
            {"slug": "tuned", "title": "Tuned article", "summary": "The real summary.", "category": "nutrition",
             "published": dt.date(2025, 2, 1), "updated": dt.date(2025, 4, 2),
             "seo_title": "Tuned for search", "seo_description": "Written for search results.",
             "canonical": "https://example.org/first-published-here/"},
            {"slug": "hidden", "title": "Hidden article", "summary": "Not for search engines.",
             "category": "sleep-health", "noindex": True},
            {"slug": "about", "type": "page", "title": "About us", "summary": None,
             "body": "We are a small clinic by the harbour, open every weekday.\n"})


def meta(doc, name: str) -> str | None:
    node = doc.find("meta", name=name) or doc.find("meta", property=name)
    return node.get("content") if node is not None else None


def test_seo_title_and_description_replace_title_and_summary_for_search_engines(alpha, get_page):
    doc = get_page(HOST, "/en/tuned/")
    assert doc.find("title").text() == "Tuned for search · Alpha Clinic"
    assert meta(doc, "description") == "Written for search results."
    assert meta(doc, "og:title") == meta(doc, "twitter:title") == "Tuned for search"
    assert meta(doc, "og:description") == "Written for search results."
    assert doc.find("h1").text().strip() == "Tuned article"  # readers see the real title
    assert meta(doc, "robots") is None


def test_canonical_override_goes_into_the_canonical_link_only(alpha, get_page):
    doc = get_page(HOST, "/en/tuned/")
    assert [n.get("href") for n in doc.find_all("link", rel="canonical")] == \
        ["https://example.org/first-published-here/"]
    assert meta(doc, "og:url") == "http://alpha.localhost/en/tuned/"
    plain = get_page(HOST, "/en/plain/")
    assert plain.find("link", rel="canonical").get("href") == "http://alpha.localhost/en/plain/"
    assert plain.find("title").text() == "Plain article · Alpha Clinic"
    assert meta(plain, "og:title") == "Plain article"
    assert meta(plain, "description") == "The plain summary."


def test_noindex_asks_search_engines_not_to_list_the_article(alpha, get_page):
    assert meta(get_page(HOST, "/en/hidden/"), "robots") == "noindex"
    assert meta(get_page(HOST, "/en/plain/"), "robots") is None


@pytest.mark.parametrize("path, status", [
    ("/en/", 200), ("/de/", 200), ("/en/category/nutrition/", 200), ("/en/search?q=plain", 200),
    ("/en/about/", 200), ("/en/no-such-page/", 404),
])
def test_every_page_type_has_a_meta_description(alpha, get_page, path, status):
    description = meta(get_page(HOST, path, status=status), "description")
    assert description and description.strip(), path
    if path == "/en/about/":  # a page without a summary: its first words
        assert description.startswith("We are a small clinic by the harbour")


def sitemap(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml", headers={"Host": HOST})
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    return {url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
            for url in root.findall("sm:url", NS)}


def test_sitemap_leaves_out_noindex_and_lists_category_pages(alpha, client):
    entries = sitemap(client)
    assert "http://alpha.localhost/en/hidden/" not in entries
    assert "http://alpha.localhost/en/plain/" in entries
    assert "http://alpha.localhost/en/category/nutrition/" in entries
    # a category is listed in the languages it has articles in, only when they are indexed
    assert "http://alpha.localhost/de/category/nutrition/" not in entries
    assert "http://alpha.localhost/en/category/sleep-health/" not in entries
    for loc in entries:
        path = loc.removeprefix("http://alpha.localhost")
        assert client.get(path, headers={"Host": HOST}).status_code == 200, loc


def test_sitemap_lastmod_is_the_articles_own_date_not_the_import_time(alpha, client):
    entries = sitemap(client)
    assert entries["http://alpha.localhost/en/tuned/"] == "2025-04-02"  # its updated date
    assert entries["http://alpha.localhost/en/plain/"] == "2025-03-01"  # its published date
    assert entries["http://alpha.localhost/en/category/nutrition/"] == "2025-04-02"  # its newest article
    assert entries["http://alpha.localhost/en/"] == "2025-04-02"

"""/sitemap.xml and /robots.txt: every visible page in every language, with reciprocal
hreflang alternates; nothing unpublished and nothing of another site."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


def read_sitemap(client, host: str) -> dict[str, dict]:
    """loc → {"lastmod": str | None, "alternates": {hreflang: href}}."""
    response = client.get("/sitemap.xml", headers={"Host": host})
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    entries = {}
    for url in root.findall("sm:url", NS):
        loc = url.findtext("sm:loc", namespaces=NS)
        assert loc not in entries, f"{loc} listed twice"
        alternates = {}
        for link in url.findall("xhtml:link", NS):
            assert link.get("rel") == "alternate"
            assert link.get("hreflang") not in alternates
            alternates[link.get("hreflang")] = link.get("href")
        entries[loc] = {"lastmod": url.findtext("sm:lastmod", namespaces=NS), "alternates": alternates}
    return entries


@pytest.fixture
def demo(cli):
    result = cli("demo")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("host, default, locales", [
    ("harbourview.localhost", "en", {"en", "de", "ar"}),
    ("cedar-ridge.localhost", "en", {"en", "es", "fr"}),
])
def test_demo_sitemap_urls_all_answer_and_alternates_are_reciprocal(demo, client, host, default, locales):
    entries = read_sitemap(client, host)
    assert len(entries) > 10
    for loc, entry in entries.items():
        parts = urlsplit(loc)
        assert (parts.scheme, parts.netloc) == ("http", host), loc  # absolute, this site's host only
        assert parts.path.split("/")[1] in locales
        response = client.get(parts.path, headers={"Host": host})
        assert response.status_code == 200, loc
        assert entry["lastmod"] and dt.datetime.fromisoformat(entry["lastmod"])
        alternates = entry["alternates"]
        language = parts.path.split("/")[1]
        assert alternates[language] == loc  # lists itself
        for hreflang, href in alternates.items():
            if hreflang == "x-default":
                assert href == alternates[default]  # the default-language version
                continue
            assert href in entries, f"{href} (alternate of {loc}) is not in the sitemap"
            assert entries[href]["alternates"] == alternates  # reciprocal: the same set everywhere
        if default not in alternates:
            assert "x-default" not in alternates

    # The journal's front pages and the translated articles are there, with alternates.
    assert f"http://{host}/en/" in entries
    assert set(entries[f"http://{host}/en/"]["alternates"]) == locales | {"x-default"}
    multilingual = [e for e in entries.values() if len(e["alternates"]) > 2]
    assert len(multilingual) >= 4


def test_demo_sitemap_lists_translations_and_site_pages(demo, client):
    entries = read_sitemap(client, "harbourview.localhost")
    vitamin = entries["http://harbourview.localhost/en/vitamin-d-and-immunity/"]["alternates"]
    assert vitamin["de"] == "http://harbourview.localhost/de/vitamin-d-und-immunsystem/"
    assert vitamin["ar"].startswith("http://harbourview.localhost/ar/")
    assert vitamin["x-default"] == "http://harbourview.localhost/en/vitamin-d-and-immunity/"
    assert "http://harbourview.localhost/en/about/" in entries  # site pages too
    assert "http://harbourview.localhost/de/ueber-uns/" in entries


def test_sitemap_leaves_out_drafts_future_and_other_sites(create_site, write_article, import_content,
                                                          client, tmp_path):
    create_site("alpha", locales=("de", "en"))
    create_site("beta", locales=("en",))
    folder = tmp_path / "alpha"
    write_article(folder, slug="live", locale="en", translation_key="live", published=dt.date(2025, 3, 1),
                  updated=dt.date(2025, 4, 2))
    write_article(folder, slug="lebendig", locale="de", translation_key="live")
    write_article(folder, slug="only-german", locale="de")
    write_article(folder, slug="draft", locale="en", status="draft")
    write_article(folder, slug="in-review", locale="en", status="review")
    write_article(folder, slug="later", locale="en", status="scheduled",
                  published=dt.date.today() + dt.timedelta(days=3))
    import_content(folder, "alpha")
    write_article(tmp_path / "beta", slug="beta-article")
    import_content(tmp_path / "beta", "beta")

    entries = read_sitemap(client, "alpha.localhost")
    paths = {urlsplit(loc).path for loc in entries}
    assert paths == {"/de/", "/en/", "/en/live/", "/de/lebendig/", "/de/only-german/"}
    live = entries["http://alpha.localhost/en/live/"]
    # The site's default language is its first: German; x-default points there.
    assert live["alternates"] == {"de": "http://alpha.localhost/de/lebendig/",
                                  "en": "http://alpha.localhost/en/live/",
                                  "x-default": "http://alpha.localhost/de/lebendig/"}
    assert live["lastmod"] >= "2025-04-02"
    only = entries["http://alpha.localhost/de/only-german/"]["alternates"]
    assert only == {"de": "http://alpha.localhost/de/only-german/",
                    "x-default": "http://alpha.localhost/de/only-german/"}
    assert "beta" not in client.get("/sitemap.xml", headers={"Host": "alpha.localhost"}).get_data(as_text=True)


def test_robots_txt_points_to_the_sitemap(create_site, client):
    create_site("alpha")
    response = client.get("/robots.txt", headers={"Host": "alpha.localhost"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "Sitemap: http://alpha.localhost/sitemap.xml" in lines
    assert "User-agent: *" in lines
    assert "Disallow: /*/search" in lines  # endless result pages are not for crawlers


def test_unknown_host_has_no_sitemap(create_site, client):
    create_site("alpha")
    assert client.get("/sitemap.xml", headers={"Host": "nobody.example"}).status_code == 404

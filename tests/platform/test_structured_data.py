"""JSON-LD, OpenGraph / Twitter meta and canonical links, emitted through head_extras by the
plugins that own each part: structured_data (page, breadcrumbs, site), references
(citation) and faq (FAQPage)."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from clinicjournal.store import db, manage

HOST = "harbourview.localhost"
ARTICLE = "/en/vitamin-d-and-immunity/"
URL = f"http://{HOST}{ARTICLE}"


@pytest.fixture
def demo(cli):
    result = cli("demo")
    assert result.exit_code == 0, result.output


def jsonld(doc) -> list[dict]:
    blocks = doc.find_all("script", type="application/ld+json")
    return [json.loads(block.text()) for block in blocks]


def merged(nodes: list[dict]) -> dict[str, dict]:
    """Nodes merged by @id, as a JSON-LD consumer reads them (types are collected)."""
    graph: dict[str, dict] = defaultdict(dict)
    for node in nodes:
        if "@id" not in node:
            continue
        target = graph[node["@id"]]
        for key, value in node.items():
            if key == "@type":
                target.setdefault("@type", set()).update([value] if isinstance(value, str) else value)
            elif key != "@context":
                assert key not in target or target[key] == value, f"conflicting {key} for {node['@id']}"
                target[key] = value
    return graph


def meta(doc) -> dict[str, str]:
    found = {}
    for tag in doc.find_all("meta"):
        key = tag.get("property") or tag.get("name")
        if key:
            found[key] = tag.get("content")
    return found


def test_article_page_describes_a_reviewed_medical_web_page(demo, get_page):
    doc = get_page(HOST, ARTICLE)
    nodes = jsonld(doc)
    assert all(node["@context"] == "https://schema.org" for node in nodes)
    graph = merged(nodes)
    page = graph[URL + "#webpage"]
    assert {"MedicalWebPage", "FAQPage"} <= page["@type"]
    assert page["headline"] == doc.one("h1").text()
    assert page["description"].startswith("Vitamin D helps")
    assert page["datePublished"] == "2026-06-24"
    # the article's own "updated" date, not when the demo was imported
    assert page["dateModified"] == "2026-07-02"
    assert page["inLanguage"] == "en"
    assert page["author"] == {"@type": "Person", "name": "Leila Haddad, RD"}
    assert page["reviewedBy"]["@type"] == "Person" and page["reviewedBy"]["name"].startswith("Dr.")
    from clinicjournal.cli.demo import CONTENT
    from clinicjournal.content.authoring import parse_document

    source = parse_document((CONTENT / "harbourview" / "vitamin-d-and-immunity.en.md").read_text(encoding="utf-8"))
    assert page["lastReviewed"] == source.signoff["date"].isoformat()  # the live revision's own sign-off
    assert page["publisher"]["name"] == "Harbourview Family Clinic"
    assert page["url"] == URL

    # references plugin: one work per reference, in Sources-list order
    sources = [li for li in doc.one("section", cls="sources").find_all("li")]
    citations = page["citation"]
    assert len(citations) == len(sources) == 4
    assert citations[0]["name"] == "Vitamin D deficiency"
    assert citations[0]["@type"] == "ScholarlyArticle"
    assert citations[0]["author"] == [{"@type": "Person", "name": "Holick MF"}]
    assert citations[0]["datePublished"] == "2007"
    assert "https://doi.org/10.1056/NEJMra070553" in citations[0]["sameAs"]
    assert all(a["name"] != "et al." for c in citations for a in c.get("author", []))
    assert citations[3]["author"] == [{"@type": "Organization", "name": "Institute of Medicine"}]

    # faq plugin: the Common questions
    questions = page["mainEntity"]
    assert len(questions) == 3
    assert questions[0]["@type"] == "Question"
    assert questions[0]["name"] == "Can I get enough vitamin D from food alone?"
    assert questions[0]["acceptedAnswer"]["@type"] == "Answer"

    crumbs = graph[URL + "#breadcrumb"]
    assert crumbs["@type"] == {"BreadcrumbList"}
    assert [(i["position"], i["name"], i["item"]) for i in crumbs["itemListElement"]] == [
        (1, "Health Journal", f"http://{HOST}/en/"),
        (2, "Immune Health", f"http://{HOST}/en/category/immune-health/"),
        (3, page["headline"], URL),
    ]
    site = graph[f"http://{HOST}/#website"]
    assert site["potentialAction"]["target"]["urlTemplate"] == f"http://{HOST}/en/search?q={{search_term_string}}"


def test_article_page_has_canonical_opengraph_and_twitter_meta(demo, get_page):
    doc = get_page(HOST, ARTICLE)
    assert [link.get("href") for link in doc.find_all("link", rel="canonical")] == [URL]
    tags = meta(doc)
    assert tags["og:type"] == "article"
    assert tags["og:url"] == URL
    assert tags["og:title"] == tags["twitter:title"] == doc.one("h1").text()
    assert tags["og:description"] == tags["twitter:description"] == tags["description"]
    assert tags["og:site_name"] == "Harbourview Family Clinic"
    assert tags["og:locale"] == "en"
    # its hero image (the demo's winter sun), cropped to 1200×630 around the focal point
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["og:image"] == tags["twitter:image"] and tags["og:image"].startswith(f"http://{HOST}/media/")
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:alt"].startswith("A low winter sun")
    graph = merged(jsonld(doc))
    assert graph[URL + "#webpage"]["image"]["url"] == tags["og:image"]
    assert tags["article:published_time"] == "2026-06-24"
    assert tags["article:modified_time"] == "2026-07-02"  # its "updated" date, as in the JSON-LD
    assert tags["article:section"] == "Immune Health"
    # property= for OpenGraph, name= for Twitter
    assert doc.find("meta", property="og:title") and doc.find("meta", name="twitter:title")


def test_structured_data_follows_the_page_language(demo, get_page):
    doc = get_page(HOST, "/de/vitamin-d-und-immunsystem/")
    graph = merged(jsonld(doc))
    page = graph[f"http://{HOST}/de/vitamin-d-und-immunsystem/#webpage"]
    assert page["inLanguage"] == "de"
    crumbs = graph[f"http://{HOST}/de/vitamin-d-und-immunsystem/#breadcrumb"]["itemListElement"]
    assert crumbs[0]["name"] == "Gesundheitsjournal"
    assert meta(doc)["og:locale"] == "de"
    # no "updated" date: it was last revised when it was published
    assert page["dateModified"] == page["datePublished"] == "2026-07-09"
    assert meta(doc)["article:modified_time"] == "2026-07-09"


def test_the_clinic_is_named_as_readers_of_the_page_language_know_it(demo, get_page):
    """The demo's Harbourview has an Arabic name of its own; German pages use the default."""
    arabic = "عيادة هاربورفيو لطب الأسرة"
    for path, name in (("/ar/fitamin-d-wal-manaa/", arabic),
                       ("/de/vitamin-d-und-immunsystem/", "Harbourview Family Clinic")):
        doc = get_page(HOST, path)
        graph = merged(jsonld(doc))
        assert graph[f"http://{HOST}/#website"]["name"] == name, path
        assert graph[f"http://{HOST}{path}#webpage"]["publisher"]["name"] == name, path
        assert meta(doc)["og:site_name"] == name, path
        assert doc.one("title").text().endswith(" · " + name), path


def test_index_category_and_site_pages(demo, get_page):
    index = get_page(HOST, "/en/")
    assert [link.get("href") for link in index.find_all("link", rel="canonical")] == [f"http://{HOST}/en/"]
    assert "WebSite" in merged(jsonld(index))[f"http://{HOST}/#website"]["@type"]
    assert meta(index)["og:type"] == "website"

    category = get_page(HOST, "/en/category/immune-health/")
    graph = merged(jsonld(category))
    assert graph[f"http://{HOST}/en/category/immune-health/#webpage"]["@type"] == {"CollectionPage"}
    assert len(graph[f"http://{HOST}/en/category/immune-health/#breadcrumb"]["itemListElement"]) == 2

    about = get_page(HOST, "/en/about/")
    assert merged(jsonld(about))[f"http://{HOST}/en/about/#webpage"]["@type"] == {"AboutPage"}

    search = get_page(HOST, "/en/search?q=vitamin")
    assert not search.find_all("link", rel="canonical") and not jsonld(search)


def test_later_listing_pages_are_their_own_canonical(create_site, write_article, import_content, get_page,
                                                     app, tmp_path):
    create_site("alpha")
    for n in range(app.config["PER_PAGE"] + 1):
        write_article(tmp_path / "c", slug=f"a{n}")
    import_content(tmp_path / "c", "alpha")
    doc = get_page("alpha.localhost", "/en/?page=2&utm_source=x")
    assert doc.one("link", rel="canonical").get("href") == "http://alpha.localhost/en/?page=2"


def test_each_part_comes_from_its_plugin(demo, app, get_page):
    plugins = app.extensions["clinicjournal"].plugins
    assert "structured_data" in plugins.active_names()  # registered through the entry point

    def toggle(name: str, enabled: bool) -> None:
        with app.app_context():
            sess = db.session()
            manage.set_plugin_enabled(sess, manage.get_site(sess, "harbourview"), name, enabled, plugins)
            sess.commit()

    toggle("structured_data", False)
    doc = get_page(HOST, ARTICLE)
    page = merged(jsonld(doc))[URL + "#webpage"]
    assert page["@type"] == {"MedicalWebPage", "FAQPage"}  # still described by references and faq
    assert "citation" in page and "mainEntity" in page and "headline" not in page
    assert not doc.find_all("link", rel="canonical") and "og:title" not in meta(doc)

    toggle("structured_data", True)
    toggle("references", False)
    toggle("faq", False)
    page = merged(jsonld(get_page(HOST, ARTICLE)))[URL + "#webpage"]
    assert page["@type"] == {"MedicalWebPage"}
    assert "citation" not in page and "mainEntity" not in page and page["headline"]


def test_json_ld_cannot_break_out_of_its_script(create_site, write_article, import_content, client, html,
                                                tmp_path):
    create_site("alpha")
    title = 'Evil </script><script>alert(1)</script> <!-- & "quotes"'
    write_article(tmp_path / "c", slug="evil", title=title, summary="</SCRIPT>", author="<b>x</b>",
                  faq=[{"q": "</script>?", "a": "<!--"}])
    import_content(tmp_path / "c", "alpha")
    page = client.get("/en/evil/", headers={"Host": "alpha.localhost"}).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "</SCRIPT>" not in page and "<!--" not in page
    graph = merged(jsonld(html.parse(page)))
    node = graph["http://alpha.localhost/en/evil/#webpage"]
    assert node["headline"] == title and node["description"] == "</SCRIPT>"
    assert node["mainEntity"][0]["name"] == "</script>?"

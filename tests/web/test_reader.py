"""Reader pages: the journal index, category pages, the article page with every part,
site pages, redirects and 404s."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from urllib.parse import urljoin, urlsplit

import pytest

from clinicjournal.content.render import WORDS_PER_MINUTE

HOST = "alpha.localhost"
FILLER = ("Regular checks help clinicians notice changes early and plan care together with each patient "
          "while keeping advice practical and easy to follow at home").split()

REFERENCES = [
    {"key": "smith-2020", "title": "Sleep duration and infections in adults", "authors": ["Smith A", "Jones B"],
     "container": "Journal of Sleep Studies", "kind": "Cohort study", "year": 2020,
     "url": "https://example.org/smith-2020"},
    {"key": "who-2021", "title": "Guideline on adult vaccination", "kind": "Guideline", "year": 2021,
     "doi": "10.1000/who.2021"},
    {"key": "lee-2019", "title": "Immune memory: a review", "kind": "Peer-reviewed review", "year": 2019,
     "pmid": "31234567"},
    {"key": "uncited-2018", "title": "Background reading on immunity", "kind": "Book", "year": 2018,
     "url": "https://example.org/background"},
]
# Citation groups in reading order; numbers must follow the order of first citation.
CITATIONS = [["who-2021"], ["smith-2020", "who-2021"], ["lee-2019"], ["who-2021"]]
SECTIONS = ["Why it matters", "What the studies show", "What you can do"]
FAQ = [{"q": "Is it safe for children?", "a": "Yes, with the usual precautions."},
       {"q": "How often should I check?", "a": "Once a year is enough for most adults."}]
TAKEAWAY = "Small habits, kept up every week, protect your health more than occasional big efforts."


def words(n: int, seed: int = 0) -> str:
    return " ".join(itertools.islice(itertools.cycle(FILLER), seed, seed + n))


def full_body() -> str:
    groups = iter(CITATIONS)
    cite = lambda: "[" + "; ".join("@" + k for k in next(groups)) + "]"  # noqa: E731
    return (f"{words(60)} {cite()}.\n\n"
            f"## {SECTIONS[0]}\n\n{words(120, 3)} {cite()}.\n\n"
            f"## {SECTIONS[1]}\n\n{words(150, 5)} {cite()}. Read [our other article](../other-article/) too.\n\n"
            f"## {SECTIONS[2]}\n\n{words(140, 7)} {cite()}.\n\n"
            "Code like `[@not-a-citation]` stays code.\n")


FULL = {"slug": "full-article", "title": "Everything a clinic article has", "category": "immune-health",
        "summary": "A complete article with every part a reader expects.", "published": dt.date(2025, 4, 9),
        "reviewed": dt.date(2025, 4, 1), "author": "Dr. Amira Haddad", "reviewer": "Dr. Jonas Berg",
        "takeaway": TAKEAWAY, "faq": FAQ, "references": REFERENCES, "body": full_body()}
OTHER = {"slug": "other-article", "title": "The other article", "category": "heart-health",
         "published": dt.date(2025, 3, 1)}
DISCLAIMER = {"slug": "medical-disclaimer", "translation_key": "disclaimer", "type": "page",
              "title": "Our medical disclaimer", "summary": None, "published": None,
              "body": "Everything here is general information.\n"}
ABOUT = {"slug": "about", "type": "page", "title": "About the clinic", "summary": None, "published": None,
         "body": "We are a small clinic.\n"}


@pytest.fixture
def site(create_site, publish):
    create_site("alpha", name="Alpha Family Clinic")
    publish("alpha", FULL, OTHER, DISCLAIMER, ABOUT)
    return "alpha"


def expected_numbers() -> dict[str, int]:
    return {key: n for n, key in enumerate(dict.fromkeys(itertools.chain.from_iterable(CITATIONS)), 1)}


def in_document_order(doc, *nodes) -> bool:
    order = {id(n): i for i, n in enumerate(doc.iter())}
    positions = [order[id(n)] for n in nodes]
    return positions == sorted(positions)


# -- the article page ------------------------------------------------------------------------


def test_article_page_has_every_part(site, get_page, html):
    doc = get_page(HOST, "/en/full-article/")
    article = doc.one("article", cls="article")
    body = article.one("div", cls="article__body")

    # Back link to the journal.
    back = article.one("p", cls="back").one("a")
    assert html.local_path(doc, back.get("href")) == "/en/"

    # Category badge linking to the category page, which lists the article.
    badge = article.one("a", cls="badge")
    category_page = get_page(HOST, html.local_path(doc, badge.get("href")))
    assert category_page.one("h1").text() == badge.text()
    assert "/en/full-article/" in [html.local_path(category_page, a.get("href")) for a in category_page.find_all("a")]

    # Title (the page's only h1), summary, date, reading time, author and reviewer.
    assert [h.text() for h in doc.find_all("h1")] == [FULL["title"]]
    assert article.one("p", cls="lede").text() == FULL["summary"]
    meta = article.one("p", cls="meta")
    time = meta.one("time")
    assert time.get("datetime") == FULL["published"].isoformat()
    assert str(FULL["published"].year) in time.text() and str(FULL["published"].day) in time.text()
    minutes = math.ceil(len(re.findall(r"\w+", FULL["body"])) / WORDS_PER_MINUTE)
    assert minutes > 1
    assert re.search(rf"\b{minutes} min read\b", meta.text()), meta.text()
    assert FULL["author"] in meta.text()
    assert FULL["reviewer"] in article.one("p", cls="reviewed").text()

    # Sections with anchors, and a table of contents pointing at them.
    h2s = body.find_all("h2")
    assert [h.text() for h in h2s] == SECTIONS
    ids = [h.id for h in h2s]
    assert all(ids) and len(set(ids)) == len(ids)
    toc = article.find("nav", cls="toc")
    assert toc is not None and [a.get("href") for a in toc.find_all("a")] == [f"#{i}" for i in ids]

    # In-body link to another article of the same site.
    link = next(a for a in body.find_all("a") if a.text() == "our other article")
    other = get_page(HOST, html.local_path(doc, link.get("href")))
    assert other.one("h1").text() == OTHER["title"]

    # Code stays code: no marker, the text is shown as written.
    assert "[@not-a-citation]" in [c.text() for c in body.find_all("code")]

    # Common questions and key takeaway.
    faq = article.one("section", cls="faq")
    assert faq.one("h2").text() == "Common questions"
    assert [(i.one("h3").text(), i.one("p").text()) for i in faq.find_all("div", cls="faq__item")] == \
        [(item["q"], item["a"]) for item in FAQ]
    takeaway = article.one("aside", cls="takeaway")
    assert takeaway.one("h2").text() == "Key takeaway"
    assert takeaway.one("p").text() == TAKEAWAY

    # Sources list entries: title, kind, year, link.
    sources = article.one("section", cls="sources")
    entries = sources.one("ol").find_all("li")
    assert len(entries) == len(REFERENCES)
    by_title = {ref["title"]: ref for ref in REFERENCES}
    for entry in entries:
        title = entry.one(cls="source-title").text()
        ref = by_title[title]
        assert ref["kind"] in entry.text() and str(ref["year"]) in entry.text()
        hrefs = [a.get("href") for a in entry.find_all("a")]
        if "url" in ref:
            assert ref["url"] in hrefs
        else:
            assert any(ref.get("doi", ref.get("pmid")) in h for h in hrefs), hrefs

    # Disclaimer with a link to the site's disclaimer page.
    disclaimer = article.one("aside", cls="disclaimer")
    assert "not medical advice" in disclaimer.text()
    page = get_page(HOST, html.local_path(doc, disclaimer.one("a").get("href")))
    assert page.one("h1").text() == DISCLAIMER["title"]

    # The parts come in reading order.
    assert in_document_order(doc, back, badge, doc.one("h1"), body, faq, takeaway, sources, disclaimer)


def test_citation_markers_follow_first_citation_order_and_link_both_ways(site, get_page):
    doc = get_page(HOST, "/en/full-article/")
    numbers = expected_numbers()
    markers = doc.one("div", cls="article__body").find_all("sup", cls="cite")

    assert [[a.text() for a in m.find_all("a")] for m in markers] == \
        [[str(numbers[k]) for k in group] for group in CITATIONS]

    titles = {ref["key"]: ref["title"] for ref in REFERENCES}
    for marker in markers:
        for link in marker.find_all("a"):
            number = int(link.text())
            assert link.get("href") == f"#ref-{number}"
            entry = doc.by_id(f"ref-{number}")
            assert entry is not None and entry.tag == "li"
            key = next(k for k, n in numbers.items() if n == number)
            assert entry.one(cls="source-title").text() == titles[key]
            # The entry links back to this marker.
            assert f"#{link.id}" in [a.get("href") for a in entry.find_all("a")]

    # Every back link of every entry points at a marker for that same source.
    for key, number in numbers.items():
        entry = doc.by_id(f"ref-{number}")
        back = [a.get("href") for a in entry.find(cls="backrefs").find_all("a")]
        assert len(back) == sum(group.count(key) for group in CITATIONS)
        for href in back:
            assert doc.by_id(href[1:]).get("href") == f"#ref-{number}"

    # The entries are in number order, the uncited reference last and unnumbered.
    entries = doc.one("section", cls="sources").find_all("li")
    assert [e.id for e in entries[: len(numbers)]] == [f"ref-{n}" for n in sorted(numbers.values())]
    cited = set(numbers)
    uncited = [r for r in REFERENCES if r["key"] not in cited]
    assert [e.one(cls="source-title").text() for e in entries[len(numbers):]] == [r["title"] for r in uncited]
    assert all("uncited" in e.classes and not e.id for e in entries[len(numbers):])


def test_disclaimer_without_a_disclaimer_page_has_no_link(create_site, publish, get_page, html):
    create_site("beta")
    publish("beta", {"slug": "plain", "body": "Plain text.\n"})
    disclaimer = get_page("beta.localhost", "/en/plain/").one("aside", cls="disclaimer")
    assert "not medical advice" in disclaimer.text()
    assert disclaimer.find("a") is None

    # Once the site has a disclaimer page, the next request links it (no restart).
    publish("beta", {**DISCLAIMER, "slug": "legal"})
    doc = get_page("beta.localhost", "/en/plain/")
    link = doc.one("aside", cls="disclaimer").one("a")
    assert html.local_path(doc, link.get("href")) == "/en/legal/"


def test_article_without_optional_parts_renders_without_them(create_site, publish, get_page):
    create_site("beta")
    publish("beta", {"slug": "bare", "body": "Only text.\n"})
    doc = get_page("beta.localhost", "/en/bare/")
    for tag, cls in (("section", "faq"), ("aside", "takeaway"), ("section", "sources"), ("a", "badge")):
        assert doc.find(tag, cls=cls) is None, cls
    assert "1 min read" in doc.one("p", cls="meta").text()


def test_page_basics_for_accessibility(site, get_page):
    doc = get_page(HOST, "/en/full-article/")
    html_el = doc.one("html")
    assert html_el.get("lang") == "en" and html_el.get("dir") == "ltr"
    assert len(doc.find_all("main")) == 1
    assert doc.find("header") is not None and doc.find("footer") is not None
    assert all(img.get("alt") is not None for img in doc.find_all("img"))
    assert doc.one("title").text().startswith(FULL["title"])


# -- site pages -----------------------------------------------------------------------------


def test_site_pages_are_served_and_linked_but_not_listed(site, get_page, html):
    index = get_page(HOST, "/en/")
    listed = [html.local_path(index, a.get("href")) for a in index.one("section", cls="listing").find_all("a")]
    assert "/en/full-article/" in listed
    for page in (ABOUT, DISCLAIMER):
        assert f"/en/{page['slug']}/" not in listed
        doc = get_page(HOST, f"/en/{page['slug']}/")
        assert doc.one("h1").text() == page["title"]
        assert doc.find("aside", cls="disclaimer") is None
    footer = [html.local_path(index, a.get("href")) for a in index.one("footer").find_all("a")]
    assert "/en/about/" in footer and "/en/medical-disclaimer/" in footer


# -- the index -------------------------------------------------------------------------------


def same_site(doc, href: str) -> str:
    """``href`` resolved against the page, as path?query on the same host."""
    parts = urlsplit(urljoin(doc.url, href))
    assert parts.netloc == urlsplit(doc.url).netloc, href
    return parts.path + (f"?{parts.query}" if parts.query else "")


def card_slugs(doc, html) -> list[str]:
    return [html.local_path(doc, card.one("h2").one("a").get("href")).strip("/").split("/")[-1]
            for card in doc.find_all("article", cls="card")]


def test_index_lists_newest_first_with_pagination(create_site, publish, app, get_page, html):
    create_site("alpha")
    dates = [dt.date(2024, 5, 3), dt.date(2025, 1, 20), dt.date(2023, 11, 30), dt.date(2025, 6, 1),
             dt.date(2024, 12, 24)]
    publish("alpha", *({"slug": f"post-{i}", "published": d} for i, d in enumerate(dates)),
            {"slug": "a-page", "type": "page", "summary": None, "published": None})
    per_page = 2
    app.config["PER_PAGE"] = per_page
    expected = [f"post-{i}" for i, _ in sorted(enumerate(dates), key=lambda p: p[1], reverse=True)]
    pages = math.ceil(len(expected) / per_page)

    seen, path = [], "/en/"
    for number in range(1, pages + 1):
        doc = get_page(HOST, path)
        slugs = card_slugs(doc, html)
        assert slugs == expected[(number - 1) * per_page: number * per_page]
        seen += slugs
        nav = doc.one("nav", cls="pagination")
        prev, nxt = nav.find("a", rel="prev"), nav.find("a", rel="next")
        assert (prev is not None) == (number > 1)
        assert (nxt is not None) == (number < pages)
        if number > 1:
            back = get_page(HOST, same_site(doc, prev.get("href")))
            assert card_slugs(back, html) == expected[(number - 2) * per_page: (number - 1) * per_page]
        if nxt is not None:
            path = same_site(doc, nxt.get("href"))
    assert seen == expected

    for bad in (f"?page={pages + 1}", "?page=0", "?page=-1", "?page=two"):
        get_page(HOST, "/en/" + bad, status=404)


def test_index_shows_dates_and_reading_time_on_cards(create_site, publish, get_page):
    create_site("alpha")
    publish("alpha", {"slug": "long-one", "published": dt.date(2025, 2, 2), "body": words(900) + "\n"})
    card = get_page(HOST, "/en/").one("article", cls="card")
    assert card.one("time").get("datetime") == "2025-02-02"
    assert f"{math.ceil(900 / WORDS_PER_MINUTE)} min read" in card.text()


def test_category_page_lists_only_its_articles(create_site, publish, get_page, html):
    create_site("alpha")
    publish("alpha",
            {"slug": "heart-1", "category": "heart-health", "published": dt.date(2025, 1, 1)},
            {"slug": "heart-2", "category": "heart-health", "published": dt.date(2025, 2, 1)},
            {"slug": "sleep-1", "category": "sleep-health", "published": dt.date(2025, 3, 1)},
            {"slug": "none-1", "published": dt.date(2025, 4, 1)})
    index = get_page(HOST, "/en/")
    assert card_slugs(index, html) == ["none-1", "sleep-1", "heart-2", "heart-1"]
    badge = next(c.one("a", cls="badge") for c in index.find_all("article", cls="card")
                 if "heart-2" in c.one("h2").one("a").get("href"))
    heart = get_page(HOST, html.local_path(index, badge.get("href")))
    assert card_slugs(heart, html) == ["heart-2", "heart-1"]
    assert heart.one("h1").text() == badge.text()


def test_unknown_category_is_a_404_page(site, app, get_page):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # see what a reader gets, not an exception
    doc = get_page(HOST, "/en/category/no-such-category/", status=404)
    assert "Alpha Family Clinic" in doc.text()


def test_empty_journal_says_so(create_site, get_page):
    create_site("alpha")
    doc = get_page(HOST, "/en/")
    assert doc.find("article", cls="card") is None
    assert doc.find("p", cls="empty") is not None


# -- visibility, redirects, 404s ------------------------------------------------------------------


def test_drafts_review_and_future_articles_are_not_visible(create_site, publish, get_page, html):
    create_site("alpha")
    today = dt.datetime.now(dt.timezone.utc).date()
    publish("alpha",
            {"slug": "visible", "published": today - dt.timedelta(days=3)},
            {"slug": "was-scheduled", "status": "scheduled", "published": today - dt.timedelta(days=1)},
            {"slug": "a-draft", "status": "draft", "published": None},
            {"slug": "in-review", "status": "review", "published": today - dt.timedelta(days=2)},
            {"slug": "scheduled-later", "status": "scheduled", "published": today + dt.timedelta(days=30)},
            {"slug": "published-future", "published": today + dt.timedelta(days=30)},
            {"slug": "future-page", "type": "page", "status": "draft", "summary": None, "published": None})
    visible = ["visible", "was-scheduled"]
    index = get_page(HOST, "/en/")
    assert sorted(card_slugs(index, html)) == sorted(visible)
    for slug in visible:
        get_page(HOST, f"/en/{slug}/")
    for slug in ("a-draft", "in-review", "scheduled-later", "published-future", "future-page"):
        doc = get_page(HOST, f"/en/{slug}/", status=404)
        assert f"Title of {slug}" not in doc.text()


def test_root_redirects_to_a_locale(create_site, client):
    create_site("alpha", locales=["en", "de"])
    response = client.get("/", headers={"Host": HOST})
    assert response.status_code in (301, 302, 303, 307, 308)
    assert response.headers["Location"].endswith("/en/")
    assert "Accept-Language" in response.headers.get("Vary", "")
    german = client.get("/", headers={"Host": HOST, "Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert german.headers["Location"].endswith("/de/")
    other = client.get("/", headers={"Host": HOST, "Accept-Language": "ja"})
    assert other.headers["Location"].endswith("/en/")


def test_unknown_locale_slug_or_path_is_404_in_the_sites_chrome(site, get_page):
    for path in ("/fr/", "/de/", "/xx/full-article/", "/en/no-such-article/", "/en/full-article/extra/",
                 "/en/about/more/", "/EN/"):
        doc = get_page(HOST, path, status=404)
        assert "Alpha Family Clinic" in doc.text(), path  # the site's own 404, not "no site here"
        assert FULL["title"] not in doc.text(), path


def test_article_in_another_language_only_points_to_it(create_site, publish, get_page, html):
    create_site("alpha", locales=["en", "de"])
    publish("alpha", {"slug": "nur-deutsch", "locale": "de", "title": "Nur auf Deutsch"})
    doc = get_page(HOST, "/en/nur-deutsch/", status=404)
    link = next(a for a in doc.find_all("a") if a.text() == "Nur auf Deutsch")
    assert html.local_path(doc, link.get("href")) == "/de/nur-deutsch/"


def text_without_citations(node) -> str:
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif "cite" not in child.classes:
            parts.append(text_without_citations(child))
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def test_table_of_contents_shows_headings_as_rendered(create_site, publish, get_page):
    create_site("alpha")
    publish("alpha", {"slug": "marked-up", "references": [{"key": "a", "title": "A"}],
                      "body": "Intro.\n\n## Sleep and immunity [@a]\n\nText.\n\n## The `SLEEP` score\n\nText.\n\n"
                              "## What *really* helps\n\nText.\n"})
    doc = get_page(HOST, "/en/marked-up/")
    h2s = doc.one("div", cls="article__body").find_all("h2")
    toc = doc.one("nav", cls="toc").find_all("a")
    assert [a.get("href") for a in toc] == [f"#{h.id}" for h in h2s]
    assert [a.text() for a in toc] == [text_without_citations(h) for h in h2s]

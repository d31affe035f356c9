"""Right-to-left pages with left-to-right text in them (issue 18, item 4).

English sources, author names, years, DOIs and e-mail addresses on an Arabic
page are each isolated (``<bdi>``, or a ``dir`` attribute where the direction is
known), so the bidi algorithm cannot move their full stops, numbers and commas
("2007 .1", ".Vitamin D deficiency", "Hooper .RL, et al."). These tests check the
markup on the Arabic demo article; test_bidi_browser.py checks what Chromium draws.
"""

from __future__ import annotations

import pytest
from admin_support import app, login, sites  # noqa: F401  (fixtures)

from clinicjournal.store import db, manage

HOST = "harbourview.localhost"
ARABIC = "/ar/fitamin-d-wal-manaa/"


@pytest.fixture
def demo(cli):
    result = cli("demo")
    assert result.exit_code == 0, result.output


def sources(doc):
    return doc.one("section", cls="sources").find_all("li")


def test_every_source_entry_of_the_arabic_article_is_isolated(demo, get_page):
    doc = get_page(HOST, ARABIC)
    assert doc.one("html").get("dir") == "rtl"
    entries = sources(doc)
    assert len(entries) == 4
    authors = []
    for li in entries:
        # everything but the back-links is one isolate, whose direction comes from its own text
        entry = next(child for child in li.children if not isinstance(child, str))
        assert entry.tag == "bdi" and "source" in entry.classes and entry.get("dir") is None, li
        assert li.one("span", cls="backrefs").parent is li
        assert entry.find(cls="source-title") is not None and entry.find("cite") is not None
        assert entry.find("span", cls="source-kind") is not None  # "Meta-analysis" is inside too
        # the authors are an isolate of their own: an Arabic title may have Latin-script authors
        authors.append(entry.one("bdi").text())
    assert authors == ["Holick MF", "Martineau AR, Jolliffe DA, Hooper RL, et al",
                       "Jolliffe DA, Camargo CA Jr, Sluyter JD, et al", "Institute of Medicine"]
    first = entries[0].one("bdi", cls="source")
    assert first.text() == ("Vitamin D deficiency. Holick MF. New England Journal of Medicine. 2007. "
                            "Peer-reviewed review")


def test_citation_markers_are_left_to_right_runs(demo, get_page):
    body = get_page(HOST, ARABIC).one("div", cls="article__body")
    markers = body.find_all("sup", cls="cite")
    assert markers and all(m.get("dir") == "ltr" for m in markers)


def test_a_citation_style_keeps_its_entries_isolated_and_its_links_left_to_right(demo, app, get_page):
    with app.app_context():
        sess = db.session()
        site = manage.get_site(sess, "harbourview")
        row = manage.site_plugin(sess, site, "references")
        row.settings = {**(row.settings or {}), "style": "vancouver"}
        db.bump_config_generation(sess)
        sess.commit()
    entries = sources(get_page(HOST, ARABIC))
    assert all(li.find("bdi", cls="source") is not None for li in entries)
    links = [a for li in entries for a in li.find_all("a", cls="source-link")]
    assert links and all(a.get("dir") == "ltr" and a.text().startswith("https://") for a in links)
    assert all("source" in a.parent.classes for a in links)  # inside the entry's isolate


def test_the_article_header_isolates_dates_reading_time_and_names(demo, get_page):
    header = get_page(HOST, ARABIC).one("header", cls="article__header")
    meta = header.one("p", cls="meta")
    parts = [n for n in meta.children if not isinstance(n, str) and "meta__sep" not in n.classes]
    assert [p.tag for p in parts] == ["time", "span", "span"]
    assert all(p.get("dir") == "rtl" for p in parts)  # the page's language: its direction is known
    assert meta.find("bdi").text() == "Leila Haddad, RD"  # a name in any script: auto
    assert header.one("p", cls="reviewed").one("bdi").text() == "Dr. Rafael Mendonça, MD"


def test_cards_and_related_articles_isolate_their_dates(demo, get_page):
    index = get_page(HOST, "/ar/")
    card_meta = index.find("article", cls="card").one("p", cls="meta")
    assert card_meta.one("time").get("dir") == "rtl"


def test_search_results_isolate_the_query_and_the_result_lines(demo, get_page):
    doc = get_page(HOST, "/ar/search?q=Vitamin+D")
    status = doc.one("h2", id="search-status")
    assert status.one("bdi").text() == "Vitamin D"
    assert doc.one("input", id="search-q").get("dir") == "auto"  # typed English stays in order
    assert get_page(HOST, "/ar/").one("input", id="site-search-q").get("dir") == "auto"
    hits = get_page(HOST, "/ar/search?q=%D9%81%D9%8A%D8%AA%D8%A7%D9%85%D9%8A%D9%86")  # فيتامين
    meta = hits.find("li", cls="search-hit").one("p", cls="meta")
    assert meta.one("time").get("dir") == "rtl"


def test_the_header_marks_a_site_name_in_another_language(demo, get_page):
    """Harbourview has an Arabic name of its own; German pages show the default (English) one, marked."""
    assert get_page(HOST, "/ar/").one("span", cls="site-brand__name").get("lang") is None
    german = get_page(HOST, "/de/").one("span", cls="site-brand__name")
    assert (german.text(), german.get("lang"), german.get("dir")) == ("Harbourview Family Clinic", "en", "ltr")
    switcher = get_page(HOST, ARABIC).one("nav", cls="lang-switch")
    assert {a.get("lang"): a.get("dir") for a in switcher.find_all("a")} == {"en": "ltr", "de": "ltr", "ar": "rtl"}


def test_admin_lists_isolate_e_mail_addresses_and_titles(app, sites, login):  # noqa: F811
    from html_support import parse_html

    admin = login("site_admin@alpha.test")
    members = parse_html(admin.get("/admin/alpha/members", headers={"Accept-Language": "ar"}).get_data(as_text=True))
    assert members.one("html").get("dir") == "rtl"
    emails = [b for b in members.find_all("bdi") if "@" in b.text()]
    assert emails and all(b.get("dir") == "ltr" for b in emails)
    assert {"editor@alpha.test", "reviewer@alpha.test"} <= {b.text() for b in emails}

    articles = parse_html(admin.get("/admin/alpha/articles/", headers={"Accept-Language": "ar"}).get_data(as_text=True))
    titles = {a.text(): (a.get("lang"), a.get("dir")) for a in articles.find_all("a") if a.get("lang")}
    assert titles["Sleep well"] == ("en", "ltr") and titles["Gut schlafen"] == ("de", "ltr")


# -- the disclaimer link (item 4): a language without its own page links to the default's ----------


def test_an_arabic_article_links_to_the_default_languages_disclaimer(demo, get_page):
    doc = get_page(HOST, ARABIC)
    link = doc.one("aside", cls="disclaimer").one("a")
    assert link.get("href") == "/en/disclaimer/" and link.get("hreflang") == "en"
    named = link.one("span")
    assert (named.get("lang"), named.get("dir"), named.text()) == ("en", "ltr", "(English)")
    # the footer too; a language with its own page links to it, unmarked
    footer = {a.text(): a for a in doc.one("ul", cls="footer-links").find_all("a")}
    assert footer["إخلاء المسؤولية الطبية"].get("hreflang") == "en"
    german = get_page(HOST, "/de/vitamin-d-und-immunsystem/").one("aside", cls="disclaimer").one("a")
    assert german.get("href") == "/de/haftungsausschluss/" and german.get("hreflang") is None
    assert german.find("span") is None


def test_no_disclaimer_page_at_all_means_no_link(create_site, publish, get_page):
    create_site("alpha", locales=("en", "ar"))
    publish("alpha", {"slug": "a", "locale": "ar", "title": "مقال"})
    aside = get_page("alpha.localhost", "/ar/a/").one("aside", cls="disclaimer")
    assert aside.find("a") is None


def test_the_link_setting_still_wins(demo, app, get_page):
    with app.app_context():
        sess = db.session()
        site = manage.get_site(sess, "harbourview")
        row = manage.site_plugin(sess, site, "disclaimer")
        row.settings = {"link": {"en": "https://example.org/disclaimer"}}
        db.bump_config_generation(sess)
        sess.commit()
    link = get_page(HOST, ARABIC).one("aside", cls="disclaimer").one("a")
    assert link.get("href") == "https://example.org/disclaimer" and link.get("hreflang") is None

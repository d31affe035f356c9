"""Citations in FAQ answers on the public article page: numbered in one sequence
with the body's, linking to the Sources list and back (issue #15, item 8)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from clinicjournal.store import db

# Until the clinicjournal_faq plugin shows answers through ctx.extra["cited_text"] and
# PageContext.citation_numbers counts the FAQ answers, the page shows answers as before.
# Strict, so these fail once that lands: then remove the mark.

HOST = "alpha.localhost"
REFERENCES = [
    {"key": "smith-2020", "title": "Sleep and infections", "year": 2020, "url": "https://example.org/smith"},
    {"key": "carnk-2025", "title": "Vaccines for children", "year": 2025, "url": "https://example.org/carnk"},
    {"key": "lee-2019", "title": "Immune memory", "year": 2019, "url": "https://example.org/lee"},
    {"key": "never-2018", "title": "Background reading", "year": 2018, "url": "https://example.org/never"},
]
BODY = "Sleep matters [@smith-2020].\n\n## Memory\n\nThe immune system remembers [@lee-2019; @smith-2020].\n"
FAQ = [{"q": "Does sleep help?", "a": "Yes [@smith-2020]."},
       {"q": "Is it safe for children?", "a": "Yes, with the usual <b>precautions</b> [@carnk-2025; @lee-2019]."}]
ARTICLE = {"slug": "cited-faq", "title": "Questions with sources", "summary": "Answers that cite.",
           "published": dt.date(2025, 4, 9), "references": REFERENCES, "faq": FAQ, "body": BODY}
NUMBERS = {"smith-2020": 1, "lee-2019": 2, "carnk-2025": 3}  # the body's first, then the FAQ's


@pytest.fixture
def page(create_site, publish, get_page):
    create_site("alpha")
    publish("alpha", ARTICLE)
    return get_page(HOST, "/en/cited-faq/")


def markers(node) -> list[list[tuple[str, str]]]:
    """(number shown, link target) of each citation marker in ``node``."""
    return [[(a.text(), a.get("href")) for a in sup.find_all("a")] for sup in node.find_all("sup", cls="cite")]


def test_answers_cite_in_the_bodys_numbering(page):
    body = page.one("div", cls="article__body")
    assert markers(body) == [[("1", "#ref-1")], [("2", "#ref-2"), ("1", "#ref-1")]]

    items = page.one("section", cls="faq").find_all("div", cls="faq__item")
    # a source the body cites keeps its number; one first cited in the FAQ takes the next
    assert [markers(item) for item in items] == [[[("1", "#ref-1")]], [[("3", "#ref-3"), ("2", "#ref-2")]]]
    # the answer is still text: what looks like HTML is shown as written, never markup
    assert items[1].one("p").text() == "Yes, with the usual <b>precautions</b> [3, 2]."
    assert not items[1].find_all("b")


def test_each_faq_marker_links_to_its_source_and_back(page):
    titles = {ref["key"]: ref["title"] for ref in REFERENCES}
    for link in page.one("section", cls="faq").find_all("a"):
        number = int(link.text())
        entry = page.by_id(link.get("href")[1:])
        key = next(k for k, n in NUMBERS.items() if n == number)
        assert entry.tag == "li" and entry.one(cls="source-title").text() == titles[key]
        assert f"#{link.id}" in [a.get("href") for a in entry.one(cls="backrefs").find_all("a")]

    # every back link points at a marker of that source, the FAQ's included
    for key, number in NUMBERS.items():
        back = [a.get("href") for a in page.by_id(f"ref-{number}").one(cls="backrefs").find_all("a")]
        cited = (BODY + "".join(item["a"] for item in FAQ)).count("@" + key)
        assert len(back) == cited
        assert all(page.by_id(href[1:]).get("href") == f"#ref-{number}" for href in back)


def test_sources_list_every_reference_in_number_order(page):
    entries = page.one("section", cls="sources").find_all("li")
    assert [e.id for e in entries] == ["ref-1", "ref-2", "ref-3", None]
    assert [e.one(cls="source-title").text() for e in entries] == [
        "Sleep and infections", "Immune memory", "Vaccines for children", "Background reading"]
    assert "uncited" in entries[-1].classes


def test_structured_data_answers_carry_no_citation_syntax(page):
    nodes = [json.loads(s.text()) for s in page.find_all("script", type="application/ld+json")]
    (faq_page,) = [n for n in nodes if n.get("@type") == "FAQPage"]
    answers = [q["acceptedAnswer"]["text"] for q in faq_page["mainEntity"]]
    assert answers == ["Yes [1].", "Yes, with the usual <b>precautions</b> [3, 2]."]


def test_an_unknown_key_in_a_stored_answer_is_shown_as_written(app, create_site, publish, get_page):
    # Stored before the checks looked at answers: readers must not get a number
    # (or a link) for a source the list does not have, nor a gap in the numbers.
    create_site("alpha")
    publish("alpha", {**ARTICLE, "faq": [{"q": "Q?", "a": "Old answer."}]})
    with app.app_context():
        from clinicjournal.store.models import Article

        sess = db.session()
        article = sess.query(Article).filter_by(slug="cited-faq").one()
        article.faq = [{"q": "Q?", "a": "Typo [@carnk-2052], then [@nope; @carnk-2025]."}]
        sess.commit()

    page = get_page(HOST, "/en/cited-faq/")
    item = page.one("div", cls="faq__item")
    assert item.one("p").text() == "Typo [@carnk-2052], then [3]."
    assert markers(item) == [[("3", "#ref-3")]]
    assert [e.id for e in page.one("section", cls="sources").find_all("li")] == ["ref-1", "ref-2", "ref-3", None]

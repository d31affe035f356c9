"""Full-text search: FTS5 on SQLite, text search configurations on PostgreSQL (the ``app``
fixture runs every test on both when CLINICJOURNAL_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from clinicjournal.store import db
from clinicjournal.store.models import Article
from clinicjournal.web.search import clean_query, fts5_match, highlight, terms_of

HOST = "harbourview.localhost"

HOSTILE = [
    '"', '""', "'", "*", "**", "OR", "AND", "NOT", "NEAR", "NEAR(", "NEAR(a b", "NEAR(vitamin immune, 2)",
    "vitamin OR", "OR vitamin", "-vitamin", "+vitamin", "^vitamin", "title:vitamin", "{title body}: vitamin",
    "(((", ")", "vitamin*", "*vitamin", 'vitamin" OR "1"="1', "'; DROP TABLE article; --",
    "1' OR '1'='1", "%", "_", "%_%", "\\", "\\'", "a:b:c", "\x00", "vitamin\x00D", "\u202e\u202d", "\ufffe",
    "🦠", "🦠 vitamin 💉", "👨‍👩‍👧", "ﷺ", "ä" * 50, "x" * 2000, "vitamin " * 400, "<script>alert(1)</script>",
    "&lt;mark&gt;", "\ue000vitamin\ue001", "SELECT * FROM article", "a" * 300 + " " + "b" * 300,
]


@pytest.fixture
def demo(cli):
    result = cli("demo")
    assert result.exit_code == 0, result.output


def hits(get_page, host: str, path: str) -> list[str]:
    doc = get_page(host, path)
    return [a.get("href") for a in (h.find("a") for h in doc.find_all("h3", cls="search-hit__title"))]


def test_search_finds_words_of_a_demo_article_in_two_languages(demo, get_page):
    english = hits(get_page, HOST, "/en/search?q=vitamin+respiratory")
    assert english[0] == "/en/vitamin-d-and-immunity/"
    assert all(h.startswith("/en/") for h in english)
    german = hits(get_page, HOST, "/de/search?q=Immunsystem+Vitamin")
    assert german[0] == "/de/vitamin-d-und-immunsystem/"
    assert all(h.startswith("/de/") for h in german)
    spanish = hits(get_page, "cedar-ridge.localhost", "/es/search?q=gripe+vacuna")
    assert "/es/gripe-estacional-y-vacuna/" in spanish


def test_results_show_highlighted_snippets_and_count(demo, get_page):
    doc = get_page(HOST, "/en/search?q=vitamin")
    status = doc.by_id("search-status").text()
    assert "vitamin" in status and any(ch.isdigit() for ch in status)
    first = doc.find("li", cls="search-hit")
    marks = [m.text().lower() for m in first.find_all("mark")]
    assert marks and all(m.startswith("vitamin") for m in marks)
    snippet = first.find("p", cls="search-hit__snippet").text()
    assert "[@" not in snippet and "##" not in snippet  # Markdown and citation keys are not shown
    assert doc.find("meta", name="robots").get("content").startswith("noindex")


def test_search_form_in_the_header_has_a_label(demo, get_page):
    doc = get_page(HOST, "/de/vitamin-d-und-immunsystem/")
    form = doc.one("form", role="search")
    assert form.get("action") == "/de/search" and form.get("method") == "get"
    field = form.one("input", name="q")
    assert field.get("type") == "search"
    label = form.one("label")
    assert label.get("for") == field.get("id") and label.text()
    assert form.one("button").text()
    # On the search page itself the one form is the page's own, with the query in it.
    page = get_page(HOST, "/de/search?q=Schlaf")
    forms = page.find_all("form", role="search")
    assert len(forms) == 1 and forms[0].one("input", name="q").get("value") == "Schlaf"


def test_title_matches_rank_above_body_matches(create_site, write_article, import_content, get_page, tmp_path):
    create_site("alpha")
    folder = tmp_path / "c"
    write_article(folder, slug="body-only", title="Other things", body="A note on the quokka.\n",
                  published=dt.date(2025, 6, 1))
    write_article(folder, slug="in-title", title="All about the quokka", body="Some text.\n",
                  published=dt.date(2025, 1, 1))
    import_content(folder, "alpha")
    assert hits(get_page, "alpha.localhost", "/en/search?q=quokka") == ["/en/in-title/", "/en/body-only/"]


def test_only_visible_articles_of_this_site_and_language(create_site, write_article, import_content,
                                                         get_page, tmp_path):
    create_site("alpha", locales=("en", "de"))
    create_site("beta")
    folder = tmp_path / "alpha"
    write_article(folder, slug="live", body="The wombat sleeps.\n")
    write_article(folder, slug="draft", status="draft", body="A wombat draft.\n")
    write_article(folder, slug="review", status="review", body="A wombat under review.\n")
    write_article(folder, slug="later", status="scheduled", published=dt.date.today() + dt.timedelta(days=9),
                  body="A scheduled wombat.\n")
    write_article(folder, slug="page", type="page", body="Our wombat page.\n")
    write_article(folder, slug="deutsch", locale="de", body="Der wombat schläft.\n")
    import_content(folder, "alpha")
    write_article(tmp_path / "beta", slug="beta", body="Beta's wombat.\n")
    import_content(tmp_path / "beta", "beta")

    assert hits(get_page, "alpha.localhost", "/en/search?q=wombat") == ["/en/live/"]
    assert hits(get_page, "alpha.localhost", "/de/search?q=wombat") == ["/de/deutsch/"]
    assert hits(get_page, "beta.localhost", "/en/search?q=wombat") == ["/en/beta/"]


def test_results_are_paginated(create_site, write_article, import_content, get_page, tmp_path, app):
    create_site("alpha")
    folder = tmp_path / "c"
    for n in range(13):
        write_article(folder, slug=f"okapi-{n:02d}", body=f"The okapi, part {n}.\n",
                      published=dt.date(2025, 1, 1) + dt.timedelta(days=n))
    import_content(folder, "alpha")
    per_page = app.config["PER_PAGE"]
    first = get_page("alpha.localhost", "/en/search?q=okapi")
    assert len(first.find_all("li", cls="search-hit")) == per_page
    assert first.one("a", rel="next").get("href") == "/en/search?q=okapi&page=2"
    second = get_page("alpha.localhost", "/en/search?q=okapi&page=2")
    assert len(second.find_all("li", cls="search-hit")) == 13 - per_page
    assert second.one("ol", cls="search-results__list").get("start") == str(per_page + 1)
    everything = (hits(get_page, "alpha.localhost", "/en/search?q=okapi")
                  + hits(get_page, "alpha.localhost", "/en/search?q=okapi&page=2"))
    assert len(set(everything)) == 13
    for odd in ("99", "0", "-1", "abc", "1e9", "", "%00"):
        doc = get_page("alpha.localhost", f"/en/search?q=okapi&page={odd}")  # a normal page, never an error
        assert doc.by_id("search-status") is not None


def test_empty_query_shows_the_form(demo, get_page):
    for path in ("/en/search", "/en/search?q=", "/en/search?q=+++", "/ar/search?q="):
        doc = get_page(HOST, path)
        assert doc.one("input", name="q") is not None
        assert not doc.find_all("li", cls="search-hit")


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_give_a_normal_page(demo, client, query):
    response = client.get("/en/search", query_string={"q": query}, headers={"Host": HOST})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page
    assert 'id="search-status"' in page


def test_hostile_query_strings_in_raw_urls(demo, client):
    for raw in ("q=%FF%FE", "q=%C0%AF", "q=a&q=b", "q[]=x", "q=%22%20OR%20%22", "page=2&q=NEAR%28"):
        response = client.get(f"/en/search?{raw}", headers={"Host": HOST})
        assert response.status_code == 200, raw


def test_snippets_escape_the_article_text(create_site, write_article, import_content, client, html, tmp_path,
                                          backend):
    create_site("alpha")
    write_article(tmp_path / "c", slug="tricky", title="The <b>ibex</b> & co",
                  body="Do not run <img src=x onerror=alert(1)> near an ibex. <mark>ibex</mark>\n")
    import_content(tmp_path / "c", "alpha")
    page = client.get("/en/search?q=ibex", headers={"Host": "alpha.localhost"}).get_data(as_text=True)
    assert "<img" not in page and "<b>" not in page
    assert "onerror=alert(1)&gt;" in page  # shown as text
    assert "The &lt;b&gt;<mark>ibex</mark>&lt;/b&gt; &amp; co" in page
    hit = html.parse(page).one("li", cls="search-hit")
    assert [m.text() for m in hit.find_all("mark")] == ["ibex"] * len(hit.find_all("mark"))
    assert not any(m.find("mark") for m in hit.find_all("mark"))  # the author's <mark> is text, not markup
    if backend == "sqlite":  # (PostgreSQL's headline drops tag-like text from the snippet itself)
        assert "&lt;mark&gt;<mark>ibex</mark>&lt;/mark&gt;" in page


def test_index_follows_edits_and_deletions(create_site, write_article, import_content, get_page, app, tmp_path):
    create_site("alpha")
    folder = tmp_path / "c"
    write_article(folder, slug="animal", body="The narwhal swims.\n")
    import_content(folder, "alpha")
    assert hits(get_page, "alpha.localhost", "/en/search?q=narwhal") == ["/en/animal/"]

    # a signed-off new text replaces what readers see (unsigned, it would wait in the admin)
    write_article(folder, slug="animal", body="The axolotl swims.\n", reviewer="Dr. R", reviewed="2025-02-01")
    import_content(folder, "alpha")
    assert hits(get_page, "alpha.localhost", "/en/search?q=narwhal") == []
    assert hits(get_page, "alpha.localhost", "/en/search?q=axolotl") == ["/en/animal/"]

    with app.app_context():
        sess = db.session()
        sess.delete(sess.scalar(select(Article).where(Article.slug == "animal")))
        sess.commit()
        if sess.get_bind().dialect.name == "sqlite":
            # The external-content index holds no row for the deleted article.
            assert sess.scalar(text("SELECT count(*) FROM article_fts WHERE article_fts MATCH 'axolotl'")) == 0
            # ... and the index agrees with the article table (raises if it does not).
            sess.execute(text("INSERT INTO article_fts(article_fts, rank) VALUES ('integrity-check', 1)"))
    assert hits(get_page, "alpha.localhost", "/en/search?q=axolotl") == []


def test_search_schema_is_in_place_at_head(app, backend):
    """Later migrations must keep the index (on SQLite a table rebuild drops the triggers)."""
    with app.app_context():
        sess = db.session()
        if backend == "sqlite":
            names = set(sess.scalars(text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")))
            assert {"article_fts", "article_fts_insert", "article_fts_update", "article_fts_delete"} <= names
        else:
            column = sess.scalar(text(
                "SELECT generation_expression FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = 'article' AND column_name = 'search_vector'"))
            assert column and "german" in column and "english" in column
            assert sess.scalar(text("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() "
                                    "AND indexname = 'ix_article_search_vector'")) == 1


def test_accents_do_not_matter_on_sqlite(create_site, write_article, import_content, get_page, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("diacritics folding is the FTS5 tokenizer's (remove_diacritics 2)")
    create_site("alpha", locales=("de",))
    write_article(tmp_path / "c", slug="praeparate", locale="de", body="Welche Präparate helfen?\n")
    import_content(tmp_path / "c", "alpha")
    assert hits(get_page, "alpha.localhost", "/de/search?q=praparate") == ["/de/praeparate/"]
    assert hits(get_page, "alpha.localhost", "/de/search?q=PRÄPARATE") == ["/de/praeparate/"]


def test_whole_words_find_suffixed_forms_on_sqlite(create_site, write_article, import_content, get_page,
                                                   tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("the Porter stemmer is the FTS5 tokenizer's; PostgreSQL stems per language")
    create_site("alpha")
    write_article(tmp_path / "c", slug="vaccines", body="Vaccines were studied in several trials.\n")
    import_content(tmp_path / "c", "alpha")
    for query in ("vaccine", "vaccines", "study", "trial"):
        assert hits(get_page, "alpha.localhost", f"/en/search?q={query}") == ["/en/vaccines/"], query
    assert hits(get_page, "alpha.localhost", "/en/search?q=vacc") == []  # whole words, not prefixes


@pytest.mark.postgres
def test_postgres_uses_the_language_of_each_article(create_site, write_article, import_content, get_page,
                                                    tmp_path, backend):
    if backend != "postgresql":
        pytest.skip("stemming with per-language text search configurations is PostgreSQL's")
    create_site("alpha", locales=("en", "de", "ar"))
    folder = tmp_path / "c"
    write_article(folder, slug="vaccines", locale="en", body="Vaccines are studied in children.\n")
    write_article(folder, slug="impfungen", locale="de", body="Die Kinder wurden geimpft.\n")
    write_article(folder, slug="arabic", locale="ar", title="اللقاحات", body="اللقاحات للأطفال\n")
    import_content(folder, "alpha")
    # English stemming: "vaccine" and "child" match "Vaccines" and "children"?
    assert hits(get_page, "alpha.localhost", "/en/search?q=vaccine") == ["/en/vaccines/"]
    assert hits(get_page, "alpha.localhost", "/en/search?q=studies") == ["/en/vaccines/"]
    # German stemming: "Kind" matches "Kinder"; German stop words are ignored.
    assert hits(get_page, "alpha.localhost", "/de/search?q=Kind") == ["/de/impfungen/"]
    assert hits(get_page, "alpha.localhost", "/de/search?q=die+Kinder") == ["/de/impfungen/"]
    # Other languages use the simple configuration: whole words.
    assert hits(get_page, "alpha.localhost", "/ar/search?q=اللقاحات") == ["/ar/arabic/"]


def test_query_helpers():
    assert clean_query("  vitamin\x00 D\n") == "vitamin D"
    assert len(clean_query("x" * 2000)) == 200
    assert terms_of('" * OR vitamin 🦠') == ["OR", "vitamin"]
    assert fts5_match(['NEAR(', 'a"b', "OR"]) == '"NEAR(" "a""b" "OR"'
    assert str(highlight("a <b> \ue000c\ue001 \ue000d")) == "a &lt;b&gt; <mark>c</mark> d"
    assert str(highlight("see [@key-1; @key-2].\n## Head **bold** [link](http://x)\n…## Cut", markdown=True)) == \
        "see . Head bold link …Cut"

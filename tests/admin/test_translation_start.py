"""Starting a translation (``/articles/new?from=<id>&locale=xx``): the page says
what it is, shows the source beside the form, and takes over only what the
translation shares with its source (never the slug nor the words)."""

from __future__ import annotations

from admin_support import add_article, app, form_of, login, sites  # noqa: F401  (fixtures)
from babel import Locale
from conftest import parse_html
from sqlalchemy import select

from clinicjournal.store import db
from clinicjournal.store.models import Article

EXTRA = """category: immune-health
author: Dr. Amina Haddad
takeaway: Wash for twenty seconds.
faq:
  - q: Is soap enough?
    a: Yes, with water.
"""


def source(app, title="Hand washing", slug="hand-washing") -> int:
    return add_article(app, "alpha", slug, title=title, extra=EXTRA, body="## Why\n\nGerms spread [@ref-one].\n")


def field(doc, name: str):
    return doc.one("input", name=name) if doc.find("input", name=name) else doc.one("textarea", name=name)


def open_form(client, query: str, status: int = 200):
    response = client.get(f"/admin/alpha/articles/new?{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return parse_html(response.get_data(as_text=True))


def test_the_page_names_the_source_and_the_language_and_shows_the_source(app, sites, login):
    article_id = source(app)
    doc = open_form(login("translator@alpha.test"), f"from={article_id}&locale=de")
    assert doc.one("h1").text() == "Translate “Hand washing” into German"
    assert doc.one("title").text().startswith("Translate “Hand washing” into German")
    panel = doc.one("aside", cls="translate-source")
    assert panel.one("h2").text() == "Original: English"
    for text in ("Hand washing", "Summary of hand-washing.", "## Why", "Germs spread [@ref-one].",
                 "Wash for twenty seconds.", "Is soap enough?", "Yes, with water."):
        assert text in panel.text(), text
    assert all(dd.get("lang") == "en" for dd in panel.find_all("dd") if not dd.find("dl"))
    # the slug and the words are the translator's; what the versions share is taken over
    assert field(doc, "slug").get("value") == ""
    assert field(doc, "title").get("value") == "" and field(doc, "body").text() == ""
    assert field(doc, "translation_key").get("value") == "hand-washing"
    assert field(doc, "author").get("value") == "Dr. Amina Haddad"
    assert "key: ref-one" in field(doc, "references").text()
    assert doc.one("select", name="category").find("option", selected="").get("value") == "immune-health"
    assert doc.one("select", name="locale").find("option", selected="").get("value") == "de"
    assert doc.one("input", name="from").get("value") == str(article_id)


def test_the_language_is_named_in_the_admins_language(app, sites, login):
    client = login("translator@alpha.test")
    response = client.get(f"/admin/alpha/articles/new?from={source(app)}&locale=de",
                          headers={"Accept-Language": "ar"})
    doc = parse_html(response.get_data(as_text=True))
    assert doc.one("html").get("dir") == "rtl"
    german_in_arabic = Locale.parse("de").get_display_name("ar")
    assert german_in_arabic in doc.one("h1").text() and "German" not in doc.one("h1").text()


def test_the_source_shown_is_what_readers_get_not_changes_waiting(app, sites, login):
    editor = login("editor@alpha.test")
    article_id = source(app)
    saved = editor.post(f"/admin/alpha/articles/{article_id}",
                        form_of(editor, article_id, body="Unpublished new text.\n", action="save"))
    assert saved.status_code == 302
    panel = open_form(editor, f"from={article_id}&locale=de").one("aside", cls="translate-source")
    assert "Germs spread" in panel.text() and "Unpublished new text." not in panel.text()
    assert "saved changes to the original are not published yet" in panel.text()


def test_a_hostile_source_title_is_text(app, sites, login):
    article_id = source(app, title="<script>alert(1)</script> النوم", slug="hostile")
    response = login("translator@alpha.test").get(f"/admin/alpha/articles/new?from={article_id}&locale=de")
    page = response.get_data(as_text=True)
    assert "<script>alert(1)" not in page
    doc = parse_html(page)
    assert doc.one("h1").one("bdi").text() == "<script>alert(1)</script> النوم"


def test_another_sites_article_is_not_found(app, sites, login):
    translator = login("translator@alpha.test")
    open_form(translator, f"from={sites.beta_article}&locale=de", status=404)
    open_form(translator, "from=99999999&locale=de", status=404)


def test_an_unknown_or_unwritable_locale_picks_one_the_member_may_write(app, sites, login):
    article_id = source(app)
    translator = login("translator@alpha.test")
    for locale in ("xx", "%3Cscript%3E", "en", ""):
        doc = open_form(translator, f"from={article_id}&locale={locale}")
        assert doc.one("select", name="locale").find("option", selected="").get("value") == "de"
        assert doc.one("h1").text().endswith("into German")
    assert "<script>" not in translator.get(f"/admin/alpha/articles/new?from={article_id}&locale=<script>") \
        .get_data(as_text=True)


def test_a_version_already_written_is_pointed_to(app, sites, login):
    doc = open_form(login("translator@alpha.test"), f"from={sites.alpha_article}&locale=de")
    notice = doc.one("p", cls="notice")
    assert "There is a German version of this article already." in notice.text()
    assert notice.one("a").get("href") == f"/admin/alpha/articles/{sites.alpha_de}"


def test_a_refused_save_keeps_the_source_beside_the_form_and_a_good_one_saves(app, sites, login):
    article_id = source(app)
    translator = login("translator@alpha.test")
    # (an empty slug is no longer refused: the server proposes one from the title, as the editor does)
    form = {"title": "Händewaschen", "summary": "Warum und wie.", "body": "Keime [@ref-one].\n", "slug": "Not a slug!",
            "locale": "de", "kind": "article", "category": "immune-health", "translation_key": "hand-washing",
            "author": "Dr. Amina Haddad", "references": "- key: ref-one\n  title: A reference\n",
            "faq_q": [""], "faq_a": [""], "version": "", "from": str(article_id)}
    refused = translator.post("/admin/alpha/articles/new", form)
    assert refused.status_code == 422
    doc = parse_html(refused.get_data(as_text=True))
    assert doc.one("h1").text() == "Translate “Hand washing” into German"
    assert doc.one("aside", cls="translate-source") and doc.one("input", name="from").get("value") == str(article_id)
    assert translator.post("/admin/alpha/articles/new", {**form, "slug": "haendewaschen"}).status_code == 302
    with app.app_context():
        saved = db.session().scalar(select(Article).where(Article.slug == "haendewaschen"))
        assert (saved.locale, saved.translation_key, saved.site_id) == ("de", "hand-washing", sites.alpha_id)

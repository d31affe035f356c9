"""The editor's helpers on the server (issue #19 item 3): references as form rows,
the slug proposal, readability and reading time, the live preview, autosave."""

from __future__ import annotations

import re

import pytest
from admin_support import (  # noqa: F401
    add_article,
    app,
    article_row,
    login,
    revisions_of,
    sites,
    working,
)
from sqlalchemy import select

from clinicjournal.content import readability, slugs
from clinicjournal.store import db
from clinicjournal.store.models import AuditEvent


def editor_form(client, article_id: int, **changes) -> dict:
    """The editor's form as the browser posts it, with its reference rows."""
    page = client.get(f"/admin/alpha/articles/{article_id}").get_data(as_text=True)
    article = article_row(client.app, article_id)
    form = {
        "title": article.title, "summary": article.summary, "body": article.body, "category": "",
        "translation_key": article.translation_key, "slug": article.slug, "locale": article.locale,
        "kind": article.kind, "published": article.published.isoformat() if article.published else "",
        "updated": "", "author": article.author, "takeaway": "", "references_mode": "rows",
        "ref_key": re.findall(r'name="ref_key" type="text" value="([^"]*)"', page),
        "ref_title": re.findall(r'name="ref_title" type="text" value="([^"]*)"', page),
        "version": re.search(r'name="version" value="(\d+)"', page).group(1),
        "article_id": str(article_id),
    }
    form.update(changes)
    return form


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session().scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# -- references as rows -------------------------------------------------------------------

def test_the_editor_shows_references_as_rows_with_their_citation(app, sites, login):
    page = login("editor@alpha.test").get(f"/admin/alpha/articles/{sites.alpha_article}").get_data(as_text=True)
    assert 'name="ref_key" type="text" value="ref-one"' in page
    assert "[@ref-one]</code>" in page
    assert 'name="references_mode" value="rows" checked' in page
    assert 'id="f-ref-key-2"' in page  # one empty row to add a source without JavaScript


def test_rows_are_saved_in_their_order_as_the_references(app, sites, login):
    editor = login("editor@alpha.test")
    form = editor_form(editor, sites.alpha_article,
                       body="Two sources [@b-2024] and [@ref-one].\n",
                       ref_key=["b-2024", "ref-one", ""], ref_title=["Second study", "A reference", ""],
                       ref_authors=["Smith J; Lee K", "", ""], ref_year=["2024", "", ""],
                       ref_container=["BMJ", "", ""], ref_kind=["Guideline", "", ""], ref_doi=["10.1/x", "", ""],
                       ref_pmid=["123", "", ""], ref_pmcid=["", "", ""], ref_url=["https://example.org/b", "", ""])
    response = editor.post(f"/admin/alpha/articles/{sites.alpha_article}", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    refs = working(app, sites.alpha_article)["references"]
    assert [r["key"] for r in refs] == ["b-2024", "ref-one"]
    assert refs[0]["authors"] == ["Smith J", "Lee K"] and refs[0]["year"] == 2024
    assert refs[0]["url"] == "https://example.org/b" and refs[0]["kind"] == "Guideline"


def test_a_bad_row_is_named_with_its_field(app, sites, login):
    editor = login("editor@alpha.test")
    form = editor_form(editor, sites.alpha_article, ref_key=["ref-one", "b"], ref_title=["A reference", "B"],
                       ref_year=["", "20x4"], ref_url=["", "example.org"])
    response = editor.post(f"/admin/alpha/articles/{sites.alpha_article}", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Reference 2 (year)" in page and "Reference 2 (url)" in page
    assert 'href="#f-ref-year-2"' in page  # the summary links to the row's box
    assert 'id="f-ref-year-2" name="ref_year" type="text" value="20x4" dir="auto" aria-invalid="true"' in page


def test_the_yaml_box_still_works(app, sites, login):
    editor = login("editor@alpha.test")
    form = editor_form(editor, sites.alpha_article, references_mode="yaml",
                       references="- key: ref-one\n  title: A reference\n- key: y-2020\n  title: From YAML\n")
    assert editor.post(f"/admin/alpha/articles/{sites.alpha_article}", form).status_code == 302
    assert [r["key"] for r in working(app, sites.alpha_article)["references"]] == ["ref-one", "y-2020"]
    # YAML the rows cannot show (a field they have no box for) stays a YAML box
    form = editor_form(editor, sites.alpha_article, references_mode="yaml",
                       references="- key: ref-one\n  title: A reference\n  note: kept\n")
    response = editor.post(f"/admin/alpha/articles/{sites.alpha_article}", form)
    assert response.status_code == 422 and "note" in response.get_data(as_text=True)
    assert editor.post("/admin/alpha/editor/references", {"references": "- key: a\n  title: T\n  note: x\n"}
                       ).status_code == 422
    rows = editor.post("/admin/alpha/editor/references", {"references": "- key: a\n  title: T\n  year: 2020\n"})
    assert rows.get_json()["rows"][0]["year"] == "2020"


# -- the slug -----------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "locale", "slug"), [
    ("Grüße aus Köln: Schlaf", "de", "gruesse-aus-koeln-schlaf"),
    ("Niño y año: el sueño", "es", "nino-y-ano-el-sueno"),
    ("L'été à Noël", "fr", "l-ete-a-noel"),
    ("فيتامين د والمناعة", "ar", "fytmyn-d-wlmn"),
    ("Vitamin D — what it does", "en", "vitamin-d-what-it-does"),
    ("!!!", "en", ""),
])
def test_slug_proposal_for_every_shipped_language(title, locale, slug):
    assert slugs.propose(title, locale) == slug


def test_the_server_proposes_the_slug_the_browser_shows(app, sites, login):
    editor = login("editor@alpha.test")
    answer = editor.get("/admin/alpha/editor/slug?title=Über%20den%20Schlaf&locale=de")
    assert answer.get_json() == {"slug": "ueber-den-schlaf"}
    # a new article posted with no slug (no JavaScript) gets the same proposal
    response = editor.post("/admin/alpha/articles/new", {"title": "Über den Schlaf", "summary": "S.", "body": "B.",
                                                         "locale": "de", "kind": "article", "slug": ""})
    assert response.status_code == 302
    assert login("editor@alpha.test").get(response.headers["Location"]).get_data(as_text=True).count(
        'value="ueber-den-schlaf"') >= 1


def test_the_slug_pattern_is_the_authoring_formats(app, sites, login):
    page = login("editor@alpha.test").get("/admin/alpha/articles/new").get_data(as_text=True)
    assert r'pattern="[a-z0-9](?:[a-z0-9\-]{0,198}[a-z0-9])?"' in page


# -- readability and reading time ---------------------------------------------------------

PLAIN = ("Sleep helps your body fight germs. Most adults need seven to nine hours each night. "
         "Children need more. If you sleep badly, talk to your doctor.")
HARD = ("The immunological consequences of chronic sleep deprivation encompass dysregulated inflammatory "
        "cytokine production, diminished natural killer cell cytotoxicity, and attenuated vaccine-induced "
        "antibody responses, particularly among older individuals with multiple comorbidities.")


def test_readability_per_language():
    assert readability.measure(PLAIN, "en").grade < 8 < readability.measure(HARD, "en").grade
    german = readability.measure("Schlaf hilft dem Körper, Keime abzuwehren. Die meisten Erwachsenen brauchen "
                                 "sieben bis neun Stunden pro Nacht. Kinder brauchen mehr.", "de")
    assert german.formula == "Wiener Sachtextformel" and german.grade is not None
    spanish = readability.measure("El sueño ayuda a su cuerpo a combatir los gérmenes. La mayoría de los adultos "
                                  "necesita dormir entre siete y nueve horas.", "es")
    assert spanish.formula == "Crawford" and spanish.grade is not None
    french = readability.measure("Le sommeil aide votre corps à combattre les microbes. La plupart des adultes "
                                 "ont besoin de sept à neuf heures par nuit.", "fr")
    assert french.grade is None and 0 <= french.ease <= 100  # a reading ease, not passed off as a grade
    arabic = readability.measure("النوم يساعد جسمك على مقاومة الجراثيم. يحتاج معظم البالغين إلى سبع إلى تسع "
                                 "ساعات كل ليلة. يحتاج الأطفال إلى المزيد.", "ar")
    assert arabic.formula == "" and arabic.grade is None and arabic.ease is None
    # citations, code and link targets are not words
    assert readability.plain_text("See [@a-2020] and [this](https://x.test/long-path) `code`.").split() == \
        ["See", "and", "this", "."]


def test_the_readability_endpoint_uses_the_sites_target(app, sites, login):
    editor = login("editor@alpha.test")
    answer = editor.post("/admin/alpha/editor/readability", {"body": HARD, "locale": "en"}).get_json()
    assert answer["level"] == "high" and "Target: grade 8 or lower" in answer["readability"]
    assert answer["words"] == 30 and answer["minutes"] == 1
    admin = login("site_admin@alpha.test")
    page = admin.get("/admin/alpha/settings").get_data(as_text=True)
    assert 'name="readability_grade" type="number" value="8"' in page
    refused = admin.post("/admin/alpha/settings", {**settings_form(page), "readability_grade": "40"})
    assert "The target reading grade must be a whole number from 1 to 18" in refused.get_data(as_text=True)
    saved = admin.post("/admin/alpha/settings", {**settings_form(page), "readability_grade": "6"})
    assert saved.status_code == 302
    answer = editor.post("/admin/alpha/editor/readability", {"body": PLAIN, "locale": "en"}).get_json()
    assert answer["target"] == 6 and "Target: grade 6 or lower" in answer["readability"]
    arabic = editor.post("/admin/alpha/editor/readability", {"body": "نص " * 20, "locale": "ar"}).get_json()
    assert arabic["level"] == "none" and "No plain-language formula" in arabic["readability"]


def settings_form(page: str) -> dict:
    """The settings form's inputs as the page has them (text, number, checked boxes)."""
    form: dict = {}
    for tag in re.findall(r"<input[^>]+>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) in ("checkbox", "radio") and " checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        form.setdefault(name.group(1), []).append(value.group(1) if value else "")
    form["default_locale"] = "en"
    return form


# -- live preview -------------------------------------------------------------------------

def test_live_preview_renders_and_sanitises_like_the_reader(app, sites, login):
    editor = login("editor@alpha.test")
    form = editor_form(editor, sites.alpha_article,
                       body='Unsaved words [@ref-one].\n\n<script>alert(1)</script><img src=x onerror="alert(2)">\n')
    response = editor.post("/admin/alpha/editor/preview", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Unsaved words" in page and 'href="#ref-1"' in page
    assert "<script>alert" not in page and "<img src=x" not in page  # shown as text, never run
    assert 'class="admin-preview-banner"' in page
    assert article_row(app, sites.alpha_article).body == "Original text [@ref-one].\n"  # nothing saved
    problems = editor.post("/admin/alpha/editor/preview", {**form, "summary": ""})
    assert problems.headers["X-Preview-Problems"] == "1" and "Summary: " in problems.get_data(as_text=True)


def test_live_preview_needs_the_token_and_the_role(app, sites, login):
    editor = login("editor@alpha.test")
    form = editor_form(editor, sites.alpha_article)
    assert editor.post("/admin/alpha/editor/preview", form, csrf=False).status_code == 400
    reviewer = login("reviewer@alpha.test")
    assert reviewer.post("/admin/alpha/editor/preview", form).status_code == 403
    assert login("editor@beta.test").post("/admin/alpha/editor/preview", form).status_code == 404


# -- autosave -----------------------------------------------------------------------------

def test_autosaves_of_one_sitting_are_one_revision_and_no_audit_rows(app, sites, login):
    editor = login("editor@alpha.test")
    before, audit_before = len(revisions_of(app, sites.alpha_draft)), actions(app)
    form = editor_form(editor, sites.alpha_draft, body="First words [@ref-one].\n")
    first = editor.post(f"/admin/alpha/articles/{sites.alpha_draft}/autosave", form)
    assert first.status_code == 200, first.get_data(as_text=True)
    version = first.get_json()["version"]
    second = editor.post(f"/admin/alpha/articles/{sites.alpha_draft}/autosave",
                         {**form, "body": "First words, more words [@ref-one].\n", "version": str(version)})
    assert second.status_code == 200 and second.get_json()["version"] > version
    history = revisions_of(app, sites.alpha_draft)
    assert len(history) == before + 1 and history[-1].note == "autosaved"
    assert working(app, sites.alpha_draft)["body"] == "First words, more words [@ref-one].\n"
    assert actions(app) == audit_before  # no audit row per autosave
    # the manual save that ends the sitting is recorded, and starts a new revision
    saved = editor.post(f"/admin/alpha/articles/{sites.alpha_draft}",
                        {**form, "body": "Final words [@ref-one].\n", "version": str(second.get_json()["version"]),
                         "action": "save"})
    assert saved.status_code == 302
    assert actions(app)[-1] == "article.saved" and len(revisions_of(app, sites.alpha_draft)) == before + 2


def test_an_autosave_never_overwrites_a_newer_version(app, sites, login):
    editor, other = login("editor@alpha.test"), login("network@example.test")
    mine = editor_form(editor, sites.alpha_draft, body="Mine [@ref-one].\n")
    theirs = editor_form(other, sites.alpha_draft, body="Theirs [@ref-one].\n", action="save")
    assert other.post(f"/admin/alpha/articles/{sites.alpha_draft}", theirs).status_code == 302
    refused = editor.post(f"/admin/alpha/articles/{sites.alpha_draft}/autosave", mine)
    assert refused.status_code == 409 and "someone else saved" in refused.get_json()["conflict"]
    assert working(app, sites.alpha_draft)["body"] == "Theirs [@ref-one].\n"


def test_autosave_does_not_touch_what_readers_see_or_a_signed_revision(app, sites, login):
    editor = login("editor@alpha.test")
    live_body = article_row(app, sites.alpha_article).body
    form = editor_form(editor, sites.alpha_article, body="Changes waiting [@ref-one].\n")
    answer = editor.post(f"/admin/alpha/articles/{sites.alpha_article}/autosave", form)
    assert answer.status_code == 200
    assert article_row(app, sites.alpha_article).body == live_body
    assert working(app, sites.alpha_article)["body"] == "Changes waiting [@ref-one].\n"
    bad = editor.post(f"/admin/alpha/articles/{sites.alpha_article}/autosave",
                      {**form, "title": "", "version": str(answer.get_json()["version"])})
    assert bad.status_code == 422 and bad.get_json()["problems"]
    assert login("reviewer@alpha.test").post(f"/admin/alpha/articles/{sites.alpha_article}/autosave",
                                             form).status_code == 403

"""Articles in the admin: the editor, the review-and-publish workflow, scheduling,
revisions and restoring, optimistic locking, preview, upload and download."""

from __future__ import annotations

import datetime as dt
import re

from admin_support import (  # noqa: F401
    AdminClient,
    add_article,
    app,
    article_row,
    login,
    revisions_of,
    sites,
    today,
    working,
)
from sqlalchemy import func, select

from clinicjournal.store import db
from clinicjournal.store.models import Article, AuditEvent

REFS = "- key: ref-one\n  title: A reference\n"


def form_of(client, article_id: int) -> dict:
    """The editor's current values, as a browser would submit them."""
    page = client.get(f"/admin/alpha/articles/{article_id}").get_data(as_text=True)
    article = article_row(client.app, article_id)
    return {
        "title": article.title, "summary": article.summary, "body": article.body,
        "category": article.category or "", "translation_key": article.translation_key,
        "slug": article.slug, "locale": article.locale, "kind": article.kind,
        "published": article.published.isoformat() if article.published else "",
        "updated": "", "author": article.author, "takeaway": article.takeaway,
        "references": REFS, "faq_q": [i["q"] for i in article.faq], "faq_a": [i["a"] for i in article.faq],
        "version": re.search(r'name="version" value="(\d+)"', page).group(1),
    }


def reader(app, path: str, host: str = "alpha.localhost"):
    return app.test_client().get(path, base_url=f"http://{host}")


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session().scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_import_records_a_revision(app, sites):
    history = revisions_of(app, sites.alpha_article)
    assert [(r.saved_by_label, r.note) for r in history] == [("import", "import")]
    assert history[0].data["body"].startswith("Original text")
    assert history[0].data["published"] == "2025-01-15"


def test_publish_through_review(app, sites, login):
    editor, reviewer = login("editor@alpha.test"), login("reviewer@alpha.test")
    article_id = sites.alpha_draft
    form = form_of(editor, article_id)
    form.update(body="A brand new paragraph about rest [@ref-one].\n", action="submit")
    response = editor.post(f"/admin/alpha/articles/{article_id}", form)
    assert response.status_code == 302
    row = article_row(app, article_id)
    assert (row.status, row.workflow) == ("draft", "review")
    assert reader(app, "/en/draft-one/").status_code == 404

    # publishing before the medical sign-off is refused
    version = str(article_row(app, article_id).version)
    editor.post(f"/admin/alpha/articles/{article_id}/publish", {"version": version, "mode": "now"})
    assert article_row(app, article_id).status == "draft"
    assert "must sign off" in editor.get(f"/admin/alpha/articles/{article_id}").get_data(as_text=True)

    response = reviewer.post(f"/admin/alpha/articles/{article_id}/sign-off", {"version": version})
    assert response.status_code == 302
    signed = article_row(app, article_id)
    (revision,) = [r for r in revisions_of(app, article_id) if r.id == signed.latest_revision_id]
    assert revision.signed and revision.signed_off_name == "Reviewer of alpha"
    assert signed.reviewer == "" and signed.reviewed is None  # nothing is live yet to carry the line

    response = editor.post(f"/admin/alpha/articles/{article_id}/publish",
                           {"version": str(signed.version), "mode": "now"})
    assert response.status_code == 302
    published = article_row(app, article_id)
    assert published.status == "published" and published.live_revision_id == revision.id
    assert published.reviewer == "Reviewer of alpha" and published.reviewed == today()
    assert published.next_review == today() + dt.timedelta(days=365)
    page = reader(app, "/en/draft-one/").get_data(as_text=True)
    assert "A brand new paragraph about rest" in page
    assert "Medically reviewed by <bdi>Reviewer of alpha</bdi>" in page  # the name isolated (bidi)
    assert actions(app)[-4:] == ["article.saved", "article.submitted", "article.signed_off", "article.published"]
    # workflow steps add no revision: the one signed off is the one published
    assert [r.note for r in revisions_of(app, article_id)][-1] == "edited"


def test_editing_after_the_sign_off_needs_a_new_one(app, sites, login):
    editor, reviewer = login("editor@alpha.test"), login("reviewer@alpha.test")
    article_id = sites.alpha_draft
    editor.post(f"/admin/alpha/articles/{article_id}/submit", {"version": str(article_row(app, article_id).version)})
    reviewer.post(f"/admin/alpha/articles/{article_id}/sign-off", {"version": str(article_row(app, article_id).version)})
    form = form_of(editor, article_id)
    form["body"] = "Changed after the review.\n"
    editor.post(f"/admin/alpha/articles/{article_id}", form)
    response = editor.post(f"/admin/alpha/articles/{article_id}/publish",
                           {"version": str(article_row(app, article_id).version), "mode": "now"},
                           follow_redirects=True)
    assert article_row(app, article_id).status == "draft"
    assert "must sign off this exact text" in response.get_data(as_text=True)


def test_a_reviewer_signs_off_only_what_they_saw(app, sites, login):
    editor, reviewer = login("editor@alpha.test"), login("reviewer@alpha.test")
    article_id = sites.alpha_draft
    editor.post(f"/admin/alpha/articles/{article_id}/submit", {"version": str(article_row(app, article_id).version)})
    seen = str(article_row(app, article_id).version)
    form = form_of(editor, article_id)
    form["body"] = "Edited while the reviewer was reading.\n"
    editor.post(f"/admin/alpha/articles/{article_id}", form)
    response = reviewer.post(f"/admin/alpha/articles/{article_id}/sign-off", {"version": seen}, follow_redirects=True)
    assert "changed since you opened it" in response.get_data(as_text=True)
    assert not any(r.signed for r in revisions_of(app, article_id))


def test_scheduled_publishing(app, sites, login):
    editor, reviewer = login("editor@alpha.test"), login("reviewer@alpha.test")
    article_id = sites.alpha_draft
    editor.post(f"/admin/alpha/articles/{article_id}/submit", {"version": str(article_row(app, article_id).version)})
    reviewer.post(f"/admin/alpha/articles/{article_id}/sign-off", {"version": str(article_row(app, article_id).version)})
    when = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)).replace(tzinfo=None, second=0, microsecond=0)
    editor.post(f"/admin/alpha/articles/{article_id}/publish", {
        "version": str(article_row(app, article_id).version), "mode": "schedule",
        "publish_at": when.strftime("%Y-%m-%dT%H:%M")})
    article = article_row(app, article_id)
    assert (article.status, article.publish_at, article.published) == ("scheduled", when, when.date())
    assert reader(app, "/en/draft-one/").status_code == 404
    # a time in the past is not a schedule
    editor.post(f"/admin/alpha/articles/{article_id}/publish", {
        "version": str(article.version), "mode": "schedule", "publish_at": "2001-01-01T10:00"})
    assert article_row(app, article_id).status == "scheduled"


def test_unknown_citation_keys_are_shown_with_their_line_and_block_review(app, sites, login):
    editor = login("editor@alpha.test")
    article_id = sites.alpha_draft
    form = form_of(editor, article_id)
    form["body"] = "First line.\n\nSecond paragraph cites [@nope] and [@ref-one; @missing].\n"
    response = editor.post(f"/admin/alpha/articles/{article_id}", form, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200  # a draft may be saved
    assert "Line 3: unknown citation key “nope”" in page
    assert "Line 3: unknown citation key “missing”" in page
    assert 'aria-invalid="true"' in page
    assert "[@nope]" in article_row(app, article_id).body
    form = form_of(editor, article_id)
    form["action"] = "submit"
    response = editor.post(f"/admin/alpha/articles/{article_id}", form)
    assert response.status_code == 422
    assert "Not sent for review" in response.get_data(as_text=True)
    assert article_row(app, article_id).status == "draft"


def test_field_errors_keep_the_text_and_name_the_field(app, sites, login):
    editor = login("editor@alpha.test")
    form = form_of(editor, sites.alpha_draft)
    form.update(slug="Not A Slug", body="My unsaved words.\n", references="- key: [broken")
    response = editor.post(f"/admin/alpha/articles/{sites.alpha_draft}", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Not valid YAML" in page and "My unsaved words." in page
    form["references"] = REFS
    page = editor.post(f"/admin/alpha/articles/{sites.alpha_draft}", form).get_data(as_text=True)
    assert "must be lower-case letters" in page
    form.update(slug="draft-one", references="- key: r1\n  title: T\n  url: ftp://x\n")
    page = editor.post(f"/admin/alpha/articles/{sites.alpha_draft}", form).get_data(as_text=True)
    assert "Reference 1 (url): must start with http" in page
    form.update(slug="sleep-well", references=REFS)  # taken by another article in English
    page = editor.post(f"/admin/alpha/articles/{sites.alpha_draft}", form).get_data(as_text=True)
    assert "already uses this slug" in page
    assert article_row(app, sites.alpha_draft).body.startswith("Original text")


def test_stale_version_is_a_conflict_that_keeps_the_editors_text(app, sites, login):
    first, second = login("editor@alpha.test"), login("network@example.test")
    article_id = sites.alpha_article
    mine, theirs = form_of(first, article_id), form_of(second, article_id)
    theirs["body"] = "Their version.\n"
    assert second.post(f"/admin/alpha/articles/{article_id}", theirs).status_code == 302
    mine["body"] = "My careful rewrite.\n"
    response = first.post(f"/admin/alpha/articles/{article_id}", mine)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "someone else saved this article after you opened it" in page
    assert "My careful rewrite." in page
    assert working(app, article_id)["body"] == "Their version.\n"
    # the form now carries the current version: saving again is a deliberate choice
    current = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert current == str(article_row(app, article_id).version)


def test_concurrent_saves_are_caught_by_the_version_column(app, sites):
    from sqlalchemy.orm.exc import StaleDataError

    with app.app_context():
        one, two = app.extensions["clinicjournal"].sessionmaker(), app.extensions["clinicjournal"].sessionmaker()
        a, b = one.get(Article, sites.alpha_article), two.get(Article, sites.alpha_article)
        a.title, b.title = "One", "Two"
        one.commit()
        try:
            two.commit()
        except StaleDataError:
            two.rollback()
        else:
            raise AssertionError("the second save should have been refused")
        one.close(), two.close()


def test_revisions_and_restore(app, sites, login):
    editor = login("editor@alpha.test")
    article_id = sites.alpha_draft
    for text in ("Second version.\n", "Third version.\n"):
        form = form_of(editor, article_id)
        form["body"] = text
        editor.post(f"/admin/alpha/articles/{article_id}", form)
    history = revisions_of(app, article_id)
    assert [r.data["body"] for r in history] == ["Original text [@ref-one].\n", "Second version.\n",
                                                 "Third version.\n"]
    assert history[1].saved_by_label == "editor@alpha.test"
    listing = editor.get(f"/admin/alpha/articles/{article_id}/revisions/").get_data(as_text=True)
    assert "editor@alpha.test" in listing and "Revision 3" in listing
    page = editor.get(f"/admin/alpha/articles/{article_id}/revisions/{history[0].id}").get_data(as_text=True)
    assert "-Original text [@ref-one]." in page and "+Third version." in page
    response = editor.post(f"/admin/alpha/articles/{article_id}/revisions/{history[0].id}/restore",
                           {"version": str(article_row(app, article_id).version)})
    assert response.status_code == 302
    assert article_row(app, article_id).body == "Original text [@ref-one].\n"
    history = revisions_of(app, article_id)
    assert len(history) == 4 and history[-1].note == "restored revision 1"
    assert "article.restored" in actions(app)
    # restoring from a stale page does nothing
    editor.post(f"/admin/alpha/articles/{article_id}/revisions/{history[1].id}/restore", {"version": "1"})
    assert article_row(app, article_id).body == "Original text [@ref-one].\n"


def test_revisions_of_another_sites_article_are_not_found(app, sites, login):
    editor = login("editor@alpha.test")
    beta_revision = revisions_of(app, sites.beta_article)[0].id
    assert editor.get(f"/admin/alpha/articles/{sites.alpha_article}/revisions/{beta_revision}").status_code == 404
    assert editor.post(f"/admin/alpha/articles/{sites.alpha_article}/revisions/{beta_revision}/restore",
                       {"version": "1"}).status_code == 404


def test_new_article_and_translation(app, sites, login):
    editor = login("editor@alpha.test")
    response = editor.post("/admin/alpha/articles/new", {
        "title": "Hand washing", "summary": "Why and how.", "body": "Wash your hands.\n", "slug": "hand-washing",
        "locale": "en", "kind": "article", "category": "immune-health", "faq_q": ["Soap?", ""],
        "faq_a": ["Yes.", ""], "references": "", "version": ""})
    assert response.status_code == 302
    with app.app_context():
        article = db.session().scalar(select(Article).where(Article.slug == "hand-washing"))
        assert (article.status, article.site_id, article.faq, article.category) == (
            "draft", sites.alpha_id, [{"q": "Soap?", "a": "Yes."}], "immune-health")
        new_id = article.id
    page = editor.get(f"/admin/alpha/articles/new?from={new_id}&locale=de").get_data(as_text=True)
    assert 'value="hand-washing"' in page and "Hand washing" in page
    assert "article.created" in actions(app)


def test_preview_uses_the_public_templates_and_saves_nothing(app, sites, login):
    editor = login("editor@alpha.test")
    form = form_of(editor, sites.alpha_article)
    form.update(body="## Preview heading\n\nUnsaved words [@ref-one].\n", takeaway="Remember this.")
    response = editor.post(f"/admin/alpha/articles/{sites.alpha_article}/preview", form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Unsaved words" in page and "Preview heading" in page
    assert 'class="admin-preview-banner"' in page
    assert 'href="#ref-1"' in page  # the references plugin numbered the citation
    assert "Key takeaway" in page  # the takeaway plugin's slot
    assert "Medical disclaimer" in page  # the disclaimer plugin
    assert response.headers["Cache-Control"] == "no-store"
    assert article_row(app, sites.alpha_article).body == "Original text [@ref-one].\n"
    # the saved text, for reviewers
    reviewer = login("reviewer@alpha.test")
    page = reviewer.get(f"/admin/alpha/articles/{sites.alpha_article}/preview").get_data(as_text=True)
    assert "Original text" in page
    # the preview is in the article's language
    page = editor.get(f"/admin/alpha/articles/{sites.alpha_de}/preview").get_data(as_text=True)
    assert '<html lang="de"' in page


def test_download_and_upload_round_trip(app, sites, login):
    editor = login("editor@alpha.test")
    response = editor.get(f"/admin/alpha/articles/{sites.alpha_article}/download")
    assert response.headers["Content-Disposition"] == 'attachment; filename="sleep-well.en.md"'
    text = response.get_data(as_text=True)
    assert text.startswith("---\nslug: sleep-well\n")
    from io import BytesIO

    changed = text.replace("Original text", "Uploaded text").replace("status: published", "status: draft")
    response = editor.post("/admin/alpha/articles/upload",
                           {"file": (BytesIO(changed.encode()), "sleep-well.en.md")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    article = article_row(app, sites.alpha_article)
    assert working(app, sites.alpha_article)["body"].startswith("Uploaded text")
    assert article.body.startswith("Original text")  # readers still see the published text
    assert article.status == "published"  # an upload never changes the status
    assert revisions_of(app, sites.alpha_article)[-1].note == "uploaded sleep-well.en.md"
    new = changed.replace("slug: sleep-well", "slug: from-upload").replace("reviewer:", "x-reviewer:")
    editor.post("/admin/alpha/articles/upload", {"file": (BytesIO(new.encode()), "x.md")},
                content_type="multipart/form-data")
    with app.app_context():
        created = db.session().scalar(select(Article).where(Article.slug == "from-upload"))
        assert created.status == "draft" and created.site_id == sites.alpha_id
    bad = editor.post("/admin/alpha/articles/upload", {"file": (BytesIO(b"no front matter"), "bad.md")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "Upload refused" in bad.get_data(as_text=True)


def test_overdue_review_list(app, sites, login):
    add_article(app, "alpha", "old-advice", title="Old advice", signed=("Dr Old", "2020-01-01"))
    add_article(app, "alpha", "fresh-advice", title="Fresh advice", signed=("Dr New", today().isoformat()))
    page = login("reviewer@alpha.test").get("/admin/alpha/review").get_data(as_text=True)
    overdue = page.split('id="overdue"')[1].split("</section>")[0]
    assert "Old advice" in overdue and "2020-12-31" in overdue  # reviewed + 365 days
    assert "Fresh advice" not in overdue
    assert "Sleep well" in overdue  # never reviewed
    assert "Beta news" not in page


def test_unpublish(app, sites, login):
    editor = login("editor@alpha.test")
    editor.post(f"/admin/alpha/articles/{sites.alpha_article}/unpublish",
                {"version": str(article_row(app, sites.alpha_article).version)})
    assert article_row(app, sites.alpha_article).status == "draft"
    assert reader(app, "/en/sleep-well/").status_code == 404


def test_article_list_filters(app, sites, login):
    client = login("reviewer@alpha.test")
    page = client.get("/admin/alpha/articles/").get_data(as_text=True)
    assert "Sleep well" in page and "Draft one" in page and "Beta news" not in page
    page = client.get("/admin/alpha/articles/?status=draft").get_data(as_text=True)
    assert "Draft one" in page and "Sleep well" not in page
    page = client.get("/admin/alpha/articles/?locale=de").get_data(as_text=True)
    assert "Gut schlafen" in page and "Sleep well" not in page
    page = client.get("/admin/alpha/articles/?q=sleep").get_data(as_text=True)
    assert "Sleep well" in page and "Draft one" not in page
    page = client.get("/admin/alpha/articles/?q=100%25").get_data(as_text=True)
    assert "No articles match" in page


def test_saving_a_page_reloads_the_site_registry(app, sites, login):
    editor = login("editor@alpha.test")
    with app.app_context():
        from clinicjournal.store.db import config_generation

        before = config_generation(db.session())
    form = form_of(editor, sites.alpha_draft)
    form.update(kind="page", summary="")
    assert editor.post(f"/admin/alpha/articles/{sites.alpha_draft}", form).status_code == 302
    with app.app_context():
        assert config_generation(db.session()) > before
        assert db.session().scalar(select(func.count()).select_from(Article).where(Article.kind == "page")) == 1


def test_a_reviewer_sends_an_article_back_with_a_note(app, sites, login):
    editor, reviewer = login("editor@alpha.test"), login("reviewer@alpha.test")
    article_id = sites.alpha_draft
    editor.post(f"/admin/alpha/articles/{article_id}/submit", {"version": str(article_row(app, article_id).version)})
    response = reviewer.post(f"/admin/alpha/articles/{article_id}/send-back", {
        "version": str(article_row(app, article_id).version), "note": "Please cite the 2024 guideline."})
    assert response.status_code == 302
    assert article_row(app, article_id).status == "draft"
    page = editor.get(f"/admin/alpha/articles/{article_id}").get_data(as_text=True)
    assert "Sent back to draft by reviewer@alpha.test" in page and "Please cite the 2024 guideline." in page
    # translators cannot send back articles in the default language
    translator = login("translator@alpha.test")
    editor.post(f"/admin/alpha/articles/{article_id}/submit", {"version": str(article_row(app, article_id).version)})
    assert translator.post(f"/admin/alpha/articles/{article_id}/send-back",
                           {"version": str(article_row(app, article_id).version)}).status_code == 403

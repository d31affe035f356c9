"""Retiring content without breaking links (issue 15, item 9): a renamed slug
answers 301 from every old address, an archived article 410 Gone with a
localised page, deleting needs the slug typed and the right role, and the
site's old addresses are listed, exported and imported with the content."""

from __future__ import annotations

import re

import pytest
from admin_support import (  # noqa: F401
    add_article,
    app,
    article_row,
    form_of,
    login,
    reader,
    sites,
    step,
)
from sqlalchemy import func, select

from clinicjournal.store import db
from clinicjournal.store.models import Article, AuditEvent, Revision, Site, SlugRedirect

SIGNED = ("Dr. Signed", "2025-02-01")


@pytest.fixture
def live(app, sites):
    return add_article(app, "alpha", "flu-jabs", title="Flu jabs", body="Get one each autumn [@ref-one].",
                       signed=SIGNED)


def rename(editor, reviewer, article_id: int, new_slug: str) -> None:
    """Change the slug as staff do: save, send for review, sign off, publish."""
    assert editor.post(f"/admin/alpha/articles/{article_id}", form_of(editor, article_id, slug=new_slug)
                       ).status_code == 302
    step(editor, article_id, "submit")
    step(reviewer, article_id, "sign-off")
    step(editor, article_id, "publish", mode="now")
    assert article_row(editor.app, article_id).slug == new_slug


def test_every_old_slug_answers_301_to_the_current_address(app, live, login):
    editor, reviewer = login("editor@alpha.test"), login("reviewer@alpha.test")
    rename(editor, reviewer, live, "flu-vaccination")
    rename(editor, reviewer, live, "winter-flu-jabs")
    for old in ("flu-jabs", "flu-vaccination"):
        response = reader(app, f"/en/{old}/")
        assert response.status_code == 301, old
        assert response.headers["Location"].endswith("/en/winter-flu-jabs/")  # no chain through the middle one
    assert reader(app, "/en/winter-flu-jabs/").status_code == 200

    listed = editor.get("/admin/alpha/redirects").get_data(as_text=True)
    assert "/en/flu-jabs/" in listed and "/en/flu-vaccination/" in listed

    # a new article taking an old slug answers there itself, and the redirect goes
    add_article(app, "alpha", "flu-jabs", title="Flu jabs for children", signed=SIGNED)
    assert reader(app, "/en/flu-jabs/").status_code == 200
    assert "Flu jabs for children" in reader(app, "/en/flu-jabs/").get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(SlugRedirect.old_slug).where(SlugRedirect.old_slug == "flu-jabs")) is None


def test_a_draft_renamed_before_publication_leaves_no_redirect(app, sites, login):
    editor = login("editor@alpha.test")
    editor.post(f"/admin/alpha/articles/{sites.alpha_draft}", form_of(editor, sites.alpha_draft, slug="draft-two"))
    assert reader(app, "/en/draft-one/").status_code == 404  # it never was public: nothing to keep
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(SlugRedirect)) == 0


def test_an_archived_article_answers_410_in_the_readers_language(app, sites, live, login):
    editor, translator = login("editor@alpha.test"), login("translator@alpha.test")
    assert step(translator, live, "archive").status_code == 403
    page = step(editor, live, "archive").get_data(as_text=True)
    assert "Archived" in page
    assert article_row(app, live).status == "archived"
    response = reader(app, "/en/flu-jabs/")
    assert response.status_code == 410
    text = response.get_data(as_text=True)
    assert "This article was withdrawn" in text and 'href="/en/"' in text
    assert "/en/flu-jabs/" not in reader(app, "/en/").get_data(as_text=True)
    assert "/en/flu-jabs/" not in reader(app, "/sitemap.xml").get_data(as_text=True)
    assert "flu-jabs" not in reader(app, "/en/feed.xml").get_data(as_text=True)

    german = step(editor, sites.alpha_de, "archive")
    assert german.status_code == 200
    gone = reader(app, "/de/gut-schlafen/")
    assert gone.status_code == 410 and 'lang="de"' in gone.get_data(as_text=True)
    assert "This article was withdrawn" not in gone.get_data(as_text=True)  # in German, not English

    listing = editor.get("/admin/alpha/articles/?status=archived").get_data(as_text=True)
    assert "Flu jabs" in listing and "Sleep well" not in listing
    # publishing it again brings it back
    step(editor, live, "publish", mode="now")
    assert reader(app, "/en/flu-jabs/").status_code == 200


def test_an_old_slug_of_an_archived_article_answers_410_too(app, live, login):
    editor, reviewer = login("editor@alpha.test"), login("reviewer@alpha.test")
    rename(editor, reviewer, live, "flu-vaccination")
    step(editor, live, "archive")
    assert reader(app, "/en/flu-jabs/").status_code == 410


def test_deleting_needs_the_role_the_typed_slug_and_nothing_live(app, sites, live, login):
    editor, admin = login("editor@alpha.test"), login("site_admin@alpha.test")
    assert editor.get(f"/admin/alpha/articles/{live}/delete").status_code == 403
    assert editor.post(f"/admin/alpha/articles/{live}/delete", {"confirm": "flu-jabs"}).status_code == 403

    refused = admin.post(f"/admin/alpha/articles/{live}/delete", {"confirm": "flu-jabs"})
    assert refused.status_code == 422 and "unpublish or archive it first" in refused.get_data(as_text=True)
    step(editor, live, "archive")
    mistyped = admin.post(f"/admin/alpha/articles/{live}/delete", {"confirm": "Flu-jabs"})
    assert mistyped.status_code == 422 and "Type the slug flu-jabs exactly" in mistyped.get_data(as_text=True)
    assert article_row(app, live) is not None

    done = admin.post(f"/admin/alpha/articles/{live}/delete", {"confirm": "flu-jabs"}, follow_redirects=True)
    assert "Deleted en/flu-jabs" in done.get_data(as_text=True)
    with app.app_context():
        sess = db.session()
        assert sess.get(Article, live) is None
        assert sess.scalar(select(func.count()).select_from(Revision).where(Revision.article_id == live)) == 0
        event = sess.scalar(select(AuditEvent).where(AuditEvent.action == "article.deleted"))
        assert event.actor == "site_admin@alpha.test" and event.detail["articles"] == ["en/flu-jabs"]
    assert reader(app, "/en/flu-jabs/").status_code == 404


def test_deleting_every_language_version_or_only_one(app, sites, login):
    editor, admin = login("editor@alpha.test"), login("site_admin@alpha.test")
    english, german = sites.alpha_article, sites.alpha_de
    step(editor, english, "unpublish")
    step(editor, german, "unpublish")
    page = admin.get(f"/admin/alpha/articles/{english}/delete").get_data(as_text=True)
    assert "Every language version" in page and "Gut schlafen" in page
    admin.post(f"/admin/alpha/articles/{english}/delete", {"confirm": "sleep-well", "scope": "one"})
    assert article_row(app, english) is None and article_row(app, german) is not None

    step(editor, sites.alpha_draft, "submit")  # an unrelated article is untouched by "all"
    extra = add_article(app, "alpha", "schlaf-tipps", locale="de", status="draft", translation_key="tips")
    tips = add_article(app, "alpha", "sleep-tips", status="draft", translation_key="tips")
    admin.post(f"/admin/alpha/articles/{tips}/delete", {"confirm": "sleep-tips", "scope": "all"})
    assert article_row(app, tips) is None and article_row(app, extra) is None
    assert article_row(app, german) is not None and article_row(app, sites.alpha_draft) is not None


def test_another_sites_article_cannot_be_deleted_or_archived(app, sites, login):
    admin, editor = login("site_admin@alpha.test"), login("editor@alpha.test")
    assert admin.post(f"/admin/alpha/articles/{sites.beta_draft}/delete",
                      {"confirm": "beta-draft"}).status_code == 404
    assert editor.post(f"/admin/alpha/articles/{sites.beta_article}/archive", {"version": "1"}).status_code == 404
    assert article_row(app, sites.beta_draft) is not None


def test_the_old_addresses_list_adds_and_removes_with_clear_refusals(app, sites, login):
    editor, translator = login("editor@alpha.test"), login("translator@alpha.test")
    added = editor.post("/admin/alpha/redirects", {"locale": "en", "old_slug": "good-sleep", "target": "sleep-well"},
                        follow_redirects=True)
    assert "/en/good-sleep/ now leads to /en/sleep-well/" in added.get_data(as_text=True)
    assert reader(app, "/en/good-sleep/").headers["Location"].endswith("/en/sleep-well/")

    taken = editor.post("/admin/alpha/redirects", {"locale": "en", "old_slug": "draft-one", "target": "sleep-well"})
    assert taken.status_code == 422 and "answers at draft-one itself" in taken.get_data(as_text=True)
    unknown = editor.post("/admin/alpha/redirects", {"locale": "en", "old_slug": "x-y", "target": "nope"})
    assert unknown.status_code == 422 and "No article in this language has the slug nope" in unknown.get_data(
        as_text=True)
    bad = editor.post("/admin/alpha/redirects", {"locale": "en", "old_slug": "Not A Slug", "target": "sleep-well"})
    assert bad.status_code == 422

    assert translator.get("/admin/alpha/redirects").status_code == 200
    assert translator.post("/admin/alpha/redirects", {"locale": "en", "old_slug": "zz",
                                                      "target": "sleep-well"}).status_code == 403
    with app.app_context():
        row_id = db.session().scalar(select(SlugRedirect.id).where(SlugRedirect.old_slug == "good-sleep"))
    assert translator.post(f"/admin/alpha/redirects/{row_id}/remove").status_code == 403
    assert login("editor@beta.test", host="beta.localhost").post(
        f"/admin/beta/redirects/{row_id}/remove").status_code == 404  # another site's row
    editor.post(f"/admin/alpha/redirects/{row_id}/remove")
    assert reader(app, "/en/good-sleep/").status_code == 404


def test_another_languages_slug_redirects_to_the_version_in_the_urls_language(app, sites):
    response = reader(app, "/de/sleep-well/")
    assert response.status_code == 301 and response.headers["Location"].endswith("/de/gut-schlafen/")
    english = reader(app, "/en/gut-schlafen/")
    assert english.status_code == 301 and english.headers["Location"].endswith("/en/sleep-well/")


def test_deleting_a_site_is_for_network_admins_with_the_slug_typed(app, sites, login):
    admin = login("site_admin@beta.test", host="beta.localhost")
    assert admin.get("/admin/beta/delete").status_code == 403
    network = login(sites.network, host="beta.localhost")
    page = network.get("/admin/beta/delete").get_data(as_text=True)
    assert "clinicjournal backup" in page and re.search(r"Articles and pages</dt><dd>2<", page)
    assert network.post("/admin/beta/delete", {"confirm": "Beta"}).status_code == 422
    done = network.post("/admin/beta/delete", {"confirm": "beta"}, follow_redirects=True)
    assert "was deleted" in done.get_data(as_text=True)
    with app.app_context():
        sess = db.session()
        assert sess.scalar(select(Site).where(Site.slug == "beta")) is None
        assert sess.scalar(select(func.count()).select_from(Article).where(Article.site_id == sites.beta_id)) == 0
        event = sess.scalar(select(AuditEvent).where(AuditEvent.action == "site.deleted"))
        assert event.target == "beta" and event.actor == sites.network
    assert app.test_client().get("/en/beta-news/", base_url="http://beta.localhost").status_code == 404
    assert reader(app, "/en/sleep-well/").status_code == 200  # the other site is untouched

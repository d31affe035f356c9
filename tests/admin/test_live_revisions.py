"""The public page is exactly what a reviewer signed off (issue 15): each way
staff tried to put unreviewed text on the public site, through the real app
with the real roles, and what the admin says about it."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

import pytest
from admin_support import (  # noqa: F401
    add_article,
    app,
    article_row,
    form_of,
    login,
    make_user,
    public_text,
    reader,
    revisions_of,
    sites,
    step,
    version,
    working,
)
from sqlalchemy import select, update

from clinicjournal.store import db
from clinicjournal.store.models import Article, Revision, Site  # noqa: F401

SIGNED = ("Dr. Signed", "2025-02-01")
CLAIM = "CAR-NK is now a proven cure."


@pytest.fixture
def live(app, sites):
    """A published article with a sign-off that covers its text."""
    return add_article(app, "alpha", "car-nk", title="CAR-NK cells", body="Early trials only [@ref-one].",
                       signed=SIGNED)


def test_saving_a_published_article_never_changes_the_public_page(app, live, login):
    editor = login("editor@alpha.test")
    assert "Medically reviewed by <bdi>Dr. Signed</bdi>" in public_text(app, "/en/car-nk/")
    response = editor.post(f"/admin/alpha/articles/{live}", form_of(editor, live, body=f"{CLAIM} [@ref-one]\n"))
    assert response.status_code == 302
    page = public_text(app, "/en/car-nk/")
    assert CLAIM not in page and "Early trials only" in page
    assert "Medically reviewed by <bdi>Dr. Signed</bdi>" in page  # still true: it describes the text shown

    editor_page = editor.get(f"/admin/alpha/articles/{live}").get_data(as_text=True)
    waiting = editor_page.split('id="changes-waiting"')[1].split("</details>")[0]
    assert f"<ins>+{CLAIM} [@ref-one]</ins>" in waiting and "<del>-Early trials only [@ref-one].</del>" in waiting
    assert 'href="http://alpha.localhost/en/car-nk/"' in editor_page  # readers see the published text

    # an editor (no reviewer) cannot publish the unsigned change
    page = step(editor, live, "publish", mode="now").get_data(as_text=True)
    assert "must sign off this exact text" in page
    assert CLAIM not in public_text(app, "/en/car-nk/")

    step(editor, live, "discard")
    assert working(app, live)["body"].startswith("Early trials only")
    assert 'id="changes-waiting"' not in editor.get(f"/admin/alpha/articles/{live}").get_data(as_text=True)


def test_every_saving_route_leaves_the_public_page_alone(app, sites, live, login, tmp_path, cli):
    editor, translator = login("editor@alpha.test"), login("translator@alpha.test")
    before = article_row(app, live).body
    # upload of a changed file
    text = editor.get(f"/admin/alpha/articles/{live}/download").get_data(as_text=True)
    assert "signoff:" in text and "hash: sha256:" in text
    editor.post("/admin/alpha/articles/upload",
                {"file": (BytesIO(text.replace("Early trials only", CLAIM).encode()), "car-nk.en.md")},
                content_type="multipart/form-data")
    assert working(app, live)["body"].startswith(CLAIM) and article_row(app, live).body == before
    # restore of the first revision
    first = min(r for r in db_revision_ids(app, live))
    editor.post(f"/admin/alpha/articles/{live}/revisions/{first}/restore", {"version": version(app, live)})
    assert article_row(app, live).body == before
    # a translator saving the published German translation
    de = add_article(app, "alpha", "car-nk-de", locale="de", title="CAR-NK-Zellen", translation_key="car-nk",
                     body="Nur frühe Studien [@ref-one].", signed=SIGNED)
    response = translator.post(f"/admin/alpha/articles/{de}", form_of(translator, de, body="Geheilt! [@ref-one]\n"))
    assert response.status_code == 302
    assert "Nur frühe Studien" in public_text(app, "/de/car-nk-de/")
    assert step(translator, de, "publish", mode="now").status_code == 403  # translators never publish
    # the CLI importing an unsigned file for the published article
    path = tmp_path / "car-nk.en.md"
    path.write_text(text.replace("Early trials only", "Imported claim").replace("signoff:", "x-old-signoff:"))
    result = cli("content", "import", path, "--site", "alpha")
    assert result.exit_code == 0 and "waiting" in result.output and "kept what readers see" in result.output
    assert article_row(app, live).body == before
    # ...and one whose sign-off hash belongs to other text: the sign-off is not taken
    path.write_text(text.replace("Early trials only", "Tampered text"))
    result = cli("content", "import", path, "--site", "alpha")
    assert "sign-off(s) not taken" in result.output
    assert article_row(app, live).body == before
    assert "Early trials only" in public_text(app, "/en/car-nk/")


def db_revision_ids(app, article_id: int) -> list[int]:
    with app.app_context():
        return list(db.session().scalars(select(Revision.id).where(Revision.article_id == article_id)))


def test_a_schedule_publishes_the_signed_text_not_later_edits(app, sites, login):
    editor, reviewer = login("editor@alpha.test"), login("reviewer@alpha.test")
    draft = sites.alpha_draft
    step(editor, draft, "submit")
    step(reviewer, draft, "sign-off")
    when = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)).replace(tzinfo=None, second=0, microsecond=0)
    step(editor, draft, "publish", mode="schedule", publish_at=when.strftime("%Y-%m-%dT%H:%M"))
    assert article_row(app, draft).status == "scheduled"
    editor.post(f"/admin/alpha/articles/{draft}", form_of(editor, draft, body=f"{CLAIM} [@ref-one]\n"))
    page = editor.get(f"/admin/alpha/articles/{draft}").get_data(as_text=True)
    assert "Changes waiting" in page and "View on the public site" not in page  # not public yet
    assert reader(app, "/en/draft-one/").status_code == 404

    with app.app_context():  # the moment passes
        sess = db.session()
        sess.execute(update(Article).where(Article.id == draft)
                     .values(publish_at=dt.datetime(2001, 1, 1, 9), published=dt.date(2001, 1, 1),
                             version=Article.version))
        sess.commit()
    page = public_text(app, "/en/draft-one/")
    assert "Original text" in page and CLAIM not in page
    assert "Medically reviewed by <bdi>Reviewer of alpha</bdi>" in page  # the name isolated (bidi)
    admin_page = editor.get(f"/admin/alpha/articles/{draft}").get_data(as_text=True)
    assert "View on the public site" in admin_page and 'badge--published' in admin_page
    dashboard = editor.get("/admin/alpha/").get_data(as_text=True)
    assert re.search(r'status=waiting">\s*<span class="stat__num">1<', dashboard)

    # the waiting edit goes live only after its own sign-off
    step(editor, draft, "submit")
    step(reviewer, draft, "sign-off")
    step(editor, draft, "publish", mode="now")
    assert CLAIM in public_text(app, "/en/draft-one/")


def test_scheduling_an_article_readers_already_see_is_refused(app, live, login):
    editor, reviewer = login("editor@alpha.test"), login("reviewer@alpha.test")
    editor.post(f"/admin/alpha/articles/{live}", form_of(editor, live, body="Better text [@ref-one].\n"))
    step(editor, live, "submit")
    step(reviewer, live, "sign-off")
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page = step(editor, live, "publish", mode="schedule", publish_at=later).get_data(as_text=True)
    assert "cannot be scheduled" in page
    assert article_row(app, live).status == "published"


def test_a_type_change_needs_the_new_types_review(app, sites, login):
    editor, admin = login("editor@alpha.test"), login("site_admin@alpha.test")
    with app.app_context():  # this site lets pages go out without a sign-off
        sess = db.session()
        site = sess.scalar(select(Site).where(Site.slug == "alpha"))
        site.settings = {**(site.settings or {}), "review_pages": False}
        sess.commit()
    page_id = add_article(app, "alpha", "opening-hours", status="draft", title="Opening hours")
    editor.post(f"/admin/alpha/articles/{page_id}", form_of(editor, page_id, kind="page"))
    step(editor, page_id, "submit")
    step(editor, page_id, "publish", mode="now")
    assert article_row(app, page_id).status == "published"

    editor.post(f"/admin/alpha/articles/{page_id}",
                form_of(editor, page_id, kind="article", category="", body=f"{CLAIM} [@ref-one]\n"))
    step(editor, page_id, "submit")
    page = step(editor, page_id, "publish", mode="now").get_data(as_text=True)
    assert "must sign off this exact text" in page
    assert article_row(app, page_id).kind == "page" and CLAIM not in article_row(app, page_id).body
    assert "/en/opening-hours/" not in public_text(app, "/en/")  # not listed as an article
    assert admin.get("/admin/alpha/settings").status_code == 200


def test_pages_need_a_sign_off_by_default(app, sites, login):
    editor = login("editor@alpha.test")
    page_id = add_article(app, "alpha", "disclaimer-x", status="draft", title="Disclaimer")
    editor.post(f"/admin/alpha/articles/{page_id}", form_of(editor, page_id, kind="page"))
    step(editor, page_id, "submit")
    assert "must sign off" in step(editor, page_id, "publish", mode="now").get_data(as_text=True)


def test_four_eyes_a_member_with_both_roles_cannot_sign_their_own_change(app, sites, login):
    make_user(app, "both@alpha.test", site="alpha", roles=["site_admin", "editor", "reviewer"], name="Both Roles")
    both, reviewer = login("both@alpha.test"), login("reviewer@alpha.test")
    draft = sites.alpha_draft
    both.post(f"/admin/alpha/articles/{draft}", form_of(both, draft, body="My own words [@ref-one].\n",
                                                        action="submit"))
    page = step(both, draft, "sign-off").get_data(as_text=True)
    assert "four-eyes rule" in page
    assert not any(r.signed for r in revisions_of(app, draft))
    step(reviewer, draft, "sign-off")
    assert revisions_of(app, draft)[-1].signed_off_name == "Reviewer of alpha"


def test_the_reviewers_screen_renders_the_text_and_offers_sign_off_only_when_due(app, live, login):
    editor, reviewer = login("editor@alpha.test"), login("reviewer@alpha.test")
    editor.post(f"/admin/alpha/articles/{live}", form_of(editor, live, body="New claim [@ref-one].\n"))
    screen = reviewer.get(f"/admin/alpha/articles/{live}/review").get_data(as_text=True)
    assert "Sign off medical review" not in screen  # not sent for review yet
    step(editor, live, "submit")
    screen = reviewer.get(f"/admin/alpha/articles/{live}/review").get_data(as_text=True)
    assert "Sign off medical review" in screen and "<ins>+New claim [@ref-one].</ins>" in screen
    assert re.search(r'<a[^>]+href="#ref-one"[^>]*>1</a>', screen) or 'href="#source-ref-one"' in screen or \
        re.search(r'class="cite[^"]*"', screen), "the citation is rendered as readers see it"
    assert "[@ref-one]" not in screen.split("</section>", 1)[1]  # no raw Markdown in the rendered page
    step(reviewer, live, "sign-off")
    screen = reviewer.get(f"/admin/alpha/articles/{live}/review").get_data(as_text=True)
    assert "Sign off medical review" not in screen and "signed off by Reviewer of alpha" in screen


def test_expiry_takes_the_article_down_at_its_moment(app, live, login):
    editor = login("editor@alpha.test")
    soon = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    step(editor, live, "expiry", expires_at=soon)
    assert reader(app, "/en/car-nk/").status_code == 200
    with app.app_context():  # the moment passes
        sess = db.session()
        sess.execute(update(Article).where(Article.id == live).values(expires_at=dt.datetime(2001, 1, 1),
                                                                       version=Article.version))
        sess.commit()
    assert reader(app, "/en/car-nk/").status_code == 404
    assert "/en/car-nk/" not in public_text(app, "/en/")
    page = editor.get(f"/admin/alpha/articles/{live}").get_data(as_text=True)
    assert "badge--expired" in page and "View on the public site" not in page
    listed = editor.get("/admin/alpha/articles/?status=expired").get_data(as_text=True)
    assert "CAR-NK cells" in listed

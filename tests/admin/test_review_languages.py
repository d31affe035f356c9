"""Issue 15, item 5: a translation goes live only through a sign-off by a reviewer
*for that language*. A reviewer or translator role can name its languages; the
sign-off is checked against the role as it is in the database at that moment,
whatever the screen showed."""

from __future__ import annotations

from admin_support import (  # noqa: F401  (fixtures)
    add_article,
    app,
    article_row,
    form_of,
    login,
    make_user,
    revisions_of,
    sites,
    step,
    version,
)
from sqlalchemy import select

from clinicjournal.store import db
from clinicjournal.store.models import AuditEvent, Membership, User


def german_draft_in_review(app, login) -> int:
    article = add_article(app, "alpha", "entwurf", locale="de", status="draft", title="Entwurf",
                          translation_key="draft-one")
    step(login("editor@alpha.test"), article, "submit")
    return article


def signed(app, article_id: int) -> bool:
    return bool(revisions_of(app, article_id)[-1].signed_off_at)


def test_a_reviewer_for_german_signs_off_german_text_only(app, sites, login):
    make_user(app, "de.reviewer@alpha.test", site="alpha", roles=["reviewer"], locales=["de"], name="Dr. Weber")
    german = german_draft_in_review(app, login)
    step(login("editor@alpha.test"), sites.alpha_draft, "submit")
    reviewer = login("de.reviewer@alpha.test")

    screen = reviewer.get(f"/admin/alpha/articles/{sites.alpha_draft}/review").get_data(as_text=True)
    assert "Sign off medical review" not in screen
    assert "You review German on this site; this text is in English" in screen
    refused = step(reviewer, sites.alpha_draft, "sign-off")  # posted anyway, as a forged form would
    assert "a reviewer for that language must sign it off" in refused.get_data(as_text=True)
    assert not signed(app, sites.alpha_draft)

    assert "Sign off medical review" in reviewer.get(f"/admin/alpha/articles/{german}/review").get_data(as_text=True)
    assert "Medical review signed off." in step(reviewer, german, "sign-off").get_data(as_text=True)
    assert signed(app, german)


def test_narrowing_a_role_takes_effect_on_the_next_click(app, sites, login):
    """The screen was opened under the old role: the sign-off still checks the new one."""
    reviewer = login("reviewer@alpha.test")
    step(login("editor@alpha.test"), sites.alpha_draft, "submit")
    assert "Sign off medical review" in reviewer.get(
        f"/admin/alpha/articles/{sites.alpha_draft}/review").get_data(as_text=True)
    admin = login("site_admin@alpha.test")
    assert admin.post("/admin/alpha/members", {"email": "reviewer@alpha.test", "role": "reviewer",
                                               "locales": "de"}).status_code == 302
    assert "a reviewer for that language must sign it off" in step(
        reviewer, sites.alpha_draft, "sign-off").get_data(as_text=True)
    assert not signed(app, sites.alpha_draft)


def test_the_members_page_sets_and_clears_a_roles_languages(app, sites, login):
    admin = login("site_admin@alpha.test")

    def languages(email: str, role: str):
        with app.app_context():
            sess = db.session()
            return sess.scalar(select(Membership.locales).join(User, User.id == Membership.user_id).where(
                User.email == email, Membership.role == role))

    page = admin.get("/admin/alpha/members").get_data(as_text=True)
    assert 'name="locales" type="checkbox" value="de"' in page
    assert admin.post("/admin/alpha/members", {"email": "translator@alpha.test", "role": "translator",
                                               "locales": "de"}).status_code == 302
    assert languages("translator@alpha.test", "translator") == ["de"]
    assert "only German" in admin.get("/admin/alpha/members").get_data(as_text=True)
    # every language the site has is the same as no limit (and covers languages added later)
    assert admin.post("/admin/alpha/members", {"email": "translator@alpha.test", "role": "translator",
                                               "locales": ["de", "en"]}).status_code == 302
    assert languages("translator@alpha.test", "translator") == []
    for bad, words in [({"role": "editor", "locales": "de"}, "nly medical reviewers and translators"),
                       ({"role": "reviewer", "locales": "fr"}, "does not publish in fr")]:
        response = admin.post("/admin/alpha/members", {"email": "reviewer@alpha.test", **bad})
        assert response.status_code == 422 and words in response.get_data(as_text=True), bad
    assert languages("reviewer@alpha.test", "reviewer") == []  # refusals change nothing
    with app.app_context():
        granted = db.session().scalars(select(AuditEvent.detail).where(
            AuditEvent.action == "member.granted", AuditEvent.target == "translator@alpha.test")).all()
    assert {"role": "translator", "locales": ["de"]} in granted


def test_a_translator_for_one_language_edits_only_that_one(app, sites, create_site, login):
    create_site("gamma", name="Gamma", locales=("en", "de", "fr"))
    make_user(app, "fr.translator@gamma.test", site="gamma", roles=["translator"], locales=["fr"])
    german = add_article(app, "gamma", "schlaf", locale="de", status="draft", title="Schlaf")
    french = add_article(app, "gamma", "sommeil", locale="fr", status="draft", title="Sommeil")
    translator = login("fr.translator@gamma.test", host="gamma.localhost")
    for article, expected in ((german, 403), (french, 302)):
        form = form_of(translator, article, site="gamma", summary="Changed.")
        assert translator.post(f"/admin/gamma/articles/{article}", form).status_code == expected
    assert article_row(app, german).summary != "Changed."
    assert article_row(app, french).summary == "Changed."


def test_the_queue_of_a_reviewer_for_one_language(app, sites, login):
    make_user(app, "de.reviewer@alpha.test", site="alpha", roles=["reviewer"], locales=["de"])
    german_draft_in_review(app, login)
    step(login("editor@alpha.test"), sites.alpha_draft, "submit")
    mine = login("de.reviewer@alpha.test").get("/admin/alpha/review").get_data(as_text=True)
    waiting = mine.split('id="waiting"')[1].split("</section>")[0]
    assert "Entwurf" in waiting and "Draft one" not in waiting
    assert "You review German on this site" in mine
    everyone = login("reviewer@alpha.test").get("/admin/alpha/review").get_data(as_text=True)
    waiting = everyone.split('id="waiting"')[1].split("</section>")[0]
    assert "Entwurf" in waiting and "Draft one" in waiting


def test_the_cli_grants_a_role_for_some_languages(app, sites, cli):
    result = cli("user", "grant", "editor@alpha.test", "--site", "alpha", "--role", "reviewer", "--locale", "de")
    assert result.exit_code == 0, result.output
    assert "is now reviewer for de on alpha" in result.output
    assert "alpha: reviewer (de)" in " ".join(cli("user", "list").output.split())
    refused = cli("user", "grant", "editor@alpha.test", "--site", "alpha", "--role", "editor", "--locale", "de")
    assert refused.exit_code != 0 and "only medical reviewers and translators" in refused.output

"""Network admins manage accounts in the browser (issue 19, item 2): disable,
enable, rename, a mailed password-reset link and the invitation sent again,
each a CSRF-checked POST, audited, and said in words, with addresses as stored;
through the real app, database and SMTP server."""

from __future__ import annotations

import re

import pytest
from admin_support import FAST_ARGON2, PASSWORD, TOKEN, AdminClient, login, make_user, sites, user_row  # noqa: F401
from http_support import free_port
from mail_support import app, smtp  # noqa: F401  (fixtures: the app sends through the test's SMTP server)
from sqlalchemy import func, select

from clinicjournal.store import db
from clinicjournal.store.models import AccountToken, AdminSession, AuditEvent, User

NEW_PASSWORD = "lantern orchard velvet quarry"
ACTIONS = ("name", "disable", "enable", "password-reset", "invitation", "shared-translations")


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def notices(response) -> list[str]:
    """The flashed messages and refusals of a page, as read."""
    found = re.findall(r'<(?:p|div) class="notice notice--\w+"[^>]*>(.*?)</(?:p|div)>', response.get_data(as_text=True),
                       re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", n).split()) for n in found]


def user_id(app, email: str) -> int:
    return user_row(app, email).id


def sessions_of(app, email: str) -> int:
    with app.app_context():
        sess = db.session()
        return sess.scalar(select(func.count()).select_from(AdminSession).join(User, User.id == AdminSession.user_id)
                           .where(User.email == email))


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        sess = db.session()
        rows = list(sess.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
        sess.expunge_all()
        return rows


def state(app) -> tuple:
    """Everything the network actions could change."""
    with app.app_context():
        sess = db.session()
        return (sess.execute(select(User.id, User.email, User.name, User.active, User.password_hash)
                             .order_by(User.id)).all(),
                sess.scalar(select(func.count()).select_from(AdminSession)),
                sess.scalar(select(func.count()).select_from(AccountToken)),
                sess.scalar(select(func.count()).select_from(AuditEvent)))


def test_disabling_ends_every_session_at_once_and_enabling_revives_none(app, sites, login):
    laptop, phone = login("editor@alpha.test"), login("editor@alpha.test")
    network = login(sites.network)
    editor = user_id(app, "editor@alpha.test")
    assert network.get("/admin/accounts").get_data(as_text=True).count(f'href="/admin/accounts/{editor}"') == 1

    response = network.post(f"/admin/accounts/{editor}/disable", follow_redirects=True)
    assert response.status_code == 200
    assert notices(response) == ["editor@alpha.test can no longer sign in, and every session of the account has "
                                 "ended. Its roles and its work are kept."]
    assert sessions_of(app, "editor@alpha.test") == 0
    for browser in (laptop, phone):
        assert browser.get("/admin/alpha/").headers["Location"].startswith("/admin/login")
    assert "do not match an account" in AdminClient(app).post(
        "/admin/login", {"email": "editor@alpha.test", "password": PASSWORD}).get_data(as_text=True)
    [event] = events(app, "user.disabled")
    assert (event.actor, event.target) == (sites.network, "editor@alpha.test")
    assert user_row(app, "editor@alpha.test").memberships  # roles are kept

    response = network.post(f"/admin/accounts/{editor}/enable", follow_redirects=True)
    assert notices(response) == ["editor@alpha.test can sign in again."]
    assert laptop.get("/admin/alpha/").status_code == 302  # the old session stays ended
    AdminClient(app).login("editor@alpha.test")
    assert [e.target for e in events(app, "user.enabled")] == ["editor@alpha.test"]
    again = network.post(f"/admin/accounts/{editor}/enable", follow_redirects=True)
    assert notices(again) == ["Nothing changed."] and len(events(app, "user.enabled")) == 1


def test_the_last_site_admin_of_a_site_cannot_be_disabled(app, sites, login):
    site_admin = login("site_admin@alpha.test")
    network = login(sites.network)
    before = state(app)
    response = network.post(f"/admin/accounts/{user_id(app, 'site_admin@alpha.test')}/disable")
    assert response.status_code == 422
    [refusal] = notices(response)
    assert refusal.startswith("Nothing was changed. This would leave Alpha Clinic without a site admin, as "
                              "site_admin@alpha.test is its last one")
    assert 'href="/admin/alpha/members"' in response.get_data(as_text=True)
    assert state(app) == before
    assert site_admin.get("/admin/alpha/").status_code == 200  # still signed in

    # an invited site admin who has not chosen a password signs nobody in: still the last one
    admin = login("site_admin@alpha.test")
    assert admin.post("/admin/alpha/members", {"email": "invited@alpha.test", "role": "site_admin"}).status_code == 302
    response = network.post(f"/admin/accounts/{user_id(app, 'site_admin@alpha.test')}/disable")
    assert response.status_code == 422 and user_row(app, "site_admin@alpha.test").active

    # with a second site admin who can sign in, the first can go
    make_user(app, "second@alpha.test", site="alpha", roles=["site_admin"])
    response = network.post(f"/admin/accounts/{user_id(app, 'site_admin@alpha.test')}/disable")
    assert response.status_code == 302 and not user_row(app, "site_admin@alpha.test").active


def test_a_network_admin_cannot_disable_their_own_account(app, sites, login):
    network = login(sites.network)
    own = user_id(app, sites.network)
    page = network.get(f"/admin/accounts/{own}").get_data(as_text=True)
    assert "You cannot disable your own account; another network admin can." in page
    assert f"/admin/accounts/{own}/disable" not in page
    before = state(app)
    response = network.post(f"/admin/accounts/{own}/disable")
    assert response.status_code == 422
    assert notices(response) == ["Nothing was changed. You cannot disable your own account; another network "
                                 "admin can"]
    assert state(app) == before and network.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", ["site_admin", "editor", "reviewer", "translator"])
def test_site_members_cannot_use_the_network_actions(app, sites, login, smtp, role):
    attacker = login(f"{role}@alpha.test")
    victim = user_id(app, "editor@beta.test")
    before = state(app)
    assert attacker.get(f"/admin/accounts/{victim}").status_code == 403
    for action in ACTIONS:
        response = attacker.post(f"/admin/accounts/{victim}/{action}", {"name": "Hijacked"})
        assert response.status_code == 403, action
    assert state(app) == before
    assert smtp.wait_for(1, timeout=0.5) == []


def test_network_actions_need_the_sessions_own_csrf_token(app, sites, login):
    network = login(sites.network)
    editor = user_id(app, "editor@alpha.test")
    stale = TOKEN.search(network.get("/admin/accounts").get_data(as_text=True)).group(1)
    network.post("/admin/logout")
    network.login(sites.network)  # a new session: the form opened before belongs to the old one
    before = state(app)
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": stale}):
        response = network.post(f"/admin/accounts/{editor}/disable", data, csrf=False)
        assert response.status_code == 400
        assert "This form has expired" in text_of(response)
    assert state(app) == before


def test_an_unknown_account_is_not_found(app, sites, login):
    network = login(sites.network)
    assert network.get("/admin/accounts/999999").status_code == 404
    for action in ACTIONS:
        assert network.post(f"/admin/accounts/999999/{action}", {"name": "x"}).status_code == 404


def test_rename_changes_what_readers_see_on_the_next_sign_off(app, sites, login):
    network, editor, reviewer = login(sites.network), login("editor@alpha.test"), login("reviewer@alpha.test")
    target = user_id(app, "reviewer@alpha.test")
    response = network.post(f"/admin/accounts/{target}/name", {"name": "  Dr. Amina Haddad "}, follow_redirects=True)
    assert notices(response) == ["reviewer@alpha.test is now called Dr. Amina Haddad."]
    assert user_row(app, "reviewer@alpha.test").name == "Dr. Amina Haddad"
    [event] = events(app, "user.renamed")
    assert event.detail == {"before": "Reviewer of alpha", "after": "Dr. Amina Haddad"}

    from admin_support import article_row, form_of, reader

    article = sites.alpha_draft
    editor.post(f"/admin/alpha/articles/{article}", {**form_of(editor, article), "action": "submit"})
    reviewer.post(f"/admin/alpha/articles/{article}/sign-off", {"version": str(article_row(app, article).version)})
    editor.post(f"/admin/alpha/articles/{article}/publish",
                {"version": str(article_row(app, article).version), "mode": "now"})
    assert "Medically reviewed by <bdi>Dr. Amina Haddad</bdi>" in reader(app, "/en/draft-one/").get_data(as_text=True)


@pytest.mark.parametrize("name,refusal", [
    ("   ", "Enter a full name, such as Dr. Amina Haddad"),
    ("Dr. \x07Haddad", "The full name contains the control character U+0007; remove it"),
    ("x" * 201, "The full name may have at most 200 characters"),
])
def test_a_name_that_cannot_be_is_refused_and_kept_in_the_form(app, sites, login, name, refusal):
    network = login(sites.network)
    before = state(app)
    response = network.post(f"/admin/accounts/{user_id(app, 'reviewer@alpha.test')}/name", {"name": name})
    assert response.status_code == 422
    assert refusal in text_of(response)
    assert state(app) == before


def test_a_password_reset_link_mailed_by_a_network_admin(app, sites, login, smtp):
    network = login(sites.network)
    response = network.post(f"/admin/accounts/{user_id(app, 'editor@alpha.test')}/password-reset",
                            follow_redirects=True)
    assert notices(response) == ["A link to choose a new password was sent to editor@alpha.test. It works once, "
                                 "for 60 minutes; until it is used the password stays as it is."]
    [mail] = smtp.wait_for(1)
    assert mail.recipients == ["editor@alpha.test"] and mail.subject == "Choose a new password"
    assert "Network Admin, a network admin of the clinic journals, sent you a link" in mail.text
    assert PASSWORD not in mail.text
    AdminClient(app).login("editor@alpha.test")  # the password is untouched until the link is used
    [event] = events(app, "user.password_reset_sent")
    assert (event.actor, event.target) == (sites.network, "editor@alpha.test")

    owner = AdminClient(app)
    link = mail.link("/admin/password/reset/").split("alpha.localhost", 1)[1]
    response = owner.post(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert owner.get("/admin/alpha/").status_code == 200
    AdminClient(app).login("editor@alpha.test", NEW_PASSWORD)
    assert AdminClient(app).post(link, {"password": PASSWORD * 2, "password_confirm": PASSWORD * 2}).status_code == 404


def test_no_reset_link_for_a_disabled_or_invited_account(app, sites, login, smtp):
    network = login(sites.network)
    editor = user_id(app, "editor@alpha.test")
    network.post(f"/admin/accounts/{editor}/disable")
    before = state(app)
    response = network.post(f"/admin/accounts/{editor}/password-reset")
    assert response.status_code == 422
    assert "editor@alpha.test is disabled, so a link would not open the account; enable it first." in text_of(response)
    network.post("/admin/accounts/invite", {"email": "new@alpha.test"})
    smtp.wait_for(1)
    before = state(app)
    response = network.post(f"/admin/accounts/{user_id(app, 'new@alpha.test')}/password-reset")
    assert response.status_code == 422
    assert "new@alpha.test has not chosen a password yet; send the invitation again instead." in text_of(response)
    assert state(app) == before
    assert len(smtp.wait_for(2, timeout=0.5)) == 1  # only the invitation


def test_the_invitation_sent_again_replaces_the_first_link(app, sites, login, smtp):
    network = login(sites.network)
    response = network.post("/admin/accounts/invite", {"email": "Dr.Haddad@Clinic.test", "site": "alpha",
                                                       "role": "reviewer"}, follow_redirects=True)
    assert notices(response)[0].startswith("Invitation sent to dr.haddad@clinic.test.")  # as stored, not "Dr.haddad"
    [first] = smtp.wait_for(1)
    invited = user_id(app, "dr.haddad@clinic.test")
    page = network.get(f"/admin/accounts/{invited}").get_data(as_text=True)
    assert "the link in the invitation works until" in page and "Send a password-reset link" not in page

    response = network.post(f"/admin/accounts/{invited}/invitation", follow_redirects=True)
    assert notices(response) == ["Invitation sent to dr.haddad@clinic.test. The link in it works for 7 days."]
    second = smtp.wait_for(2)[1]
    assert second.subject == "You are invited to the journal of Alpha Clinic"  # about the role, as the first
    assert "Network Admin invites you to work on the journal of Alpha Clinic as medical reviewer." in second.text
    old, new = (m.link("/admin/welcome/").split("alpha.localhost", 1)[1] for m in (first, second))
    assert AdminClient(app).get(old).status_code == 404
    person = AdminClient(app)
    assert person.post(new, {"name": "Dr. Amina Haddad", "password": NEW_PASSWORD,
                             "password_confirm": NEW_PASSWORD}).status_code == 302
    assert [e.target for e in events(app, "user.invitation_resent")] == ["dr.haddad@clinic.test"]

    before = state(app)
    response = network.post(f"/admin/accounts/{invited}/invitation")
    assert response.status_code == 422
    assert ("dr.haddad@clinic.test has already chosen a password, so there is no invitation to send; send a "
            "password-reset link instead.") in text_of(response)
    assert state(app) == before and len(smtp.wait_for(3, timeout=0.5)) == 2


def test_a_mail_server_that_refuses_is_said_at_once(make_app, sites, smtp):
    down = make_app(ARGON2_PARAMETERS=FAST_ARGON2, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                    MAIL_PORT=free_port())  # nothing listens there
    network = AdminClient(down)
    network.login(sites.network)
    response = network.post(f"/admin/accounts/{user_id(down, 'editor@alpha.test')}/password-reset",
                            follow_redirects=True)
    assert notices(response) == ["The link for editor@alpha.test could not be sent: the mail server refused it. "
                                 "Check the mail settings (see the deployment guide), then try again."]
    main = response.get_data(as_text=True).split('<main', 1)[1]
    assert "clinicjournal " not in main  # what to do, not a command to run


def test_the_cli_disable_and_enable_share_the_rule_and_end_sessions(app, sites, login, cli):
    browser = login("editor@alpha.test")
    assert cli("user", "disable", "editor@alpha.test").exit_code == 0
    assert sessions_of(app, "editor@alpha.test") == 0
    assert cli("user", "enable", "editor@alpha.test").exit_code == 0
    assert browser.get("/admin/alpha/").status_code == 302  # an enable revives no old session
    result = cli("user", "disable", "site_admin@alpha.test")
    assert result.exit_code != 0 and "clinicjournal user grant OTHER-EMAIL --site alpha" in result.output


def test_a_network_admin_lets_a_translator_edit_the_shared_catalogs_of_chosen_languages(app, sites, login):
    network, translator = login(sites.network), login("translator@alpha.test")
    target = user_id(app, "translator@alpha.test")
    shared = "/admin/alpha/translations/core/de?scope=shared"
    assert translator.get(shared).status_code == 403  # a site's translator edits the site's own wording only
    page = network.get(f"/admin/accounts/{target}").get_data(as_text=True)
    assert 'value="de"' in page and 'value="ar"' in page  # every language the shared catalogs have

    response = network.post(f"/admin/accounts/{target}/shared-translations", {"locales": ["de", "xx"]},
                            follow_redirects=True)
    assert notices(response) == ["Saved: translator@alpha.test edits the shared translations of the languages "
                                 "ticked."]
    assert translator.get(shared).status_code == 200
    assert translator.get("/admin/alpha/translations/core/ar?scope=shared").status_code in (403, 404)
    assert [(e.actor, e.target, e.detail.get("locale")) for e in events(app, "translation.granted")] == [
        (sites.network, "translator@alpha.test", "de")]  # the forged code is ignored
    again = network.post(f"/admin/accounts/{target}/shared-translations", {"locales": ["de"]}, follow_redirects=True)
    assert notices(again) == ["Nothing changed."]

    network.post(f"/admin/accounts/{target}/shared-translations", {})
    assert translator.get(shared).status_code == 403
    assert [e.target for e in events(app, "translation.grant_removed")] == ["translator@alpha.test"]

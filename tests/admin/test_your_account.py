"""Your account (issue 19, item 2): every signed-in user changes their own name
and password, keeps their notifications, and sees and ends their own sessions
only; through the real app and database."""

from __future__ import annotations

import re

import pytest
from admin_support import PASSWORD, TOKEN, AdminClient, app, login, sites, user_row  # noqa: F401  (fixtures)
from sqlalchemy import select

from clinicjournal.store import db
from clinicjournal.store.models import AdminSession, AuditEvent, User, UserPreferences

NEW_PASSWORD = "lantern orchard velvet quarry"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")


def notices(response) -> list[str]:
    found = re.findall(r'<p class="notice notice--\w+"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", n).split()) for n in found]


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def browser(app, email: str, agent: str = "", address: str = "10.0.0.1") -> AdminClient:
    """A signed-in browser with its own User-Agent and network address."""
    client = AdminClient(app, address=address)
    if agent:
        client.client.environ_base["HTTP_USER_AGENT"] = agent
    client.login(email)
    return client


def session_ids(app, email: str) -> list[int]:
    with app.app_context():
        sess = db.session()
        return list(sess.scalars(select(AdminSession.id).join(User, User.id == AdminSession.user_id)
                                 .where(User.email == email).order_by(AdminSession.id)))


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session().scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.mark.parametrize("role", ["site_admin", "editor", "reviewer", "translator"])
def test_every_member_has_their_account_page_in_the_top_bar(app, sites, login, role):
    client = login(f"{role}@alpha.test")
    page = client.get("/admin/alpha/").get_data(as_text=True)
    assert '<a class="adm-user__link" href="/admin/account">Your account</a>' in page
    response = client.get("/admin/account")
    assert response.status_code == 200
    assert (f'You sign in with your e-mail address, <bdi dir="ltr">{role}@alpha.test</bdi>.'
            in response.get_data(as_text=True))
    # the address every notification mail links to leads to the section
    assert client.get("/admin/notifications").headers["Location"] == "/admin/account#notifications"


def test_signed_out_visitors_are_sent_to_sign_in(app, sites):
    visitor = AdminClient(app)
    assert visitor.get("/admin/account").headers["Location"] == "/admin/login?next=/admin/account"
    assert visitor.post("/admin/account/name", {"name": "x"}).headers["Location"] == "/admin/login"


def test_your_own_name(app, sites, login):
    client = login("reviewer@alpha.test")
    response = client.post("/admin/account/name", {"name": "Dr. Amina Haddad"}, follow_redirects=True)
    assert notices(response) == ["Your name is now Dr. Amina Haddad."]
    assert user_row(app, "reviewer@alpha.test").name == "Dr. Amina Haddad"
    assert 'value="Dr. Amina Haddad"' in response.get_data(as_text=True)
    refused = client.post("/admin/account/name", {"name": " "})
    assert refused.status_code == 422 and "Enter a full name, such as Dr. Amina Haddad" in text_of(refused)
    assert user_row(app, "reviewer@alpha.test").name == "Dr. Amina Haddad"
    assert actions(app).count("user.renamed") == 1


def test_changing_your_password_ends_every_other_session_and_keeps_this_one(app, sites):
    here, phone = browser(app, "editor@alpha.test"), browser(app, "editor@alpha.test", SAFARI)
    response = here.post("/admin/account/password", {"current_password": PASSWORD, "password": NEW_PASSWORD,
                                                     "password_confirm": NEW_PASSWORD}, follow_redirects=True)
    assert notices(response) == ["Your password is changed. Every other session of your account has ended; this "
                                 "one stays signed in."]
    assert here.get("/admin/alpha/").status_code == 200
    assert phone.get("/admin/alpha/").status_code == 302
    assert len(session_ids(app, "editor@alpha.test")) == 1
    AdminClient(app).login("editor@alpha.test", NEW_PASSWORD)
    AdminClient(app).login("editor@alpha.test", PASSWORD, expect=200)  # the old one no longer opens it
    assert "user.password_changed" in actions(app)


@pytest.mark.parametrize("form,refusal", [
    ({"current_password": "not my password", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
     "That is not your current password."),
    ({"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "!"},
     "The two passwords are not the same."),
    ({"current_password": PASSWORD, "password": "password1234", "password_confirm": "password1234"},
     "This password is too easy to guess"),
    ({"current_password": PASSWORD, "password": "short", "password_confirm": "short"},
     "The password must have at least 10 characters"),
])
def test_a_password_change_that_cannot_be_changes_nothing(app, sites, form, refusal):
    here, phone = browser(app, "editor@alpha.test"), browser(app, "editor@alpha.test")
    before = user_row(app, "editor@alpha.test").password_hash
    response = here.post("/admin/account/password", form)
    assert response.status_code == 422
    assert refusal in text_of(response)
    assert user_row(app, "editor@alpha.test").password_hash == before
    assert phone.get("/admin/alpha/").status_code == 200  # no session ended
    assert "user.password_changed" not in actions(app)


def test_guessing_the_current_password_is_paused_like_signing_in(app, sites):
    """A session left open on a shared computer gives no unlimited guesses."""
    here = browser(app, "editor@alpha.test")
    before = user_row(app, "editor@alpha.test").password_hash
    wrong = {"current_password": "guess", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert "That is not your current password." in text_of(here.post("/admin/account/password", wrong))
    paused = here.post("/admin/account/password", wrong)
    assert "Too many wrong passwords. For your security, try again in" in text_of(paused)
    right = here.post("/admin/account/password", {**wrong, "current_password": PASSWORD})
    assert right.status_code == 422 and "Too many wrong passwords" in text_of(right)
    assert user_row(app, "editor@alpha.test").password_hash == before
    AdminClient(app).login("editor@alpha.test", PASSWORD, expect=429)  # signing in from here waits too


def test_your_sessions_are_listed_with_their_browser_and_address(app, sites):
    here = browser(app, "editor@alpha.test", FIREFOX, "192.0.2.7")
    browser(app, "editor@alpha.test", SAFARI, "198.51.100.4")
    browser(app, "reviewer@alpha.test", SAFARI, "203.0.113.9")  # someone else's
    page = text_of(here.get("/admin/account"))
    assert "Firefox on Windows this session Network address 192.0.2.7" in page
    assert "Safari on iOS Network address 198.51.100.4" in page
    assert "203.0.113.9" not in page
    assert page.count("this session") == 1


def test_ending_another_of_your_sessions_signs_that_browser_out(app, sites):
    here, phone = browser(app, "editor@alpha.test"), browser(app, "editor@alpha.test", SAFARI)
    here_id, phone_id = session_ids(app, "editor@alpha.test")
    response = here.post(f"/admin/account/sessions/{phone_id}/end", follow_redirects=True)
    assert notices(response) == ["That session has ended: the browser that used it is signed out."]
    assert phone.get("/admin/alpha/").status_code == 302
    assert here.get("/admin/alpha/").status_code == 200
    assert session_ids(app, "editor@alpha.test") == [here_id]
    assert "user.session_ended" in actions(app)


def test_nobody_ends_or_sees_someone_elses_session(app, sites):
    editor = browser(app, "editor@alpha.test")
    [editors] = session_ids(app, "editor@alpha.test")
    for email in ("reviewer@alpha.test", "site_admin@alpha.test", sites.network):
        other = browser(app, email)
        assert f"/admin/account/sessions/{editors}/end" not in other.get("/admin/account").get_data(as_text=True)
        assert other.post(f"/admin/account/sessions/{editors}/end").status_code == 404
    assert browser(app, "reviewer@alpha.test").post("/admin/account/sessions/999999/end").status_code == 404
    assert editor.get("/admin/alpha/").status_code == 200
    assert session_ids(app, "editor@alpha.test") == [editors]
    assert "user.session_ended" not in actions(app)


def test_ending_this_session_signs_you_out(app, sites):
    here = browser(app, "editor@alpha.test")
    [this] = session_ids(app, "editor@alpha.test")
    response = here.post(f"/admin/account/sessions/{this}/end")
    assert response.headers["Location"] == "/admin/login"
    assert here.get("/admin/alpha/").status_code == 302 and session_ids(app, "editor@alpha.test") == []


def test_end_all_other_sessions(app, sites):
    here = browser(app, "editor@alpha.test")
    others = [browser(app, "editor@alpha.test", agent) for agent in (FIREFOX, SAFARI)]
    reviewer = browser(app, "reviewer@alpha.test")
    response = here.post("/admin/account/sessions/end-others", follow_redirects=True)
    assert notices(response) == ["2 other sessions ended; this one stays signed in."]
    assert all(o.get("/admin/alpha/").status_code == 302 for o in others)
    assert here.get("/admin/alpha/").status_code == 200 and reviewer.get("/admin/alpha/").status_code == 200
    again = here.post("/admin/account/sessions/end-others", follow_redirects=True)
    assert notices(again) == ["You had no other sessions."]
    assert "End all other sessions" not in again.get_data(as_text=True)


def test_your_account_forms_need_this_sessions_csrf_token(app, sites):
    here, phone = browser(app, "editor@alpha.test"), browser(app, "editor@alpha.test")
    stale = TOKEN.search(phone.get("/admin/account").get_data(as_text=True)).group(1)  # another session's form
    before = user_row(app, "editor@alpha.test")
    forms = {"/admin/account/password": {"current_password": PASSWORD, "password": NEW_PASSWORD,
                                         "password_confirm": NEW_PASSWORD},
             "/admin/account/name": {"name": "Hijacked"}, "/admin/account/sessions/end-others": {},
             f"/admin/account/sessions/{session_ids(app, 'editor@alpha.test')[1]}/end": {}}
    for path, form in forms.items():
        for token in (None, "forged", stale):
            data = form if token is None else {**form, "csrf_token": token}
            assert here.post(path, data, csrf=False).status_code == 400, (path, token)
    after = user_row(app, "editor@alpha.test")
    assert (after.name, after.password_hash) == (before.name, before.password_hash)
    assert phone.get("/admin/alpha/").status_code == 200


def test_notifications_are_saved_from_the_account_page(app, sites, login):
    client = login("reviewer@alpha.test")
    page = client.get("/admin/account").get_data(as_text=True)
    assert 'id="notifications"' in page and 'action="/admin/notifications"' in page
    response = client.post("/admin/notifications", {"locale": "de", "notify": ["weekly_digest"]})
    assert response.headers["Location"] == "/admin/account"
    with app.app_context():
        row = db.session().get(UserPreferences, user_row(app, "reviewer@alpha.test").id)
        assert row.locale == "de" and row.notifications["weekly_digest"] and not row.notifications["review_requested"]

"""Invitations and password resets, through a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from admin_support import PASSWORD, AdminClient, login, make_user, sites, user_row  # noqa: F401  (fixtures)
from mail_support import app, smtp  # noqa: F401  (fixtures)
from sqlalchemy import select, update

from clinicjournal.store import db
from clinicjournal.store.models import AccountToken, AuditEvent, User

NEW_PASSWORD = "lantern orchard velvet quarry"


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path


def test_invite_choose_a_password_and_sign_in(app, sites, cli, smtp, monkeypatch):
    monkeypatch.delenv("CLINICJOURNAL_NEW_PASSWORD", raising=False)
    result = cli("user", "invite", "Dr.Haddad@Clinic.test", "--site", "alpha", "--role", "reviewer",
                 "--name", "Dr. Amina Haddad")
    assert result.exit_code == 0, result.output
    assert "Invitation sent to dr.haddad@clinic.test" in result.output
    [mail] = smtp.messages
    assert mail.recipients == ["dr.haddad@clinic.test"]
    assert mail.subject == "You are invited to the journal of Alpha Clinic"
    assert "as medical reviewer" in mail.text and "Hello Dr. Amina Haddad," in mail.text
    assert mail.html.startswith("<!doctype html>") and 'lang="en"' in mail.html
    link = mail.link("/admin/welcome/")
    token = path_of(link).rsplit("/", 1)[1]
    with app.app_context():  # only a hash of the token is stored
        assert db.session().scalar(select(AccountToken.token_hash)) != token
    invited = user_row(app, "dr.haddad@clinic.test")
    assert invited.password_hash == ""  # no password until the person chooses one
    AdminClient(app).login("dr.haddad@clinic.test", "", expect=200)  # nobody can sign in meanwhile

    browser = AdminClient(app)
    page = browser.get(path_of(link))
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    weak = browser.post(path_of(link), {"name": "Dr. Amina Haddad", "password": "password1234",
                                        "password_confirm": "password1234"})
    assert weak.status_code == 422 and "too easy to guess" in weak.get_data(as_text=True)
    done = browser.post(path_of(link), {"name": "Dr. Amina Haddad", "password": NEW_PASSWORD,
                                        "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert browser.get("/admin/alpha/").status_code == 200  # signed in, with the role the invitation gave
    assert AdminClient(app).get(path_of(link)).status_code == 404  # single use
    AdminClient(app).login("dr.haddad@clinic.test", NEW_PASSWORD)
    with app.app_context():
        actions = [e.action for e in db.session().scalars(select(AuditEvent).where(
            AuditEvent.target == "dr.haddad@clinic.test").order_by(AuditEvent.id))]
    assert actions[:3] == ["member.granted", "user.invited", "user.invitation_accepted"]


def test_the_accounts_page_invites_in_the_sites_language(app, sites, create_site, login, smtp):
    create_site("gamma", name="Gamma Praxis", locales=("de", "en"))
    network = login(sites.network)
    page = network.get("/admin/accounts").get_data(as_text=True)
    assert 'name="password"' not in page  # nobody hands a password over any more
    response = network.post("/admin/accounts/invite", {"email": "Anna@Gamma.test", "name": "Anna",
                                                       "site": "gamma", "role": "reviewer"})
    assert response.status_code == 302, response.get_data(as_text=True)
    [mail] = smtp.messages
    assert mail.recipients == ["anna@gamma.test"]
    assert mail.message["Content-Language"] == "de" and 'lang="de"' in mail.html
    assert "Medizinische Prüfung" in mail.text  # the role in the recipient's language
    assert mail.link("/admin/welcome/").startswith("http://alpha.localhost/admin/welcome/")
    listing = network.get("/admin/accounts").get_data(as_text=True)
    assert "anna@gamma.test" in listing and "invited" in listing
    # an account already in use is not invited again
    refused = network.post("/admin/accounts/invite", {"email": "editor@alpha.test", "site": "", "role": ""})
    assert refused.status_code == 422 and len(smtp.messages) == 1


def test_inviting_again_retires_the_first_link(app, sites, cli, smtp):
    assert cli("user", "invite", "late@clinic.test").exit_code == 0
    assert cli("user", "invite", "late@clinic.test").exit_code == 0
    first, second = (path_of(m.link("/admin/welcome/")) for m in smtp.messages)
    assert AdminClient(app).get(first).status_code == 404
    assert AdminClient(app).get(second).status_code == 200


def test_user_create_invites_unless_a_password_is_asked_for(app, sites, cli, smtp, monkeypatch):
    monkeypatch.delenv("CLINICJOURNAL_NEW_PASSWORD", raising=False)
    result = cli("user", "create", "new@clinic.test", "--name", "New Person")
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output and smtp.to("new@clinic.test")
    assert user_row(app, "new@clinic.test").password_hash == ""


# -- forgot password ---------------------------------------------------------------------

def forgot(app, email: str, address: str = "10.0.0.9"):
    client = AdminClient(app, address=address)
    return client.post("/admin/password/forgot", {"email": email}, buffered=True)


def answer_text(response, email: str) -> str:
    return response.get_data(as_text=True).replace(email, "EMAIL")


def test_forgot_password_answers_alike_and_mails_only_an_account(app, sites, smtp):
    known = forgot(app, "editor@alpha.test")
    unknown = forgot(app, "nobody@alpha.test")
    assert known.status_code == unknown.status_code == 200
    assert answer_text(known, "editor@alpha.test") == answer_text(unknown, "nobody@alpha.test")
    [mail] = smtp.wait_for(1)
    smtp.wait_for(2, timeout=0.5)
    assert [m.recipients for m in smtp.messages] == [["editor@alpha.test"]]
    assert mail.subject == "Choose a new password"
    link = path_of(mail.link("/admin/password/reset/"))

    signed_in = AdminClient(app)
    signed_in.login("editor@alpha.test")
    browser = AdminClient(app)
    assert browser.post(link, {"password": NEW_PASSWORD, "password_confirm": "other words"}).status_code == 422
    done = browser.post(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302 and browser.get("/admin/alpha/").status_code == 200
    assert signed_in.get("/admin/alpha/").status_code == 302  # the other session ended
    assert AdminClient(app).get(link).status_code == 404  # single use
    AdminClient(app).login("editor@alpha.test", NEW_PASSWORD)
    AdminClient(app).login("editor@alpha.test", PASSWORD, expect=200)


def test_a_reset_link_expires_and_dies_with_a_password_change(app, sites, smtp, cli, monkeypatch):
    forgot(app, "editor@alpha.test")
    forgot(app, "reviewer@alpha.test")
    first, second = smtp.wait_for(2)
    by_address = {m.recipients[0]: path_of(m.link("/admin/password/reset/")) for m in (first, second)}
    with app.app_context():
        sess = db.session()
        editor = sess.scalar(select(User.id).where(User.email == "editor@alpha.test"))
        sess.execute(update(AccountToken).where(AccountToken.user_id == editor)
                     .values(expires=dt.datetime(2000, 1, 1)))
        sess.commit()
    assert AdminClient(app).get(by_address["editor@alpha.test"]).status_code == 404
    reviewer_link = by_address["reviewer@alpha.test"]
    assert AdminClient(app).get(reviewer_link).status_code == 200
    monkeypatch.setenv("CLINICJOURNAL_NEW_PASSWORD", NEW_PASSWORD)
    assert cli("user", "password", "reviewer@alpha.test").exit_code == 0
    assert AdminClient(app).get(reviewer_link).status_code == 404


def test_reset_requests_are_throttled_per_address_and_per_client(app, sites, smtp):
    app.config.update(PASSWORD_RESET_MAX_PER_ACCOUNT=2, PASSWORD_RESET_MAX_PER_ADDRESS=5)
    answers = [forgot(app, "editor@alpha.test", address=f"10.0.1.{n}") for n in range(4)]
    assert {a.status_code for a in answers} == {200}
    assert len({answer_text(a, "editor@alpha.test") for a in answers}) == 1  # the page never tells
    smtp.wait_for(3, timeout=1)
    assert len(smtp.messages) == 2
    for n in range(5):
        assert forgot(app, f"person{n}@alpha.test", address="10.0.2.1").status_code == 200
    refused = forgot(app, "editor@alpha.test", address="10.0.2.1")
    assert refused.status_code == 429 and refused.headers["Retry-After"]


def test_the_sign_in_page_offers_a_reset(app, sites):
    page = AdminClient(app).get("/admin/login").get_data(as_text=True)
    assert 'href="/admin/password/forgot"' in page


@pytest.mark.parametrize("path", ["/admin/password/reset/not-a-token", "/admin/welcome/not-a-token"])
def test_unknown_links_open_nothing(app, sites, path):
    response = AdminClient(app).post(path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 404


def test_the_members_page_adds_people_without_revealing_who_has_an_account(app, sites, login, smtp):
    """Issue 16, 8d: the answer is the same for an address with an account on
    another site and for one nobody uses; the mail differs, and only its
    recipient reads it."""
    make_user(app, "known@beta.test", site="beta", roles=["editor"], name="Known Person")
    admin = login("site_admin@alpha.test")

    def add(email: str) -> str:
        response = admin.post("/admin/alpha/members", {"email": email, "role": "reviewer"}, buffered=True)
        assert response.status_code == 302 and response.headers["Location"] == "/admin/alpha/members"
        return admin.get("/admin/alpha/members").get_data(as_text=True)

    known, unknown = add("known@beta.test"), add("Nobody@Example.test")
    said = [" ".join(page.split('role="status"')[1].split("</")[0].split()) for page in (known, unknown)]
    assert said[0].replace("known@beta.test", "X") == said[1].replace("nobody@example.test", "X")
    assert "already has an account" not in unknown and "No account" not in unknown
    by_address = {m.recipients[0]: m for m in smtp.wait_for(2)}
    assert by_address["known@beta.test"].subject == "New role on the journal of Alpha Clinic"
    assert "/admin/welcome/" not in by_address["known@beta.test"].text  # no new password for them
    invitation = by_address["nobody@example.test"]
    assert invitation.subject == "You are invited to the journal of Alpha Clinic"
    assert AdminClient(app).get(path_of(invitation.link("/admin/welcome/"))).status_code == 200
    assert user_row(app, "nobody@example.test").password_hash == ""  # invited, not usable yet
    # a site admin cannot make anyone a network admin through the form
    assert not user_row(app, "nobody@example.test").is_network_admin
    again = admin.post("/admin/alpha/members", {"email": "known@beta.test", "role": "reviewer"},
                       follow_redirects=True).get_data(as_text=True)
    assert "already has that role" in again and len(smtp.wait_for(3, timeout=0.5)) == 2

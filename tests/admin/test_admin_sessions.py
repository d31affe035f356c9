"""Staff sessions that really end (issue 16, finding 3): a cookie copied before
sign-out, a password change, a lost role, "sign out everywhere", a disabled
account, the idle timeout and the lifetime each end it server-side, checked on
every admin request — on every worker, since the session is a database row."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from admin_support import TOKEN, AdminClient, app, login, sites  # noqa: F401  (fixtures)
from clinicjournal.admin import accounts
from clinicjournal.store import db
from clinicjournal.store.models import AdminSession, Article, User, utcnow


def copy_of(client: AdminClient, app) -> AdminClient:
    """Another browser holding a copy of ``client``'s cookie (stolen, or a second tab)."""
    thief = AdminClient(app, host=client.host)
    cookie = client.client.get_cookie("session", domain=client.host)
    thief.client.set_cookie("session", cookie.value, domain=client.host)
    return thief


def user_row(sess, email: str) -> User:
    return sess.scalar(select(User).where(User.email == email))


def live_sessions(app, email: str) -> int:
    with app.app_context():
        sess = db.session()
        return sess.scalar(select(func.count()).select_from(AdminSession)
                           .where(AdminSession.user_id == user_row(sess, email).id))


def test_a_cookie_copied_before_sign_out_opens_nothing_afterwards(app, sites, login):
    client = login("editor@alpha.test")
    thief = copy_of(client, app)
    form = thief.get("/admin/alpha/articles/new")
    assert form.status_code == 200  # the copy works while the session lives
    token = TOKEN.search(form.get_data(as_text=True)).group(1)
    assert client.post("/admin/logout").status_code == 302

    assert thief.get("/admin/alpha/").status_code == 302
    saved = thief.post("/admin/alpha/articles/new", {"csrf_token": token, "title": "Planted claim",
                                                      "slug": "planted", "locale": "en", "summary": "x",
                                                      "body": "A cure."}, csrf=False)
    assert saved.status_code in (302, 400)
    with app.app_context():
        assert db.session().scalar(select(Article).where(Article.slug == "planted")) is None
    assert live_sessions(app, "editor@alpha.test") == 0


def test_sign_out_everywhere_ends_the_other_browsers_too(app, sites, login):
    laptop = login("editor@alpha.test")
    phone = AdminClient(app)
    phone.login("editor@alpha.test")
    assert live_sessions(app, "editor@alpha.test") == 2
    assert laptop.post("/admin/logout", {"everywhere": "1"}).status_code == 302
    assert phone.get("/admin/alpha/").status_code == 302
    assert laptop.get("/admin/alpha/").status_code == 302
    assert live_sessions(app, "editor@alpha.test") == 0


def test_signing_out_one_browser_keeps_the_others(app, sites, login):
    laptop = login("editor@alpha.test")
    phone = AdminClient(app)
    phone.login("editor@alpha.test")
    assert laptop.post("/admin/logout").status_code == 302
    assert phone.get("/admin/alpha/").status_code == 200


def test_a_removed_role_ends_the_users_sessions(app, sites, login):
    client = login("editor@alpha.test")
    with app.app_context():
        sess = db.session()
        user = user_row(sess, "editor@alpha.test")
        site = next(m.site_id for m in user.memberships)
        from clinicjournal.store.models import Site

        accounts.revoke(sess, user, sess.get(Site, site))
        sess.commit()
    assert client.get("/admin/").status_code == 302
    assert live_sessions(app, "editor@alpha.test") == 0


def test_a_password_change_keeps_only_the_session_that_made_it(app, sites, login):
    client = login("editor@alpha.test")
    other = AdminClient(app)
    other.login("editor@alpha.test")
    token = client.client.get_cookie("session", domain=client.host)
    assert token is not None
    with app.app_context():
        sess = db.session()
        accounts.set_password(user_row(sess, "editor@alpha.test"), "a brand new password", accounts.hasher())
        sess.commit()
    assert other.get("/admin/alpha/").status_code == 302
    assert client.get("/admin/alpha/").status_code == 302  # no session kept: it was changed from outside


def test_a_disabled_account_is_signed_out_on_its_next_request(app, sites, login):
    client = login("editor@alpha.test")
    with app.app_context():
        sess = db.session()
        user_row(sess, "editor@alpha.test").active = False
        sess.commit()
    assert client.get("/admin/alpha/").status_code == 302


def test_an_idle_session_ends_after_the_idle_timeout(app, sites, login):
    client = login("editor@alpha.test")
    idle = app.config["ADMIN_IDLE_MINUTES"]
    with app.app_context():
        sess = db.session()
        sess.execute(update(AdminSession).values(last_seen=utcnow() - dt.timedelta(minutes=idle - 1)))
        sess.commit()
    assert client.get("/admin/alpha/").status_code == 200  # within the timeout, and it moves last_seen on
    with app.app_context():
        sess = db.session()
        sess.execute(update(AdminSession).values(last_seen=utcnow() - dt.timedelta(minutes=idle + 1)))
        sess.commit()
    assert client.get("/admin/alpha/").status_code == 302
    assert live_sessions(app, "editor@alpha.test") == 0


def test_a_session_ends_after_its_lifetime_however_busy(app, sites, login):
    client = login("editor@alpha.test")
    hours = app.config["ADMIN_SESSION_HOURS"]
    with app.app_context():
        sess = db.session()
        sess.execute(update(AdminSession).values(created=utcnow() - dt.timedelta(hours=hours, minutes=1)))
        sess.commit()
    assert client.get("/admin/alpha/").status_code == 302


def test_the_cookie_holds_no_user_id_only_a_token(app, sites, login):
    """The row stores the token's hash: a database copy (a backup) opens no session."""
    client = login("editor@alpha.test")
    with app.app_context():
        sess = db.session()
        row = sess.scalar(select(AdminSession))
        assert len(row.token_hash) == 64
    with client.client.session_transaction(base_url=client.base) as cookie_session:
        assert set(cookie_session) <= {"sid", "csrf_token", "_flashes"}
        assert row.token_hash not in cookie_session["sid"]


def test_a_next_address_with_cr_lf_is_not_followed(app, sites):
    """Issue 16, finding 5: next= with CR/LF gave a 500 after sign-in."""
    client = AdminClient(app)
    client.token()
    for target in ("/admin/\r\nSet-Cookie: x=1", "/admin/%0d%0a", "/admin/\nfoo", "/admin/ x"):
        response = client.post("/admin/login?next=" + target.replace("\r", "%0d").replace("\n", "%0a").replace(" ", "%20"),
                               {"email": "editor@alpha.test", "password": "correct horse battery"})
        assert response.status_code == 302, target
        assert "\r" not in response.headers["Location"] and "\n" not in response.headers["Location"]
        assert "Set-Cookie" not in response.headers["Location"]
        client.post("/admin/logout")
        client._token = None
        client.token()


def test_an_operator_can_sign_a_user_out_everywhere(app, sites, login, cli):
    laptop = login("editor@alpha.test")
    phone = AdminClient(app, address="10.0.0.2")
    phone.login("editor@alpha.test")
    result = cli("user", "sign-out", "editor@alpha.test")
    assert result.exit_code == 0 and "2 sessions ended" in result.output
    assert laptop.get("/admin/alpha/").status_code == 302
    assert phone.get("/admin/alpha/").status_code == 302
    assert cli("user", "sign-out", "nobody@alpha.test").exit_code != 0

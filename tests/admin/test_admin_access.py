"""Authorisation: every admin URL checks the role on the site in the URL, and every
object id is looked up within that site. A member of one site gets 404 for every
URL of another site (pages and form posts alike), and 403 for what their role on
their own site does not allow."""

from __future__ import annotations

import re

import pytest
from admin_support import AdminClient, app, login, sites  # noqa: F401  (fixtures)
from media_support import png
from sqlalchemy import func, select

from clinicjournal.admin.roles import PERMISSIONS, PUBLIC, REQUIRED, SIGNED_IN, allowed
from clinicjournal.content import media
from clinicjournal.store import db
from clinicjournal.store.models import (
    Article,
    AuditEvent,
    Membership,
    Revision,
    Site,
    SitePlugin,
    SlugRedirect,
)
from clinicjournal.store.people import Person


def admin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]


def fill(rule, site: str, ids) -> str:
    """A concrete URL for ``rule`` on ``site`` with the given object ids."""
    values = {"site": site, "article_id": ids["article"], "revision_id": ids["revision"],
              "membership_id": ids["membership"], "redirect_id": ids["redirect"], "name": "takeaway",
              "user_id": ids.get("user", 1), "session_id": ids.get("session", 1), "catalog": "core", "locale": "de",
              "item_id": ids["media"], "person_id": ids["person"]}
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def object_ids(app, site_id: int, article_id: int) -> dict:
    with app.app_context():
        sess = db.session()
        article = sess.get(Article, article_id)
        redirect = SlugRedirect(site_id=site_id, locale=article.locale, old_slug="an-old-address",
                                article_id=article_id)
        sess.add(redirect)
        image = media.add(sess, sess.get(Site, site_id), f"image-{article_id}", png(64, 48),
                          {code: "A drawing" for code in sess.get(Site, site_id).locales})
        person = Person(site_id=site_id, slug=f"person-{article_id}", name="A person")
        sess.add(person)
        sess.commit()
        return {
            "person": person.id,
            "media": image.id,
            "redirect": redirect.id,
            "article": article_id,
            "revision": sess.scalar(select(Revision.id).where(Revision.article_id == article_id)),
            "membership": sess.scalar(select(Membership.id).where(Membership.site_id == site_id)),
        }


def snapshot(app) -> tuple:
    """Everything an admin request could change."""
    with app.app_context():
        sess = db.session()
        return (
            sess.execute(select(Article.id, Article.version, Article.status, Article.body)
                         .order_by(Article.id)).all(),
            sess.execute(select(SitePlugin.site_id, SitePlugin.plugin, SitePlugin.enabled, SitePlugin.settings)
                         .order_by(SitePlugin.id)).all(),
            sess.scalar(select(func.count()).select_from(Membership)),
            sess.scalar(select(func.count()).select_from(Revision)),
            sess.scalar(select(func.count()).select_from(SlugRedirect)),
            sess.scalar(select(func.count()).select_from(Site)),
            sess.execute(select(Person.id, Person.slug, Person.name).order_by(Person.id)).all(),
        )


FORM = {"enabled": "1", "title": "Hijacked", "slug": "hijacked", "locale": "en", "kind": "article",
        "summary": "x", "body": "x", "version": "1", "email": "editor@alpha.test", "role": "site_admin",
        "add": "evil.example.org", "remove": "x", "name": "Hijacked", "locales": "en",
        "mode": "now", "text:en": "hijacked"}


def test_every_admin_endpoint_declares_a_permission(app):
    for rule in admin_rules(app):
        permission = REQUIRED.get(rule.endpoint)
        assert permission in PERMISSIONS or permission in (PUBLIC, SIGNED_IN), rule
        if "<site>" in rule.rule:
            assert permission in PERMISSIONS, f"{rule} needs a site permission"


@pytest.mark.parametrize("role", ["site_admin", "editor", "reviewer", "translator"])
def test_a_member_of_alpha_gets_404_on_every_url_of_beta(app, sites, login, role):
    client = login(f"{role}@alpha.test")
    ids = object_ids(app, sites.beta_id, sites.beta_article)
    before = snapshot(app)
    checked = 0
    for rule in admin_rules(app):
        if "<site>" not in rule.rule:
            continue
        url = fill(rule, "beta", ids)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.get(url) if method == "GET" else client.post(url, FORM)
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    assert checked >= 30
    assert snapshot(app) == before


@pytest.mark.parametrize("role", ["site_admin", "editor", "reviewer", "translator"])
def test_objects_of_beta_are_404_under_alpha_urls(app, sites, login, role):
    """Alpha's slug in the URL, beta's ids in it: not found (no cross-site object access)."""
    client = login(f"{role}@alpha.test")
    ids = object_ids(app, sites.beta_id, sites.beta_article)
    before = snapshot(app)
    for rule in admin_rules(app):
        if "<site>" not in rule.rule or not any(k in rule.rule for k in ("article_id", "membership_id", "redirect_id", "item_id",
                                                               "person_id")):
            continue
        url = fill(rule, "alpha", ids)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.get(url) if method == "GET" else client.post(url, FORM)
            # 404 (object not on this site); 403 only where the role may not use the URL at all
            expected = 404 if allowed(REQUIRED[rule.endpoint], {role}, False) else 403
            assert response.status_code == expected, (method, url, response.status_code)
    assert snapshot(app) == before


def test_network_pages_refuse_site_members(app, sites, login):
    client = login("site_admin@alpha.test")
    assert client.get("/admin/sites/new").status_code == 403
    assert client.post("/admin/sites/new", {"slug": "gamma", "name": "G", "locales": "en"}).status_code == 403
    assert client.get("/admin/accounts").status_code == 403
    assert client.post("/admin/accounts/invite", {"email": "x@y.z", "site": "alpha",
                                                  "role": "site_admin"}).status_code == 403
    assert client.get("/admin/audit").status_code == 403
    # hosts route the whole install: site admins may not change them
    assert client.post("/admin/alpha/hosts", {"add": "alpha.example.org"}).status_code == 403


def test_unknown_site_is_404_even_for_a_network_admin(app, sites, login):
    assert login(sites.network).get("/admin/nowhere/").status_code == 404


ROLE_MATRIX = [
    # (role, method, path template, expected status when refused)
    ("reviewer", "POST", "/admin/alpha/articles/{draft}", 403),
    ("reviewer", "POST", "/admin/alpha/articles/{draft}/publish", 403),
    ("reviewer", "GET", "/admin/alpha/plugins", 403),
    ("reviewer", "POST", "/admin/alpha/plugins/takeaway/toggle", 403),
    ("reviewer", "GET", "/admin/alpha/people", 403),
    ("reviewer", "POST", "/admin/alpha/people/new", 403),
    ("translator", "GET", "/admin/alpha/people/new", 403),
    ("translator", "POST", "/admin/alpha/people/new", 403),
    ("editor", "POST", "/admin/alpha/articles/{article}/sign-off", 403),
    ("editor", "GET", "/admin/alpha/settings", 403),
    ("editor", "GET", "/admin/alpha/members", 403),
    ("editor", "GET", "/admin/alpha/audit", 403),
    ("translator", "POST", "/admin/alpha/articles/{article}", 403),  # the default language's version
    ("translator", "POST", "/admin/alpha/articles/{article}/publish", 403),
    ("site_admin", "POST", "/admin/alpha/articles/{draft}", 403),
    ("site_admin", "POST", "/admin/alpha/articles/{article}/sign-off", 403),
    ("site_admin", "POST", "/admin/alpha/articles/{article}/unpublish", 403),
]


@pytest.mark.parametrize("role,method,path,status", ROLE_MATRIX)
def test_roles_on_their_own_site(app, sites, login, role, method, path, status):
    client = login(f"{role}@alpha.test")
    url = path.format(draft=sites.alpha_draft, article=sites.alpha_article)
    before = snapshot(app)
    response = client.get(url) if method == "GET" else client.post(url, {**FORM, "version": "2"})
    assert response.status_code == status
    assert snapshot(app) == before


def test_what_each_role_may_open(app, sites, login):
    pages = {"site_admin": ["/admin/alpha/plugins", "/admin/alpha/settings", "/admin/alpha/members",
                            "/admin/alpha/audit", "/admin/alpha/articles/", "/admin/alpha/people"],
             "editor": ["/admin/alpha/articles/", f"/admin/alpha/articles/{sites.alpha_article}",
                        "/admin/alpha/articles/new", "/admin/alpha/review", "/admin/alpha/people/new"],
             "reviewer": ["/admin/alpha/articles/", f"/admin/alpha/articles/{sites.alpha_article}",
                          "/admin/alpha/review"],
             "translator": [f"/admin/alpha/articles/{sites.alpha_de}", "/admin/alpha/articles/new?locale=de"]}
    for role, urls in pages.items():
        client = login(f"{role}@alpha.test")
        for url in urls:
            assert client.get(url).status_code == 200, (role, url)


def test_translators_edit_translations_only(app, sites, login):
    client = login("translator@alpha.test")
    page = client.get(f"/admin/alpha/articles/{sites.alpha_de}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = client.post(f"/admin/alpha/articles/{sites.alpha_de}", {
        "title": "Gut schlafen (neu)", "summary": "Kurz.", "body": "Neuer Text [@ref-one].", "slug": "gut-schlafen",
        "locale": "de", "kind": "article", "translation_key": "sleep-well", "published": "2025-01-15",
        "references": "- key: ref-one\n  title: A reference\n", "version": version})
    assert response.status_code == 302
    # ... but may not move it into the default language
    page = client.get(f"/admin/alpha/articles/{sites.alpha_de}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = client.post(f"/admin/alpha/articles/{sites.alpha_de}", {
        "title": "x", "summary": "x", "body": "x", "slug": "gut-schlafen", "locale": "en", "kind": "article",
        "version": version})
    assert response.status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(app, sites):
    client = AdminClient(app)
    response = client.get(f"/admin/alpha/articles/{sites.alpha_article}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=/admin/alpha/articles/")
    response = client.post("/admin/alpha/plugins/takeaway/toggle", {"enabled": "0"})
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_network_admin_manages_every_site_but_signs_off_only_as_reviewer(app, sites, login):
    client = login(sites.network)
    for site in ("alpha", "beta"):
        assert client.get(f"/admin/{site}/plugins").status_code == 200
        assert client.get(f"/admin/{site}/audit").status_code == 200
    assert client.post(f"/admin/alpha/articles/{sites.alpha_article}/sign-off", {"version": "1"}).status_code == 403


def test_audit_pages_show_only_their_sites_events(app, sites, login):
    alpha = login("site_admin@alpha.test")
    alpha.post("/admin/alpha/plugins/takeaway/toggle", {"enabled": "0"})
    beta = login("site_admin@beta.test", host="beta.localhost")
    beta.post("/admin/beta/plugins/faq/toggle", {"enabled": "0"})
    page = alpha.get("/admin/alpha/audit").get_data(as_text=True)
    assert "takeaway" in page and "faq" not in page
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "plugin.disabled")) == 2
    network = login(sites.network).get("/admin/audit").get_data(as_text=True)
    assert "takeaway" in network and "faq" in network


class BodyNobodyMayRead:
    """A request body (``wsgi.input``) that records every attempt to read it."""

    def __init__(self) -> None:
        self.reads = 0

    def read(self, *_args) -> bytes:
        self.reads += 1
        return b"x"

    readline = read

    def readinto(self, buffer) -> int:
        self.reads += 1
        buffer[:1] = b"x"
        return 1


def visible_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_an_oversized_request_is_refused_before_its_body_is_read(app, sites):
    """An anonymous 300 MB sign-in POST: 413 at once, in the visitor's language,
    with not one byte of the body read (it used to be read in full before the CSRF 400)."""
    body = BodyNobodyMayRead()
    response = AdminClient(app).client.post(
        "/admin/login", base_url="http://alpha.localhost", headers={"Accept-Language": "de"},
        environ_overrides={"wsgi.input": body, "CONTENT_LENGTH": "300000000",
                           "CONTENT_TYPE": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert body.reads == 0
    assert response.headers["Cache-Control"] == "no-store"  # still the admin's page
    text = visible_text(response)
    assert "Dieses Formular ist zu groß" in text and "4 MB" in text, text
    # a request just under the limit is read as usual (and refused for its missing token)
    assert AdminClient(app).post("/admin/login", {"email": "x" * 3_900_000}, csrf=False).status_code == 400


def upload_of(editor, size: int, language: str = "en"):
    """POST a ``size``-byte .md file to the upload form, as a browser would (multipart,
    built in memory: Werkzeug's test client would spool it to a file it never closes)."""
    head = (f'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{editor.token()}\r\n'
            '--B\r\nContent-Disposition: form-data; name="file"; filename="huge.en.md"\r\n'
            "Content-Type: text/markdown\r\n\r\n").encode()
    return editor.client.post("/admin/alpha/articles/upload", base_url=editor.base,
                              data=head + b"x" * size + b"\r\n--B--\r\n",
                              content_type="multipart/form-data; boundary=B", headers={"Accept-Language": language})


def test_an_upload_too_large_to_read_says_the_limit_and_what_to_do(app, sites, login):
    editor = login("editor@alpha.test")
    before = snapshot(app)
    response = upload_of(editor, app.config["MAX_CONTENT_LENGTH"] + 1, "fr")
    assert response.status_code == 413
    text = visible_text(response)
    assert "Le fichier est trop volumineux" in text, text
    assert "1 Mo" in text and "scindez" in text  # the upload limit (ADMIN_UPLOAD_MAX_BYTES), and what to do
    assert snapshot(app) == before
    english = upload_of(editor, 4_500_000)
    assert english.status_code == 413
    assert "Files of up to 1 MB can be uploaded" in visible_text(english)
    # under the request limit, an upload over ADMIN_UPLOAD_MAX_BYTES is read and refused as before
    refused = upload_of(editor, 1_500_000)
    assert refused.status_code == 302 and snapshot(app) == before


def main_of(response) -> str:
    """The page's own content: the title and the brand name around it say "clinicjournal" anyway."""
    return response.get_data(as_text=True).split("<main", 1)[-1]


def test_no_screen_a_site_admin_sees_tells_them_to_run_a_command(app, sites, login):
    """Issue 19, item 2: site admins have the browser, not a shell on the server."""
    client = login("site_admin@alpha.test")
    ids = object_ids(app, sites.alpha_id, sites.alpha_article)
    seen = 0
    for rule in admin_rules(app):
        if "GET" not in rule.methods or "<token>" in rule.rule:
            continue
        response = client.get(fill(rule, "alpha", ids), follow_redirects=True)
        if rule.endpoint.startswith("admin.translation"):  # lists the interface's texts, which name commands
            continue
        assert "clinicjournal " not in main_of(response), rule.rule
        seen += response.status_code == 200
    assert seen >= 15
    # and the refusals of the pages they use: the site's last site admin, a language still in use
    revoke = client.post(f"/admin/alpha/members/{sites.alpha_membership}/revoke", follow_redirects=True)
    assert "without a site admin" in revoke.get_data(as_text=True)
    settings = client.get("/admin/alpha/settings").get_data(as_text=True)
    form = dict(re.findall(r'name="([^"]+)" (?:type="[^"]+" )?value="([^"]*)"', settings))
    refused = client.post("/admin/alpha/settings", {**form, "locales": "en"})
    assert refused.status_code == 422 and "still has articles in de" in refused.get_data(as_text=True)
    for response in (revoke, refused):
        assert "clinicjournal " not in main_of(response) and "`" not in main_of(response)

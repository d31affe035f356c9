"""Helpers for the admin tests (tests/test_admin_*.py): a test-client wrapper that
signs in and sends CSRF tokens, and a two-site fixture with a member of every role.

Import the fixtures into a test module to use them::

    from admin_support import app, sites  # noqa: F401  (pytest fixtures)
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from signoff_support import signoff_yaml

from clinicjournal.admin import accounts
from clinicjournal.content.authoring import parse_document
from clinicjournal.content.documents import import_documents
from clinicjournal.store import db, manage
from clinicjournal.store.models import Article, Membership, Revision, Site, User

# Cheap Argon2 parameters: the tests hash and verify many passwords.
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(make_app):
    """The app with cheap password hashing (overrides conftest's ``app``)."""
    return make_app(ARGON2_PARAMETERS=FAST_ARGON2)


class AdminClient:
    """A browser-like test client on one host: keeps cookies, fetches CSRF tokens."""

    def __init__(self, app, host: str = "alpha.localhost", scheme: str = "http", address: str = "10.0.0.1"):
        self.app, self.host, self.scheme = app, host, scheme
        self.client = app.test_client()
        self.address = address
        self._token: str | None = None

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.host}"

    def get(self, path: str, **kwargs):
        kwargs.setdefault("environ_base", {"REMOTE_ADDR": self.address})
        return self.client.get(path, base_url=self.base, **kwargs)

    def post(self, path: str, data: dict | None = None, csrf: bool = True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token())
        kwargs.setdefault("environ_base", {"REMOTE_ADDR": self.address})
        headers = kwargs.pop("headers", {})
        if self.scheme == "https":  # Flask-WTF checks the Referer on HTTPS
            headers.setdefault("Referer", f"{self.base}/admin/")
        return self.client.post(path, base_url=self.base, data=data, headers=headers, **kwargs)

    def token(self) -> str:
        if self._token is None:
            page = self.get("/admin/login", follow_redirects=True).get_data(as_text=True)
            found = TOKEN.search(page)
            assert found, page[:500]
            self._token = found.group(1)
        return self._token

    def login(self, email: str, password: str = PASSWORD, expect: int = 302):
        self._token = None
        response = self.post("/admin/login", {"email": email, "password": password})
        assert response.status_code == expect, response.get_data(as_text=True)[:1000]
        self._token = None  # signing in starts a new session, with a new CSRF secret
        return response


@pytest.fixture
def login(app):
    """``login(email, host="alpha.localhost")`` → a signed-in :class:`AdminClient`."""

    def make(email: str, host: str = "alpha.localhost", **kwargs) -> AdminClient:
        client = AdminClient(app, host, **kwargs)
        client.login(email)
        return client

    return make


ARTICLE = """---
slug: {slug}
locale: {locale}
title: "{title}"
summary: "Summary of {slug}."
status: {status}
published: 2025-01-15
{extra}references:
  - key: ref-one
    title: A reference
---
{body}
"""


def add_article(app, site_slug: str, slug: str, *, locale: str = "en", title: str | None = None,
                status: str = "published", body: str = "Original text [@ref-one].", extra: str = "",
                translation_key: str | None = None, signed: tuple[str, str] | None = None) -> int:
    """Import one article into ``site_slug`` (as the CLI would); returns its id.
    ``signed=(reviewer, date)`` writes the signoff block an export would carry."""
    extra += f"translation_key: {translation_key}\n" if translation_key else ""
    fields = dict(slug=slug, locale=locale, title=title or f"Title of {slug}", status=status, body=body)
    text = ARTICLE.format(**fields, extra=extra)
    if signed:
        text = ARTICLE.format(**fields, extra=extra + signoff_yaml(text, *signed))
    with app.app_context():
        sess = db.session()
        site = manage.get_site(sess, site_slug)
        import_documents(sess, site, [parse_document(text)])
        sess.commit()
        return sess.scalar(select(Article.id).where(Article.site_id == site.id, Article.locale == locale,
                                                    Article.slug == slug))


def make_user(app, email: str, *, site: str | None = None, roles=(), network_admin: bool = False,
              name: str = "", locales: list[str] | None = None) -> int:
    with app.app_context():
        sess = db.session()
        user = accounts.create_user(sess, email, PASSWORD, name=name, network_admin=network_admin,
                                    ph=accounts.hasher(FAST_ARGON2))
        if site:
            site_row = manage.get_site(sess, site)
            for role in roles:
                accounts.grant(sess, user, site_row, role, locales)
        sess.commit()
        return user.id


@pytest.fixture
def sites(app, create_site):
    """Two clinics, alpha (en, de) and beta (en), each with a member of every role,
    a published article, a draft, and a network admin for both."""
    create_site("alpha", name="Alpha Clinic", locales=("en", "de"))
    create_site("beta", name="Beta Clinic", locales=("en",))
    ns = SimpleNamespace()
    for site in ("alpha", "beta"):
        for role in accounts.ROLES:
            make_user(app, f"{role}@{site}.test", site=site, roles=[role],
                      name=f"{role.replace('_', ' ').title()} of {site}")
    ns.network = "network@example.test"
    make_user(app, ns.network, network_admin=True, name="Network Admin")
    ns.alpha_article = add_article(app, "alpha", "sleep-well", title="Sleep well")
    ns.alpha_draft = add_article(app, "alpha", "draft-one", status="draft", title="Draft one")
    ns.alpha_de = add_article(app, "alpha", "gut-schlafen", locale="de", title="Gut schlafen",
                              translation_key="sleep-well")
    ns.beta_article = add_article(app, "beta", "beta-news", title="Beta news")
    ns.beta_draft = add_article(app, "beta", "beta-draft", status="draft", title="Beta draft")
    with app.app_context():
        sess = db.session()
        ns.alpha_id = sess.scalar(select(Site.id).where(Site.slug == "alpha"))
        ns.beta_id = sess.scalar(select(Site.id).where(Site.slug == "beta"))
        ns.beta_membership = sess.scalar(select(Membership.id).where(Membership.site_id == ns.beta_id))
        ns.alpha_membership = sess.scalar(select(Membership.id).where(Membership.site_id == ns.alpha_id))
    return ns


def working(app, article_id: int) -> dict:
    """The article's working copy (its latest revision's data)."""
    with app.app_context():
        sess = db.session()
        return dict(sess.get(Revision, sess.get(Article, article_id).latest_revision_id).data)


def set_working_body(app, article_id: int, body: str) -> None:
    """Store ``body`` as a draft's text without the editor's checks (as one saved
    before those checks existed): in its working copy and in its row."""
    with app.app_context():
        sess = db.session()
        article = sess.get(Article, article_id)
        latest = sess.get(Revision, article.latest_revision_id)
        latest.data = {**latest.data, "body": body}
        article.body = body
        sess.commit()


def revisions_of(app, article_id: int) -> list[Revision]:
    with app.app_context():
        sess = db.session()
        rows = list(sess.scalars(select(Revision).where(Revision.article_id == article_id).order_by(Revision.id)))
        sess.expunge_all()
        return rows


def user_row(app, email: str) -> User:
    with app.app_context():
        sess = db.session()
        user = sess.scalar(select(User).where(User.email == email))
        sess.expunge_all()
        return user


def article_row(app, article_id: int) -> Article:
    with app.app_context():
        sess = db.session()
        article = sess.get(Article, article_id)
        sess.expunge_all()
        return article


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


# -- driving the editor and the workflow as a member would ----------------------------

def reader(app, path: str):
    return app.test_client().get(path, base_url="http://alpha.localhost")


def public_text(app, path: str) -> str:
    response = reader(app, path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def form_of(client, article_id: int, site: str = "alpha", **changes) -> dict:
    page = client.get(f"/admin/{site}/articles/{article_id}").get_data(as_text=True)
    data = working(client.app, article_id)
    refs = "".join(f"- key: {r['key']}\n  title: {r['title']}\n" for r in data["references"])
    form = {"title": data["title"], "summary": data["summary"], "body": data["body"],
            "category": data["category"] or "", "translation_key": data["translation_key"], "slug": data["slug"],
            "locale": data["locale"], "kind": data["kind"], "published": data["published"] or "",
            "updated": "", "author": data["author"], "takeaway": data["takeaway"], "references": refs,
            "faq_q": [], "faq_a": [], "version": re.search(r'name="version" value="(\d+)"', page).group(1)}
    form.update(changes)
    return form


def version(app, article_id: int) -> str:
    return str(article_row(app, article_id).version)


def step(client, article_id: int, action: str, **data):
    return client.post(f"/admin/alpha/articles/{article_id}/{action}",
                       {"version": version(client.app, article_id), **data}, follow_redirects=True)

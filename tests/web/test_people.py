"""Person profiles: the public page, the article byline's links, and what a
person page may list (published, visible articles only)."""

from __future__ import annotations

import json
import re

from admin_support import add_article, app, make_user  # noqa: F401  (fixtures)
from sqlalchemy import select

from clinicjournal.admin import editing
from clinicjournal.store import db, manage, removal
from clinicjournal.store.models import Article, User
from clinicjournal.store.people import Person

HOST = "alpha.localhost"


def add_person(app, site: str, slug: str, name: str, *, user_id=None, credentials="MD", role=None, bio=None):
    with app.app_context():
        sess = db.session()
        row = Person(site_id=manage.get_site(sess, site).id, slug=slug, name=name, credentials=credentials,
                     role=role or {"en": "Family physician"}, bio=bio or {"en": "Sees families.\n\nLikes data."},
                     user_id=user_id)
        sess.add(row)
        sess.commit()
        return row.id


def sign_live(app, article_id: int, email: str) -> None:
    """Sign the live revision off as ``email`` through the admin's own workflow."""
    with app.app_context():
        sess = db.session()
        article = sess.get(Article, article_id)
        user = sess.scalar(select(User).where(User.email == email))
        editing.sign_off(sess, manage.get_site(sess, "alpha"), article, user)
        sess.commit()


def get(app, path: str):
    return app.test_client().get(path, base_url=f"http://{HOST}")


def test_person_page_lists_only_visible_work_and_has_profile_jsonld(app, create_site):
    create_site("alpha", locales=("en", "ar"))
    add_person(app, "alpha", "leila-haddad", "Leila Haddad", role={"en": "Family physician", "ar": "طبيبة أسرة"})
    add_article(app, "alpha", "sleep-well", title="Sleep well", extra="author_key: leila-haddad\n")
    add_article(app, "alpha", "secret-draft", title="Secret draft", status="draft",
                extra="author_key: leila-haddad\n")
    add_article(app, "alpha", "someone-else", title="Someone else", extra="author_key: other\n")
    page = get(app, "/en/people/leila-haddad/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Leila Haddad" in html and "Family physician" in html and "Likes data." in html
    assert "Sleep well" in html
    assert "Secret draft" not in html and "Someone else" not in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "ProfilePage"
    assert data["mainEntity"]["name"] == "Leila Haddad" and data["mainEntity"]["honorificSuffix"] == "MD"
    assert data["mainEntity"]["url"].endswith("/en/people/leila-haddad/")
    arabic = get(app, "/ar/people/leila-haddad/").get_data(as_text=True)
    assert "طبيبة أسرة" in arabic


def test_unknown_person_is_a_localised_404(app, create_site):
    create_site("alpha", locales=("en", "ar"))
    response = get(app, "/ar/people/nobody/")
    assert response.status_code == 404
    assert 'lang="ar"' in response.get_data(as_text=True)


def test_article_links_the_author_profile(app, create_site):
    create_site("alpha")
    add_person(app, "alpha", "leila-haddad", "Leila Haddad")
    add_article(app, "alpha", "sleep-well", extra="author: Dr L. Haddad\nauthor_key: leila-haddad\n")
    html = get(app, "/en/sleep-well/").get_data(as_text=True)
    assert 'href="/en/people/leila-haddad/"' in html


def test_reviewer_link_follows_the_signoff_account_not_the_typed_name(app, create_site):
    create_site("alpha")
    reviewer = make_user(app, "omar@alpha.test", site="alpha", roles=["reviewer"], name="Omar Said")
    # A profile whose name equals the typed sign-off name but has no account: never linked.
    add_person(app, "alpha", "typed-name", "Dr Typed")
    article_id = add_article(app, "alpha", "sleep-well", signed=("Dr Typed", "2025-01-10"))
    html = get(app, "/en/sleep-well/").get_data(as_text=True)
    assert "Medically reviewed by" in html and "Dr Typed" in html
    assert "/people/typed-name/" not in html
    add_person(app, "alpha", "omar-said", "Omar Said", user_id=reviewer)
    sign_live(app, article_id, "omar@alpha.test")
    html = get(app, "/en/sleep-well/").get_data(as_text=True)
    reviewed = re.search(r'<p class="reviewed">(.*?)</p>', html, re.S).group(1)
    assert 'href="/en/people/omar-said/"' in reviewed and "/people/typed-name/" not in html
    person = get(app, "/en/people/omar-said/").get_data(as_text=True)
    assert "Title of sleep-well" in person and "Medically reviewed" in person


def test_renaming_a_person_retires_cached_pages(make_app, create_site):
    app = make_app(CACHE_TYPE="simple")
    create_site("alpha")
    person_id = add_person(app, "alpha", "leila-haddad", "Leila Haddad")
    add_article(app, "alpha", "sleep-well", extra="author_key: leila-haddad\n")
    client = app.test_client()
    assert "Leila Haddad" in client.get("/en/sleep-well/", base_url=f"http://{HOST}").get_data(as_text=True)
    with app.app_context():
        sess = db.session()
        sess.get(Person, person_id).name = "Leila Haddad-Nour"
        sess.commit()
    for path in ("/en/sleep-well/", "/en/people/leila-haddad/"):
        assert "Leila Haddad-Nour" in client.get(path, base_url=f"http://{HOST}").get_data(as_text=True)


def test_deleting_a_site_removes_its_people(app, create_site):
    create_site("alpha")
    add_person(app, "alpha", "leila-haddad", "Leila Haddad")
    with app.app_context():
        sess = db.session()
        removal.delete_site(sess, manage.get_site(sess, "alpha"))
        sess.commit()
        assert sess.scalar(select(Person)) is None


def test_article_jsonld_names_the_profiles(app, create_site):
    create_site("alpha")
    reviewer = make_user(app, "omar@alpha.test", site="alpha", roles=["reviewer"], name="Omar Said")
    add_person(app, "alpha", "leila-haddad", "Leila Haddad", credentials="MD")
    add_person(app, "alpha", "omar-said", "Omar Said", user_id=reviewer, credentials="PharmD",
               role={"en": "Pharmacist"})
    article_id = add_article(app, "alpha", "sleep-well", extra="author_key: leila-haddad\n",
                             signed=("Omar Said", "2025-01-10"))
    sign_live(app, article_id, "omar@alpha.test")
    html = get(app, "/en/sleep-well/").get_data(as_text=True)
    nodes = [json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]
    page = next(n for n in nodes if n.get("@type") == "MedicalWebPage")
    assert page["author"]["url"].endswith("/en/people/leila-haddad/") and page["author"]["honorificSuffix"] == "MD"
    assert page["reviewedBy"]["url"].endswith("/en/people/omar-said/")
    assert page["reviewedBy"]["jobTitle"] == "Pharmacist"


def test_import_refuses_an_unknown_author_key_naming_it(cli, create_site, write_article, app, tmp_path):
    create_site("alpha")
    add_person(app, "alpha", "leila-haddad", "Leila Haddad")
    good = write_article(tmp_path / "good", slug="fine", author="Dr L. Haddad", author_key="leila-haddad")
    assert cli("content", "import", good, "--site", "alpha").exit_code == 0
    bad = write_article(tmp_path / "bad", slug="typo", author_key="leila-hadad")
    result = cli("content", "import", bad, "--site", "alpha")
    assert result.exit_code != 0
    assert "leila-hadad" in result.output and "author_key" in result.output
    export = tmp_path / "out"
    assert cli("content", "export", export, "--site", "alpha").exit_code == 0
    assert "author_key: leila-haddad" in next(export.rglob("fine*")).read_text()  # export carries the key


def test_the_demo_has_profiles_in_both_sites(cli, app):
    assert cli("demo").exit_code == 0
    assert cli("demo").exit_code == 0  # a re-run adds no duplicate
    client = app.test_client()
    arabic = client.get("/ar/people/leila-haddad/", base_url="http://harbourview.localhost")
    assert arabic.status_code == 200 and "أخصائية تغذية مسجّلة" in arabic.get_data(as_text=True)
    assert client.get("/fr/people/priya-nair/", base_url="http://cedar-ridge.localhost").status_code == 200

"""The People screen (issue #18 item 2): who may change profiles, what a profile
must carry, refusals that name the field, photos and accounts only of the same
site, and deleting a profile articles name (refused, with the articles listed)."""

from __future__ import annotations

import re

import pytest
from admin_support import add_article, app, login, sites  # noqa: F401  (pytest fixtures)
from media_support import png
from sqlalchemy import func, select

from clinicjournal.content import media
from clinicjournal.store import db
from clinicjournal.store.models import AuditEvent, Site, User
from clinicjournal.store.people import Person


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session().scalar(select(User.id).where(User.email == email))


def image(app, site_id: int, key: str) -> int:
    with app.app_context():
        sess = db.session()
        site = sess.get(Site, site_id)
        item = media.add(sess, site, key, png(400, 400), {code: "Leila at the clinic" for code in site.locales})
        sess.commit()
        return item.id


def form(**over) -> dict:
    data = {"name": "Leila Haddad", "credentials": "MD", "slug": "", "role:en": "Family physician",
            "role:de": "Hausärztin", "bio:en": "Sees families.\r\n\r\nLikes data.", "bio:de": "",
            "user_id": "", "photo_id": ""}
    data.update(over)
    return data


def people(app) -> list[Person]:
    with app.app_context():
        sess = db.session()
        rows = list(sess.scalars(select(Person).order_by(Person.id)))
        sess.expunge_all()
        return rows


def field_error(response, field: str) -> str:
    """The error text shown beside ``field`` (its input says aria-invalid)."""
    html = response.get_data(as_text=True)
    fid = "f-" + field.replace(":", "-")
    assert re.search(rf'id="{fid}"[^>]*aria-invalid="true"', html, re.S), html[:3000]
    return re.search(rf'id="{fid}-error">(.*?)</div>', html, re.S).group(1)


@pytest.mark.parametrize("role, status", [("editor", 302), ("site_admin", 302), ("reviewer", 403),
                                          ("translator", 403)])
def test_editors_and_site_admins_manage_people(app, sites, login, role, status):
    client = login(f"{role}@alpha.test")
    assert client.get("/admin/alpha/people").status_code == (200 if status == 302 else 403)
    assert client.post("/admin/alpha/people/new", form()).status_code == status
    assert len(people(app)) == (1 if status == 302 else 0)
    nav = client.get("/admin/alpha/").get_data(as_text=True)
    assert ('href="/admin/alpha/people"' in nav) == (status == 302)


def test_another_sites_member_gets_404(app, sites, login):
    client = login("site_admin@beta.test", host="beta.localhost")
    assert client.get("/admin/alpha/people").status_code == 404
    assert client.post("/admin/alpha/people/new", form()).status_code == 404
    assert people(app) == []


def test_create_edit_and_the_public_page(app, sites, login):
    client = login("editor@alpha.test")
    photo = image(app, sites.alpha_id, "leila")
    me = user_id(app, "reviewer@alpha.test")
    response = client.post("/admin/alpha/people/new", form(user_id=str(me), photo_id=str(photo)))
    assert response.status_code == 302
    [person] = people(app)
    assert person.slug == "leila-haddad"  # proposed from the name
    assert person.role == {"en": "Family physician", "de": "Hausärztin"} and "de" not in person.bio
    assert person.bio["en"] == "Sees families.\n\nLikes data."
    assert (person.user_id, person.photo_id) == (me, photo)
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'dir="ltr" lang="en"' in edit and "Hausärztin" in edit
    listing = client.get("/admin/alpha/people").get_data(as_text=True)
    assert "Leila Haddad, MD" in listing and "Reviewer of alpha" in listing and "Family physician" in listing
    page = app.test_client().get("/en/people/leila-haddad/", base_url="http://alpha.localhost")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<picture class="media">' in html and 'alt="Leila at the clinic"' in html
    again = app.test_client().get("/en/people/leila-haddad/", base_url="http://alpha.localhost")
    assert again.headers.get("X-Cache") == "hit"  # so what follows shows the save retiring it
    # an edit retires the cached page at once
    changed = client.post(f"/admin/alpha/people/{person.id}",
                          form(slug="leila-haddad", credentials="MD, MPH", photo_id="", user_id=str(me)))
    assert changed.status_code == 302
    html = app.test_client().get("/en/people/leila-haddad/", base_url="http://alpha.localhost").get_data(as_text=True)
    assert "MD, MPH" in html and "<picture" not in html
    with app.app_context():
        actions = list(db.session().scalars(select(AuditEvent.action).where(AuditEvent.target == "leila-haddad")))
    assert actions == ["person.created", "person.changed"]
    audit = login("site_admin@alpha.test").get("/admin/alpha/audit").get_data(as_text=True)
    assert "added the profile of" in audit and "changed the profile of" in audit


@pytest.mark.parametrize("over, field, words", [
    ({"name": "  "}, "name", "name"),
    ({"slug": "Not A Slug"}, "slug", "lower-case"),
    ({"name": "٪٪٪", "slug": ""}, "slug", "address"),
    ({"credentials": "x" * 61}, "credentials", "60"),
    ({"role:de": "x" * 121}, "role:de", "120"),
    ({"bio:en": "x" * 4001}, "bio:en", "4000"),
    ({"user_id": "12abc"}, "user_id", "listed"),
    ({"photo_id": "-1"}, "photo_id", "listed"),
])
def test_a_refusal_names_the_field_and_keeps_nothing(app, sites, login, over, field, words):
    client = login("editor@alpha.test")
    response = client.post("/admin/alpha/people/new", form(**over))
    assert response.status_code == 422
    assert words in field_error(response, field)
    assert people(app) == []


def test_another_sites_photo_and_account_are_refused(app, sites, login):
    client = login("editor@alpha.test")
    beta_photo = image(app, sites.beta_id, "beta-face")
    response = client.post("/admin/alpha/people/new", form(photo_id=str(beta_photo)))
    assert response.status_code == 422 and "media library" in field_error(response, "photo_id")
    response = client.post("/admin/alpha/people/new", form(user_id=str(user_id(app, "editor@beta.test"))))
    assert response.status_code == 422 and "role on this site" in field_error(response, "user_id")
    assert people(app) == []
    page = client.get("/admin/alpha/people/new").get_data(as_text=True)
    assert "beta-face" not in page and "editor@beta.test" not in page and "editor@alpha.test" in page


def test_a_row_with_another_sites_photo_shows_none(app, sites, login):
    """Even a forged row (not through the form) never shows another site's image."""
    login("editor@alpha.test").post("/admin/alpha/people/new", form())
    beta_photo = image(app, sites.beta_id, "beta-face")
    with app.app_context():
        sess = db.session()
        sess.scalar(select(Person)).photo_id = beta_photo
        sess.commit()
    html = app.test_client().get("/en/people/leila-haddad/", base_url="http://alpha.localhost").get_data(as_text=True)
    assert "<picture" not in html


def test_one_profile_per_account_and_per_address(app, sites, login):
    client = login("editor@alpha.test")
    me = str(user_id(app, "reviewer@alpha.test"))
    assert client.post("/admin/alpha/people/new", form(user_id=me)).status_code == 302
    twice = client.post("/admin/alpha/people/new", form(name="Sami Noor", user_id=me))
    assert twice.status_code == 422 and "Leila Haddad" in field_error(twice, "user_id")
    same = client.post("/admin/alpha/people/new", form(name="Leila Haddad"))
    assert same.status_code == 422 and "leila-haddad" in field_error(same, "slug")
    assert len(people(app)) == 1


def test_a_profile_articles_name_is_not_deleted_nor_renamed(app, sites, login):
    client = login("editor@alpha.test")
    client.post("/admin/alpha/people/new", form())
    [person] = people(app)
    add_article(app, "alpha", "flu-jabs", title="Flu jabs", status="draft", extra="author_key: leila-haddad\n")
    page = client.get(f"/admin/alpha/people/{person.id}/delete")
    assert page.status_code == 200 and "Flu jabs" in page.get_data(as_text=True)
    assert 'name="confirm"' not in page.get_data(as_text=True)
    refused = client.post(f"/admin/alpha/people/{person.id}/delete", {"confirm": "leila-haddad"})
    assert refused.status_code == 422 and "author_key" in refused.get_data(as_text=True)
    moved = client.post(f"/admin/alpha/people/{person.id}", form(slug="leila-h"))
    assert moved.status_code == 422 and "author_key" in field_error(moved, "slug")
    assert [p.slug for p in people(app)] == ["leila-haddad"]


def test_delete_needs_the_typed_address(app, sites, login):
    client = login("site_admin@alpha.test")
    client.post("/admin/alpha/people/new", form())
    [person] = people(app)
    for _twice in range(2):
        cached = app.test_client().get("/en/people/leila-haddad/", base_url="http://alpha.localhost")
    assert cached.headers.get("X-Cache") == "hit"
    assert client.post(f"/admin/alpha/people/{person.id}/delete", {"confirm": "nope"}).status_code == 422
    assert len(people(app)) == 1
    done = client.post(f"/admin/alpha/people/{person.id}/delete", {"confirm": "leila-haddad"})
    assert done.status_code == 302 and people(app) == []
    assert app.test_client().get("/en/people/leila-haddad/", base_url="http://alpha.localhost").status_code == 404
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "person.deleted")) == 1
    assert "deleted the profile of" in client.get("/admin/alpha/audit").get_data(as_text=True)


def test_forms_need_the_csrf_token(app, sites, login):
    client = login("editor@alpha.test")
    assert client.post("/admin/alpha/people/new", form(), csrf=False).status_code == 400
    assert people(app) == []

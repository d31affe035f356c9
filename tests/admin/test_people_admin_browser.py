"""Adding a person profile in a real browser: a site admin of an English and
Arabic clinic adds herself, with a photo from the media library and her
account linked, and the public person page shows her in both languages."""

from __future__ import annotations

import pytest
from admin_support import app, make_user  # noqa: F401  (fixtures)
from browser_support import AxeCheck, sign_in
from conftest import serve
from media_support import jpeg_with_gps
from sqlalchemy import select

from clinicjournal.content import media
from clinicjournal.store import db, manage
from clinicjournal.store.people import Person

pytestmark = pytest.mark.browser
SHOTS = "/tmp/peopleadmin"


@pytest.fixture
def server(app, create_site):
    create_site("harbourview", name="Harbourview Clinic", locales=("en", "ar"))
    make_user(app, "leila@harbourview.test", site="harbourview", roles=["site_admin"], name="Leila Haddad")
    make_user(app, "sami@harbourview.test", site="harbourview", roles=["reviewer"], name="Sami Noor")
    with app.app_context():
        sess = db.session()
        media.add(sess, manage.get_site(sess, "harbourview"), "leila-portrait", jpeg_with_gps(600, 600, tail=b""),
                  {"en": "Leila Haddad smiling in the clinic", "ar": "ليلى حداد مبتسمة في العيادة"})
        sess.commit()
    with serve(app, "people-server", quiet=True) as port:
        yield f"http://harbourview.localhost:{port}"


def test_a_site_admin_adds_herself_with_a_photo(app, server, chromium_browser):
    check = AxeCheck()
    page = sign_in(chromium_browser, server, "leila@harbourview.test")
    page.get_by_role("link", name="People").click()
    page.wait_for_load_state()
    check(page, "people list")
    page.get_by_role("link", name="Add a person").click()
    page.wait_for_load_state()
    page.get_by_label("Name").fill("Leila Haddad")
    page.get_by_label("Credentials").fill("MD")
    english = page.get_by_role("group", name="In English")
    arabic = page.get_by_role("group", name="In Arabic")
    english.get_by_label("Role").fill("Family physician")
    english.get_by_label("Biography").fill("Leila sees families.\n\nShe likes data.")
    assert arabic.get_by_label("Role").get_attribute("dir") == "rtl"
    arabic.get_by_label("Role").fill("طبيبة أسرة")
    page.get_by_label("Linked staff account").select_option(label="Leila Haddad — leila@harbourview.test")
    page.get_by_label("Photo").select_option(label="leila-portrait")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_text("Saved.").is_visible()
    assert page.get_by_label("Address").input_value() == "leila-haddad"  # proposed from the name
    check(page, "person form")
    page.screenshot(path=f"{SHOTS}/admin-person-en.png", full_page=True)
    with app.app_context():
        person = db.session().scalar(select(Person))
        assert person.user_id is not None and person.photo_id is not None

    page.get_by_role("link", name="All people").click()
    page.wait_for_load_state()
    row = page.get_by_role("row", name="Leila Haddad, MD")
    assert "Family physician" in row.inner_text() and "Leila Haddad" in row.get_by_role("cell").nth(2).inner_text()

    arabic_admin = sign_in(chromium_browser, server, "leila@harbourview.test", locale="ar")
    arabic_admin.goto(server + f"/admin/harbourview/people/{person.id}")
    arabic_admin.wait_for_load_state()
    assert arabic_admin.locator("html").get_attribute("dir") == "rtl"
    check(arabic_admin, "person form, Arabic admin")
    arabic_admin.screenshot(path=f"{SHOTS}/admin-person-ar.png", full_page=True)

    reader = chromium_browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    for locale, role, alt in (("en", "Family physician", "Leila Haddad smiling in the clinic"),
                              ("ar", "طبيبة أسرة", "ليلى حداد مبتسمة في العيادة")):
        reader.goto(f"{server}/{locale}/people/leila-haddad/")
        reader.wait_for_load_state()
        assert reader.get_by_role("heading", level=1).inner_text() == "Leila Haddad, MD"
        assert reader.get_by_text(role).is_visible()
        photo = reader.get_by_role("img", name=alt)
        reader.wait_for_function("() => document.querySelector('.person__photo img').complete")
        assert photo.is_visible() and photo.evaluate("img => img.naturalWidth") > 0
        box = photo.bounding_box()
        assert abs(box["width"] - box["height"]) < 2 and box["width"] < 200  # the small round portrait
        # the biography has no Arabic version: the English one, marked as English
        assert reader.locator(".person__bio").first.get_attribute("lang") == ("en" if locale == "ar" else None)
        check(reader, f"person page {locale}")
        reader.screenshot(path=f"{SHOTS}/person-{locale}.png", full_page=True)
    check.assert_clean()

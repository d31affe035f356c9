"""Site settings: languages ticked in a list of named languages (or typed as
codes), colours from colour pickers, and a main colour white text cannot be
read on refused, with its contrast ratio."""

from __future__ import annotations

import pytest
from admin_support import app, login, sites  # noqa: F401  (fixtures)
from conftest import parse_html

from clinicjournal.store import db, manage
from clinicjournal.web.colours import contrast_on_white, full_hex, shown_ratio


def site_row(app, slug="alpha"):
    with app.app_context():
        sess = db.session()
        site = manage.get_site(sess, slug)
        sess.expunge_all()
        return site


def form_of(client) -> dict:
    """The settings form as a browser submits it: ticked boxes, the pickers' values."""
    doc = parse_html(client.get("/admin/alpha/settings").get_data(as_text=True))
    form = doc.find("form", cls="form")
    data: dict = {}
    for field in form.find_all("input"):
        name, kind = field.get("name"), field.get("type")
        if not name or (kind == "checkbox" and field.get("checked") is None):
            continue
        data.setdefault(name, []).append(field.get("value") or "")
    for select in form.find_all("select"):
        data[select.get("name")] = [select.find("option", selected="").get("value")]
    return data


@pytest.mark.parametrize("colour, ratio", [("#ffffff", 1.0), ("#000", 21.0), ("#767676", 4.54), ("#777777", 4.48),
                                           ("#1f5f8b", 6.84)])
def test_contrast_of_white_text(colour, ratio):
    assert contrast_on_white(colour) == pytest.approx(ratio, abs=0.01)
    assert shown_ratio(4.48) == 4.4 and full_hex("#ABC") == "#aabbcc" and full_hex("red") is None


def test_languages_are_offered_by_name_with_the_sites_ticked(app, sites, login):
    doc = parse_html(login("site_admin@alpha.test").get("/admin/alpha/settings").get_data(as_text=True))
    boxes = {box.get("value"): box for box in doc.find_all("input", name="locales")}
    assert set(boxes) == {"en", "de", "es", "fr", "ar"}
    assert {code for code, box in boxes.items() if box.get("checked") is not None} == {"en", "de"}
    arabic = doc.one("label", for_="f-locale-ar")
    assert arabic.text() == "Arabic · العربية (ar)" and arabic.find("span").get("dir") == "rtl"
    assert doc.one("input", name="locales_other").get("value") == ""


def test_ticking_and_typing_languages(app, sites, login):
    admin = login("site_admin@alpha.test")
    form = form_of(admin)
    assert admin.post("/admin/alpha/settings", {**form, "locales": ["en", "de", "ar"],
                                                "locales_other": "tr, pt_BR"}).status_code == 302
    assert site_row(app).locales == ["en", "de", "ar", "tr", "pt_BR"]
    doc = parse_html(admin.get("/admin/alpha/settings").get_data(as_text=True))  # now boxes, ticked
    assert doc.one("input", id="f-locale-pt_BR").get("checked") is not None
    assert doc.one("label", for_="f-locale-tr").text().startswith("Turkish")
    refused = admin.post("/admin/alpha/settings", {**form, "locales_other": "<script>x</script>"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "is not a locale code" in page and "<script>x" not in page
    assert parse_html(page).one("input", name="locales_other").get("value") == "<script>x</script>"
    unticked = admin.post("/admin/alpha/settings", {**form, "locales": ["en"]})  # German still has articles
    assert unticked.status_code == 422 and "still has articles in de" in unticked.get_data(as_text=True)
    assert site_row(app).locales == ["en", "de", "ar", "tr", "pt_BR"]


def test_colour_pickers_show_the_colours_readers_see_and_pin_nothing(app, sites, login):
    admin = login("site_admin@alpha.test")
    doc = parse_html(admin.get("/admin/alpha/settings").get_data(as_text=True))
    assert doc.one("input", name="primary").get("type") == "color"
    assert doc.one("input", name="primary").get("value") == "#1f5f8b"  # the default: nothing stored
    note = doc.by_id("f-primary-hint")
    assert note.text() == "Contrast of white text on this colour: 6.8:1. Readable."
    assert note.get("data-min") == "4.5" and "%(ratio)s" in note.get("data-low")
    form = form_of(admin)
    assert admin.post("/admin/alpha/settings", {**form, "name": "Alpha Health"}).status_code == 302
    appearance = site_row(app).appearance
    assert not appearance.get("primary") and not appearance.get("accent")  # the defaults stay defaults
    with app.app_context():
        sess = db.session()
        manage.update_site(sess, manage.get_site(sess, "alpha"), appearance={"accent": "#ABC"})
        sess.commit()
    assert form_of(admin)["accent"] == ["#aabbcc"]
    assert admin.post("/admin/alpha/settings", {**form_of(admin), "name": "Alpha Care"}).status_code == 302
    assert site_row(app).appearance["accent"] == "#ABC"


def test_a_main_colour_white_text_cannot_be_read_on_is_refused(app, sites, login):
    admin = login("site_admin@alpha.test")
    form = form_of(admin)
    refused = admin.post("/admin/alpha/settings", {**form, "primary": "#777777", "name": "Changed"})
    assert refused.status_code == 422
    doc = parse_html(refused.get_data(as_text=True))
    assert ("The main colour #777777 is too light: white text on it has a contrast of 4.4:1, and readers need "
            "at least 4.5:1.") in doc.one("div", cls="notice--error").text()
    assert doc.one("input", name="primary").get("value") == "#777777"
    assert "Too low" in doc.by_id("f-primary-hint").text() and "hint--warn" in doc.by_id("f-primary-hint").classes
    assert site_row(app).name == "Alpha Clinic" and not site_row(app).appearance.get("primary")
    german = admin.post("/admin/alpha/settings", {**form, "primary": "#777777"}, headers={"Accept-Language": "de"})
    assert "4,4:1" in german.get_data(as_text=True)  # the admin's decimal comma
    assert admin.post("/admin/alpha/settings", {**form, "primary": "#767676"}).status_code == 302
    assert site_row(app).appearance["primary"] == "#767676"


def test_a_light_colour_saved_before_does_not_block_other_settings(app, sites, login):
    with app.app_context():  # as the command line or an older version could
        sess = db.session()
        manage.update_site(sess, manage.get_site(sess, "alpha"), appearance={"primary": "#f0c040"})
        sess.commit()
    admin = login("site_admin@alpha.test")
    doc = parse_html(admin.get("/admin/alpha/settings").get_data(as_text=True))
    assert doc.by_id("f-primary-hint").text().startswith("Contrast of white text on this colour: 1.7:1. Too low")
    assert admin.post("/admin/alpha/settings", {**form_of(admin), "name": "Alpha Care"}).status_code == 302
    assert site_row(app).name == "Alpha Care" and site_row(app).appearance["primary"] == "#f0c040"

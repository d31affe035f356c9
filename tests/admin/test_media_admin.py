"""The admin's media library: who may upload, what an upload must carry, and
refusals that name the field (issue #18 item 1)."""

from __future__ import annotations

import io
import re

import pytest
from admin_support import app, login, sites  # noqa: F401  (pytest fixtures)
from media_support import TAIL, jpeg_with_gps, png
from test_admin_articles import form_of
from PIL import Image
from sqlalchemy import select

from clinicjournal.store import db
from clinicjournal.store.media import MediaFile, MediaItem
from clinicjournal.store.models import Article, AuditEvent


def form(key="entrance", **over):
    data = {"key": key, "alt:en": "The clinic's entrance", "alt:de": "Der Eingang der Praxis",
            "focal_x": "0.3", "focal_y": "0.6", "file": (io.BytesIO(jpeg_with_gps(1000, 700)), "photo.jpg")}
    data.update(over)
    return data


def upload(client, **over):
    if isinstance(over.get("file"), tuple) and isinstance(over["file"][0], bytes):  # a fresh stream per request
        over["file"] = (io.BytesIO(over["file"][0]), over["file"][1])
    return client.post("/admin/alpha/media", form(**over), content_type="multipart/form-data")


@pytest.mark.parametrize("role, status", [("editor", 302), ("site_admin", 302), ("reviewer", 403),
                                          ("translator", 403)])
def test_editors_and_site_admins_upload(app, sites, login, role, status):
    client = login(f"{role}@alpha.test")
    assert upload(client).status_code == status


def test_another_sites_member_cannot_even_see_the_library(app, sites, login):
    client = login("editor@beta.test")
    assert client.get("/admin/alpha/media").status_code == 404
    assert upload(client).status_code == 404


def test_an_upload_is_stored_clean_and_its_page_lets_the_focal_point_change(app, sites, login):
    client = login("editor@alpha.test")
    response = upload(client)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "image: entrance" in text and "media:entrance" in text
    with app.app_context():
        sess = db.session()
        item = sess.scalar(select(MediaItem).where(MediaItem.key == "entrance"))
        assert (item.focal_x, item.focal_y) == (0.3, 0.6) and item.alt["de"] == "Der Eingang der Praxis"
        assert all(TAIL not in f.data and b"Exif" not in f.data for f in sess.scalars(select(MediaFile)))
        social_before, item_id = item.social, item.id
        assert sess.scalar(select(AuditEvent.action).where(AuditEvent.target == "entrance")) == "media.uploaded"
    thumb = re.search(r'src="(/admin/alpha/media/file/[0-9a-f]{64}\.\w+)"', text).group(1)
    assert client.get(thumb).status_code == 200
    changed = client.post(f"/admin/alpha/media/{item_id}", {"alt:en": "The entrance", "alt:de": "Der Eingang",
                                                            "focal_x": "0.9", "focal_y": "0.1"})
    assert changed.status_code == 302
    with app.app_context():
        item = db.session().get(MediaItem, item_id)
        assert (item.focal_x, item.focal_y) == (0.9, 0.1) and item.social != social_before


@pytest.mark.parametrize("over, field, status", [
    ({"alt:de": ""}, "f-alt-de", 422),
    ({"key": "Not A Key"}, "f-key", 422),
    ({"focal_x": "2"}, "f-focal_x", 422),
    ({"file": (b"MZ\x90\x00 this is an executable", "x.jpg")}, "f-file", 422),
])
def test_a_refusal_names_the_field_and_keeps_nothing(app, sites, login, over, field, status):
    client = login("editor@alpha.test")
    response = upload(client, **over)
    assert response.status_code == status
    text = response.get_data(as_text=True)
    assert f'id="{field}-error"' in text
    with app.app_context():
        assert db.session().scalar(select(MediaItem.id)) is None


def test_a_decompression_bomb_is_a_413(app, sites, login):
    out = io.BytesIO()
    Image.new("L", (8_000, 6_000)).save(out, "PNG")  # 48 million pixels, a few kB
    client = login("editor@alpha.test")
    response = upload(client, file=(io.BytesIO(out.getvalue()), "bomb.png"))
    assert response.status_code == 413 and 'id="f-file-error"' in response.get_data(as_text=True)


def test_a_key_is_used_once_per_site(app, sites, login):
    client = login("editor@alpha.test")
    assert upload(client).status_code == 302
    again = upload(client)
    assert again.status_code == 422 and 'id="f-key-error"' in again.get_data(as_text=True)


def test_an_unknown_image_key_stops_saving_in_the_editor(app, sites, login):
    client = login("editor@alpha.test")
    data = form_of(client, sites.alpha_draft)
    data["body"] = "Text.\n\n![A door](media:no-such-door)\n"
    response = client.post(f"/admin/alpha/articles/{sites.alpha_draft}", data)
    assert response.status_code == 422
    assert "No image with the key “no-such-door” in the media library" in response.get_data(as_text=True)
    with app.app_context():
        assert "no-such-door" not in db.session().get(Article, sites.alpha_draft).body


def test_the_logo_is_an_image_of_the_library_served_by_the_site(app, sites, login):
    admin = login("site_admin@alpha.test")
    assert upload(admin, key="logo-mark", file=(io.BytesIO(png(300, 300)), "logo.png")).status_code == 302
    page = admin.get("/admin/alpha/settings").get_data(as_text=True)
    assert '<option value="logo-mark">logo-mark</option>' in page
    form = dict(re.findall(r'name="([^"]+)" (?:type="[^"]+" )?value="([^"]*)"', page))
    form.update({"name": "Alpha Clinic", "logo": "logo-mark", "locales": "en de", "default_locale": "en"})
    assert admin.post("/admin/alpha/settings", form).status_code == 302
    reader = app.test_client().get("/en/", base_url="http://alpha.localhost").get_data(as_text=True)
    logo = re.search(r'<a class="site-brand site-brand--logo"[^>]*>\s*<img class="site-brand__logo" src="([^"]+)"',
                     reader)
    assert logo, reader[:3000]
    served = app.test_client().get(logo.group(1), base_url="http://alpha.localhost")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    with Image.open(io.BytesIO(served.data)) as mark:
        assert mark.size == (160, 160)  # small: the header shows it at 40 px
    # no drawn circle beside a real logo; beta, without a logo, keeps its circle
    beta = app.test_client().get("/en/", base_url="http://beta.localhost").get_data(as_text=True)
    assert 'class="site-brand"' in beta and "site-brand__logo" not in beta
    # a key the library lacks is refused, naming the field's choices
    refused = admin.post("/admin/alpha/settings", {**form, "logo": "no-such-logo"})
    assert refused.status_code == 422 and "media library" in refused.get_data(as_text=True)

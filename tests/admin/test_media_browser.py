"""Uploading an image in a real browser: alt text in each language, the focal
point chosen by clicking the picture, and the article page that shows it."""

from __future__ import annotations

import pytest
from admin_support import add_article, app, sites  # noqa: F401  (fixtures)
from browser_support import AxeCheck, sign_in
from conftest import serve
from media_support import jpeg_with_gps
from sqlalchemy import select

from clinicjournal.store import db
from clinicjournal.store.media import MediaItem

pytestmark = pytest.mark.browser


@pytest.fixture
def server(app, sites):
    with serve(app, "media-server", quiet=True) as port:
        yield lambda site: f"http://{site}.localhost:{port}"


def focal(app, key: str) -> tuple[float, float]:
    with app.app_context():
        item = db.session().scalar(select(MediaItem).where(MediaItem.key == key))
        return item.focal_x, item.focal_y


def focal_or_none(app, key: str):
    with app.app_context():
        return db.session().scalar(select(MediaItem.id).where(MediaItem.key == key))


def click_at(page, locator, fx: float, fy: float) -> None:
    locator.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('[data-focal-image]').naturalWidth > 0")
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


def test_upload_with_alt_text_and_a_clicked_focal_point(app, sites, server, chromium_browser):
    check = AxeCheck()
    base = server("alpha")
    page = sign_in(chromium_browser, base, "editor@alpha.test")
    page.get_by_role("link", name="Media").click()
    page.wait_for_load_state()
    check(page, "media library")
    page.get_by_label("Image file").set_input_files(
        {"name": "entrance.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(1200, 800)})
    picture = page.locator("[data-focal-image]")
    picture.wait_for(state="visible")
    click_at(page, picture, 0.75, 0.25)
    assert page.get_by_label("Across (0 = left, 1 = right)").input_value() == "0.75"
    assert page.get_by_label("Down (0 = top, 1 = bottom)").input_value() == "0.25"
    page.get_by_label("Key").fill("entrance")
    page.get_by_label("In English").fill("The clinic's front door")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state()
    # alt text is required in every language: with German missing the browser does not send the form
    assert page.get_by_label("In German").evaluate("el => !el.checkValidity()")
    assert focal_or_none(app, "entrance") is None
    page.get_by_label("In German").fill("Die Eingangstür der Praxis")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state()
    assert page.get_by_text("The image entrance is in the library.").is_visible()
    assert focal(app, "entrance") == (0.75, 0.25)
    check(page, "image page")
    # on the image's page the stored picture takes a new focal point the same way
    click_at(page, page.locator("[data-focal-image]"), 0.2, 0.8)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_text("Saved.").is_visible()
    assert focal(app, "entrance") == (0.2, 0.8)
    check.assert_clean()

    add_article(app, "alpha", "front-door", title="Our front door", extra="image: entrance\n",
                body="## Coming in\n\nStep-free.\n")
    reader = chromium_browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2).new_page()
    reader.goto(base + "/en/front-door/")
    hero = reader.locator("figure.hero img")
    assert hero.get_attribute("alt") == "The clinic's front door"
    reader.wait_for_function("() => document.querySelector('figure.hero img').complete")
    assert hero.evaluate("img => img.naturalWidth") > 0
    assert hero.evaluate("img => img.currentSrc").endswith(".webp")
    og = reader.locator('meta[property="og:image"]').get_attribute("content")
    assert og.startswith(base + "/media/")
    response = reader.goto(og)
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"

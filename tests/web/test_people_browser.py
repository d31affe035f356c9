"""A reader follows the byline from an article to its author's profile, in
headless Chromium against the demo served over HTTP (en and Arabic, desktop
and phone). Screenshots go to ``test-artifacts/`` (git-ignored)."""

from __future__ import annotations

import pytest
from admin_support import add_article
from conftest import REPO, demo_app, dispose, serve

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SITE = "harbourview"


@pytest.fixture(scope="module")
def people_server(tmp_path_factory, sqlite_template, static_build_dir):
    app = demo_app(tmp_path_factory.mktemp("people-browser"), sqlite_template, static_build_dir)
    for locale, slug, title in (("en", "eating-well-on-shift-work", "Eating well on shift work"),
                                ("ar", "al-akl-al-sihhi", "الأكل الصحي في نوبات العمل")):
        add_article(app, SITE, slug, locale=locale, title=title, translation_key="shift-work",
                    extra="author: Leila Haddad, RD\nauthor_key: leila-haddad\n",
                    signed=("Dr. Katrin Vogel, MD", "2025-01-20"))
    try:
        with serve(app, "people-server") as port:
            yield app, port
    finally:
        dispose(app)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("locale,slug", [("en", "eating-well-on-shift-work"), ("ar", "al-akl-al-sihhi")])
def test_reader_goes_from_the_article_to_the_author(people_server, chromium_browser, viewport, locale, slug):
    _app, port = people_server
    context = chromium_browser.new_context(viewport=VIEWPORTS[viewport], device_scale_factor=1,
                                           is_mobile=viewport == "phone")
    page = context.new_page()
    try:
        page.goto(f"http://{SITE}.localhost:{port}/{locale}/{slug}/", wait_until="load")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"people-article-{locale}-{viewport}.png"))
        page.locator("a.byline__person").first.click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/{locale}/people/leila-haddad/")
        assert "Leila Haddad" in page.locator("h1").inner_text()
        assert page.locator(f'a[href="/{locale}/{slug}/"]').count() == 1  # the article is listed
        page.screenshot(path=str(ARTIFACTS / f"people-person-{locale}-{viewport}.png"), full_page=True)
        if viewport == "phone":
            width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], f"horizontal overflow on a phone: {width}"
    finally:
        context.close()

"""The article page in a real browser: headless Chromium through Playwright, against the app
served by a real HTTP server thread with the demo loaded on SQLite.

Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import pytest
from conftest import REPO, demo_app, dispose, serve
from sqlalchemy import select

from clinicjournal.cli.demo import DEMO_SITES
from clinicjournal.store import db
from clinicjournal.store.models import Article, Site

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, sqlite_template, static_build_dir):
    """The app with the demo loaded, served on 127.0.0.1 at a free port."""
    app = demo_app(tmp_path_factory.mktemp("browser"), sqlite_template, static_build_dir)
    try:
        with serve(app, "demo-server") as port:
            yield app, port
    finally:
        dispose(app)


def article_with_sources(app, site_slug: str):
    with app.app_context():
        sess = db.session()
        site = sess.scalar(select(Site).where(Site.slug == site_slug))
        articles = sess.scalars(select(Article).where(
            Article.site_id == site.id, Article.locale == site.default_locale, Article.kind == "article",
            Article.status == "published").order_by(Article.slug)).all()
        return next(a for a in articles if a.references and "[@" in a.body)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_article_page_in_chromium(viewport, demo_server, chromium_browser):
    app, port = demo_server
    site = DEMO_SITES[0]["slug"]
    article = article_with_sources(app, site)
    url = f"http://{site}.localhost:{port}/{article.locale}/{article.slug}/"

    context = chromium_browser.new_context(viewport=VIEWPORTS[viewport], device_scale_factor=1,
                                             is_mobile=viewport == "phone")
    page = context.new_page()
    refused, failed = [], []
    page.on("console", lambda msg: refused.append(msg.text)
            if msg.type == "error" and "Refused" in msg.text else None)  # CSP violations
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
            if r.status >= 400 and "/favicon.ico" not in r.url else None)
    try:
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status == 200
        assert page.locator("h1").count() == 1
        assert page.locator("h1").inner_text().strip() == article.title
        # The stylesheet applied: the page is not unstyled default serif-on-white with no layout.
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"article-{viewport}.png"), full_page=True)

        if viewport == "phone":
            overflow = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            assert overflow[0] <= overflow[1], f"horizontal overflow on a phone: {overflow}"

        marker = page.locator(".article__body sup.cite a").first
        assert marker.get_attribute("href") == "#ref-1"
        marker.click()
        page.wait_for_function("location.hash === '#ref-1'", timeout=5000)
        in_view = page.evaluate("""() => {
            const r = document.getElementById('ref-1').getBoundingClientRect();
            return r.top >= 0 && r.top < window.innerHeight;
        }""")
        assert in_view, "clicking the citation did not bring its Sources entry into view"
        page.screenshot(path=str(ARTIFACTS / f"article-{viewport}-sources.png"))

        # And back from the Sources entry to the citation.
        back = page.locator("#ref-1 .backrefs a").first
        target = back.get_attribute("href")
        back.click()
        page.wait_for_function(f"location.hash === {target!r}", timeout=5000)

        assert refused == []  # e.g. no inline style refused by the Content-Security-Policy
        assert failed == []  # every stylesheet and image the page uses loads
    finally:
        context.close()

"""Reader pages right on every screen (issue #18, item 5), in headless Chromium:

* with a brand colour white text cannot be read on (``#ffff66`` as main and accent
  colour, as a site may hold from before the admin checked contrast), axe-core finds
  no serious or critical violation on any page type in any shipped language, in the
  light and in the dark colour scheme;
* every link, button and field of an article page is a target of at least 24×24 CSS
  px (WCAG 2.2, 2.5.8), on a desktop and a phone, left-to-right and right-to-left,
  except links inside sentences (which the criterion exempts); the Sources list's
  back-links have names of their own;
* a printed page names the clinic and the page's address.

One browser for the module and one context per colour scheme, so the whole file
takes well under a minute. Screenshots and the PDF go to ``test-artifacts/``.
"""

from __future__ import annotations

import urllib.parse

import pytest
from browser_support import AxeCheck
from conftest import REPO, demo_app, dispose, serve
from sqlalchemy import select

from clinicjournal.cli.demo import DEMO_SITES
from clinicjournal.store import db, manage
from clinicjournal.store.models import Article, Site

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts"
YELLOW = "#ffff66"
LOCALES = [(spec["slug"], locale) for spec in DEMO_SITES for locale in spec["locales"]]
KINDS = ("index", "article", "category", "search", "page", "404")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

#: Links inside running text: WCAG 2.5.8 exempts targets "in a sentence" (their size is
#: the text's). Citation markers sit in sentences too, but the issue asks for 24 px ones.
IN_SENTENCE = ".prose p, .prose li, .prose td, bdi.source, .outdated, .disclaimer p, .clinic-note p, .lede"

MEASURE = """(inSentence) => {
  const found = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!el.getClientRects().length || style.visibility === 'hidden' || r.right <= 0 || r.bottom <= 0) continue;
    if (el.closest(inSentence) && !el.closest('.cite')) continue;
    found.push({what: el.outerHTML.slice(0, 90), width: r.width, height: r.height, cite: !!el.closest('.cite')});
  }
  return found;
}"""


@pytest.fixture(scope="module")
def yellow_server(tmp_path_factory, sqlite_template, static_build_dir):
    """The demo with #ffff66 as both sites' main and accent colour, served over HTTP."""
    app = demo_app(tmp_path_factory.mktemp("screens"), sqlite_template, static_build_dir)
    with app.app_context():
        sess = db.session()
        for site in sess.scalars(select(Site)):
            manage.update_site(sess, site, appearance={"primary": YELLOW, "accent": YELLOW})
        sess.commit()
    try:
        with serve(app, "screens-server", quiet=True) as port:
            yield app, port, _pages(app)
    finally:
        dispose(app)


def _pages(app) -> dict[tuple[str, str], dict[str, str]]:
    pages = {}
    with app.app_context():
        sess = db.session()
        for slug, locale in LOCALES:
            site = sess.scalar(select(Site).where(Site.slug == slug))
            rows = sess.scalars(select(Article).where(
                Article.site_id == site.id, Article.locale == locale, Article.status == "published")
                .order_by(Article.published.desc())).all()
            article = next(a for a in rows if a.kind == "article" and a.category and a.references)
            # a site page of this language; where there is none the footer links to the default one's
            page = next((a for a in rows if a.kind == "page"), None) or sess.scalar(select(Article).where(
                Article.site_id == site.id, Article.locale == site.default_locale, Article.kind == "page"))
            word = max(article.title.split(), key=len)
            pages[(slug, locale)] = {
                "index": f"/{locale}/", "article": f"/{locale}/{article.slug}/",
                "category": f"/{locale}/category/{article.category}/",
                "search": f"/{locale}/search?q={urllib.parse.quote(word)}",
                "page": f"/{page.locale}/{page.slug}/", "404": f"/{locale}/no-such-page/",
            }
    return pages


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_problem_with_a_light_brand_colour_in_either_scheme(
        yellow_server, chromium_browser, scheme):
    _app, port, pages = yellow_server
    context = chromium_browser.new_context(viewport=VIEWPORTS["desktop"], color_scheme=scheme)
    page = context.new_page()
    check = AxeCheck()
    try:
        for (slug, locale), paths in pages.items():
            for kind in KINDS:
                url = f"http://{slug}.localhost:{port}{paths[kind]}"
                response = page.goto(url)
                assert response.status == (404 if kind == "404" else 200), url
                check(page, f"{scheme} {url}")
        # the scheme did apply: the dark theme's page colour, and the yellow kept for dark pages
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == ("rgb(13, 17, 23)" if scheme == "dark" else "rgb(245, 247, 249)")
        page.goto(f"http://harbourview.localhost:{port}{pages[('harbourview', 'en')]['article']}")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"article-yellow-{scheme}.png"), full_page=True)
        link = page.evaluate("getComputedStyle(document.querySelector('.prose a, .sources a')).color")
        assert (link == "rgb(255, 255, 102)") == (scheme == "dark"), link  # darkened only on light pages
    finally:
        context.close()
    check.assert_clean()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("locale", ["en", "ar"])
def test_every_target_on_an_article_page_is_at_least_24_px(yellow_server, chromium_browser, viewport, locale):
    _app, port, pages = yellow_server
    context = chromium_browser.new_context(viewport=VIEWPORTS[viewport], is_mobile=viewport == "phone")
    page = context.new_page()
    try:
        page.goto(f"http://harbourview.localhost:{port}{pages[('harbourview', locale)]['article']}")
        targets = page.evaluate(MEASURE, IN_SENTENCE)
        assert any(t["cite"] for t in targets), "no citation marker measured"
        assert len(targets) > 20
        small = [f"{t['width']:.1f}×{t['height']:.1f} {t['what']}" for t in targets
                 if t["width"] < 24 or t["height"] < 24]
        assert not small, "\n".join(small)

        labels = page.locator(".sources .backrefs a").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
        assert labels and len(set(labels)) == len(labels), labels
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"article-targets-{locale}-{viewport}.png"), full_page=True)
    finally:
        context.close()


def test_a_printed_article_names_the_clinic_and_its_address(yellow_server, chromium_browser):
    _app, port, pages = yellow_server
    url = f"http://harbourview.localhost:{port}{pages[('harbourview', 'en')]['article']}"
    context = chromium_browser.new_context(viewport=VIEWPORTS["desktop"], color_scheme="dark")
    page = context.new_page()
    try:
        page.goto(url)
        assert not page.locator(".print-source").is_visible()  # on screen: not there
        page.emulate_media(media="print")
        line = page.locator(".print-source")
        assert line.is_visible()
        assert line.locator(".print-source__name").inner_text().strip() == "Harbourview Family Clinic"
        assert line.locator(".print-source__url").inner_text().strip() == url
        assert not page.locator(".site-header").is_visible()
        # black on white on paper, even for a reader whose screen is dark
        assert page.evaluate("getComputedStyle(document.querySelector('.article')).backgroundColor") \
            == "rgb(255, 255, 255)"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "article-print.png"), full_page=True)
        pdf = page.pdf(path=str(ARTIFACTS / "article-print.pdf"))
        assert pdf.startswith(b"%PDF")
    finally:
        context.close()

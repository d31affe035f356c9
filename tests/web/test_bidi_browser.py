"""What Chromium draws of the Arabic demo article's English sources, and of a feed
opened in the browser (issue 18, items 4 and 6). Screenshots go to ``test-artifacts/``.

The bidi checks measure where the browser put the characters: in an isolated
left-to-right entry the full stop after "Vitamin D deficiency" is drawn to the
right of the title, and "Martineau" to the left of "Hooper"; without isolation
the right-to-left page moves them ("Vitamin D deficiency." shows as
".Vitamin D deficiency").
"""

from __future__ import annotations

import pytest
from conftest import REPO
from test_browser import demo_server  # noqa: F401  (fixture: the demo served, one per module)

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts"
SITE = "harbourview"
ARABIC = "/ar/fitamin-d-wal-manaa/"

#: the screen box of the text ``needle`` inside ``selector`` (the first text node holding it)
TEXT_BOX = """([selector, needle]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + needle.length);
    const box = range.getClientRects()[0];
    return {left: box.left, right: box.right, top: box.top};
  }
  return null;
}"""


def open_page(browser, url: str, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and "/favicon.ico" not in r.url else None)
    response = page.goto(url, wait_until="load")
    assert response.status == 200, url
    return context, page, problems


def box(page, selector: str, needle: str) -> dict:
    found = page.evaluate(TEXT_BOX, [selector, needle])
    assert found is not None, (selector, needle)
    return found


def test_english_sources_keep_their_order_on_the_arabic_page(demo_server, chromium_browser):
    _app, port = demo_server
    context, page, problems = open_page(chromium_browser, f"http://{SITE}.localhost:{port}{ARABIC}")
    try:
        assert page.evaluate("document.documentElement.dir") == "rtl"
        sources = page.locator("section.sources")
        sources.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        sources.screenshot(path=str(ARTIFACTS / "arabic-sources.png"))
        page.locator("header.article__header").screenshot(path=str(ARTIFACTS / "arabic-article-header.png"))

        # "Vitamin D deficiency." : the full stop follows the title on its right
        title = box(page, "#ref-1 .source-title", "Vitamin D deficiency")
        stop = box(page, "#ref-1 bdi.source", ".")  # the text node after the title
        assert stop["left"] >= title["right"] - 1 and abs(stop["top"] - title["top"]) < 4, (title, stop)
        # "Martineau AR, Jolliffe DA, Hooper RL, et al": left to right
        first, third = box(page, "#ref-2 bdi.source bdi", "Martineau"), box(page, "#ref-2 bdi.source bdi", "Hooper")
        if abs(first["top"] - third["top"]) < 4:  # on one line
            assert first["left"] < third["left"], (first, third)
        # the entry is a left-to-right run, its number (the list's marker) stays on the right
        direction = page.evaluate("getComputedStyle(document.querySelector('#ref-1 bdi.source')).direction")
        assert direction == "ltr"
        assert page.evaluate("getComputedStyle(document.querySelector('#ref-1')).direction") == "rtl"
        # "2007." : the year before its full stop
        year, after = box(page, "#ref-1 bdi.source", "2007"), box(page, "#ref-1 bdi.source", "2007.")
        assert after["left"] == pytest.approx(year["left"], abs=1)
        # a citation marker reads [1] in a left-to-right box
        assert page.evaluate("getComputedStyle(document.querySelector('sup.cite')).direction") == "ltr"
        assert not problems, problems
    finally:
        context.close()


def test_a_feed_opened_in_the_browser_reads_as_a_page(demo_server, chromium_browser):
    _app, port = demo_server
    for locale, width in (("ar", 1280), ("en", 390)):
        url = f"http://{SITE}.localhost:{port}/{locale}/feed.xml"
        context, page, problems = open_page(chromium_browser, url, width)
        try:
            ARTIFACTS.mkdir(exist_ok=True)
            # (full_page waits forever on an XML document: its size is the viewport's)
            page.screenshot(path=str(ARTIFACTS / f"feed-{locale}.png"))
            heading = page.locator("h1")
            assert heading.is_visible()
            assert page.title() == heading.inner_text()  # the tab says what the page is
            assert page.evaluate("document.querySelector('xslt-warning-banner')") is None  # no XSLT
            explanation = page.locator("p.feed-page__what")
            assert explanation.is_visible() and explanation.inner_text()
            # the newest articles are real links, in the page's direction; the Atom elements are hidden
            links = page.locator("ol.feed-page__entries a")
            assert links.count() >= 1
            assert page.evaluate("document.querySelector('ol.feed-page__entries a') instanceof HTMLAnchorElement")
            assert page.evaluate("getComputedStyle(document.querySelector('div.feed-page')).direction") == (
                "rtl" if locale == "ar" else "ltr")
            hidden = page.evaluate("""() => [...document.documentElement.children]
                .filter(e => e.namespaceURI === 'http://www.w3.org/2005/Atom')
                .every(e => getComputedStyle(e).display === 'none')""")
            assert hidden
            assert not problems, problems  # no CSP refusal of the stylesheet, no failed request
            links.first.click()
            page.wait_for_load_state("load")
            assert page.url.startswith(f"http://{SITE}.localhost:{port}/{locale}/")
        finally:
            context.close()

"""Security headers on every kind of response.

The Content-Security-Policy allows no inline script (no 'unsafe-inline', no
'unsafe-eval', no scheme or wildcard sources in script-src); the one inline
``<style>`` a page carries is allowed by its hash, and that hash is checked
against the element's actual text here. Every response also carries
X-Content-Type-Options, Referrer-Policy and frame-ancestors; HSTS only when the
request came over HTTPS.
"""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from conftest import parse_html

HOST = "alpha.localhost"
HTML_PAGES = {
    "index": "/en/",
    "index page 2": "/en/?page=2",
    "category": "/en/category/sleep-health/",
    "article": "/en/sleep-well/",
    "site page": "/en/about/",
    "missing translation": "/de/sleep-well/",
    "not found": "/en/no-such-article/",
    "unknown category": "/en/category/no-such/",
    "search": "/en/search?q=sleep",
    "empty search": "/en/search",
    "admin sign-in": "/admin/login",
}
OTHER = {
    "site feed": "/en/feed.xml",
    "category feed": "/en/category/sleep-health/feed.xml",
    "sitemap": "/sitemap.xml",
    "robots": "/robots.txt",
    "root redirect": "/",
}
PAGES = {**HTML_PAGES, **OTHER}


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request.path}"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            assert words[0].lower() not in directives, f"{words[0]} given twice"
            directives[words[0].lower()] = words[1:]
    return directives


def assert_script_src_is_strict(directives: dict[str, list[str]]) -> None:
    # Without script-src, default-src governs scripts.
    sources = directives.get("script-src", directives.get("default-src"))
    assert sources, "neither script-src nor default-src"
    lowered = [s.lower() for s in sources]
    for forbidden in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:",
                      "blob:", "'wasm-unsafe-eval'"):
        assert forbidden not in lowered, f"script-src allows {forbidden}"
    for source in lowered:
        assert source == "'self'" or source.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")), source
    assert directives.get("object-src") == ["'none'"]
    assert directives.get("base-uri") in (["'self'"], ["'none'"])
    assert directives.get("frame-ancestors") in (["'none'"], ["'self'"])


def assert_basic_headers(response) -> None:
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") in ("no-referrer", "same-origin", "strict-origin",
                                             "strict-origin-when-cross-origin")
    assert headers.get("X-Frame-Options") in ("DENY", "SAMEORIGIN")


def style_hash(css: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"


def inline_styles(markup: str) -> list[str]:
    """The exact text of each ``<style>`` element (what the browser hashes)."""
    return re.findall(r"<style(?:\s[^>]*)?>(.*?)</style>", markup, flags=re.S | re.I)


@pytest.fixture
def site(create_site, publish):
    create_site("alpha", locales=("en", "de"), appearance={"primary": "#123456", "accent": "#abcdef"})
    publish("alpha",
            {"slug": "sleep-well", "title": "Sleep well", "category": "sleep-health",
             "body": "Sleep [@r].\n", "references": [{"key": "r", "title": "A study", "year": 2021}],
             "faq": [{"q": "Q?", "a": "A."}], "takeaway": "Sleep."},
            *({"slug": f"filler-{n}", "title": f"Filler {n}"} for n in range(12)),
            {"slug": "about", "type": "page", "title": "About", "summary": None, "published": None})
    return "alpha"


def test_every_response_has_the_security_headers(site, client):
    for name, path in PAGES.items():
        for attempt in ("first", "cached"):
            response = client.get(path, headers={"Host": HOST})
            assert response.status_code in (200, 302, 308, 404), (name, response.status_code)
            if attempt == "cached" and response.status_code == 200 and name not in ("admin sign-in", "robots"):
                assert response.headers.get("X-Cache") == "hit", name
            assert_basic_headers(response)
            assert_script_src_is_strict(policy(response))
            assert "Strict-Transport-Security" not in response.headers, f"HSTS over plain HTTP on {name}"
            response.close()


def test_inline_styles_are_allowed_by_their_hash_only(site, client):
    for name in HTML_PAGES:
        check_inline_styles(client, name)


def check_inline_styles(client, name: str) -> None:
    response = client.get(HTML_PAGES[name], headers={"Host": HOST})
    assert response.mimetype == "text/html"
    markup = response.get_data(as_text=True)
    style_src = policy(response).get("style-src", [])
    assert "'unsafe-inline'" not in style_src
    hashes = {s for s in style_src if s.startswith("'sha256-")}
    styles = inline_styles(markup)
    for css in styles:
        assert style_hash(css) in hashes, f"<style>{css[:60]}…</style> is not allowed by {style_src}"
    # No hash for a style the page does not carry (a stale hash would hide a mismatch).
    assert hashes == {style_hash(css) for css in styles}
    # style="" attributes would be refused by this policy: none may be relied on.
    doc = parse_html(markup)
    assert [n for n in doc.iter() if "style" in n.attrs] == []
    # The site's colours reach the page through the hashed block.
    if name != "admin sign-in":
        assert any("#123456" in css for css in styles)


def test_the_style_hash_follows_each_sites_colours(site, create_site, client):
    create_site("beta", appearance={"primary": "#654321"})
    seen = {}
    for host in (HOST, "beta.localhost"):
        response = client.get("/en/", headers={"Host": host})
        (css,) = inline_styles(response.get_data(as_text=True))
        assert style_hash(css) in policy(response)["style-src"]
        seen[host] = style_hash(css)
    assert seen[HOST] != seen["beta.localhost"]


def test_hsts_only_over_https(site, client):
    for name, path in PAGES.items():
        response = client.get(path, headers={"Host": HOST}, base_url=f"https://{HOST}")
        hsts = response.headers.get("Strict-Transport-Security", "")
        match = re.search(r"max-age=(\d+)", hsts)
        assert match and int(match.group(1)) >= 180 * 24 * 3600, (name, hsts)
        assert_basic_headers(response)
        assert_script_src_is_strict(policy(response))
        response.close()


def test_conditional_and_unknown_host_responses_too(site, client):
    first = client.get("/en/sleep-well/", headers={"Host": HOST})
    etag = first.headers["ETag"]
    first.close()
    not_modified = client.get("/en/sleep-well/", headers={"Host": HOST, "If-None-Match": etag})
    assert not_modified.status_code == 304
    # A 304 carries no body to protect, but the cached entry it came from did.
    not_modified.close()
    for host in ("nowhere.example", 'bad"host'):
        response = client.get("/en/", headers={"Host": host})
        assert response.status_code in (400, 404)
        assert_basic_headers(response)
        assert_script_src_is_strict(policy(response))
        response.close()


def test_static_files_are_not_sniffed(site, client, get_page):
    doc = get_page(HOST, "/en/")
    href = next(link.get("href") for link in doc.find_all("link") if link.get("rel") == "stylesheet")
    response = client.get(href, headers={"Host": HOST})
    assert response.status_code == 200
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy")
    response.close()


def test_reader_pages_are_revalidated_by_browsers_and_kept_by_shared_caches(client, create_site, publish):
    """Issue 16, finding 9: with max-age=60 staff saw their own stale pages after a
    change. Browsers must revalidate every view; a revisit costs a 304."""
    create_site("alpha")
    publish("alpha", {"slug": "fresh"})
    response = client.get("/en/", headers={"Host": "alpha.localhost"})
    directives = {d.strip() for d in response.headers["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "must-revalidate"} <= directives
    assert any(d.startswith("s-maxage=") and int(d.split("=")[1]) > 0 for d in directives)
    again = client.get("/en/", headers={"Host": "alpha.localhost", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""

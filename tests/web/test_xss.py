"""Hostile content: 250 XSS / HTML-injection payloads (tests/xss/payloads.py) pushed
through every input that reaches a page, and no page runs or carries an active vector.

Inputs, each through the same code path the CLI or the admin uses:

* articles and site pages, in the authoring format and ``clinicjournal content import``:
  title, summary, author, reviewer, takeaway, FAQ questions and answers, body (in
  Markdown contexts: paragraph, link text and target, image, autolink, reference
  definition, heading, list, quote, table), references (title, URL, container,
  authors, kind); in English and German;
* the site: name, tagline, colours and logo (``manage.update_site``);
* plugin settings: the disclaimer's text (per language) and link, the structured
  data plugin's Twitter handle (``plugin_settings.update_settings``);
* search queries (``/<locale>/search?q=``);
* the UI translations: every German ``msgstr`` of every catalog (core and plugins)
  in a temporary copy of the catalogs is replaced by a payload.

Refusing an input (``ConfigError``, ``AuthoringError``) is fine; rendering it as
markup is not. Pages are checked in the DOM of headless Chromium (with the CSP
bypassed, so the sanitiser alone is tested, and again with it enforced), where a
trap records any script that runs, and with ``html.parser`` for the same properties
(fast, no browser).
"""

from __future__ import annotations

import re
import shutil
from types import SimpleNamespace
from xml.etree import ElementTree as ET

import pytest
from conftest import dispose, parse_html, serve
from xss.install import (
    ALL_URLS,
    CONTENT_CHUNKS,
    CONTENT_URLS,
    FAST_ARGON2,
    NAME_CHUNKS,
    NAME_URLS,
    PASSWORD,
    PINNED_TRANSLATIONS,
    TITLE_LIMIT,
    build_content_site,
    build_name_site,
    document,
    fit,
    hostile_catalogs,
)
from xss.payloads import EVALUATED, GROUPS, PAYLOADS
from xss.vectors import DOM_CHECK, TRAP, active_vectors, assert_inert, script_url

from clinicjournal import create_app, i18n
from clinicjournal.content.authoring import AuthoringError, parse_document
from clinicjournal.platform.settings import update_settings
from clinicjournal.store import db, manage

# -- the hostile install (built by xss/install.py; what is inert: xss/vectors.py) ----------------

@pytest.fixture(scope="module")
def hostile(tmp_path_factory, sqlite_template, static_build_dir):
    folder = tmp_path_factory.mktemp("xss")
    database = folder / "xss.sqlite"
    shutil.copyfile(sqlite_template, database)
    assigned: dict[str, str] = {}
    real = i18n.catalog_dirs
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(i18n, "catalog_dirs",
                      lambda plugins: hostile_catalogs(real(plugins), folder / "catalogs", assigned))
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "xss",
                          "INSTANCE_PATH": str(folder), "STATIC_BUILD_DIR": str(static_build_dir),
                          "PER_PAGE": 50, "ARGON2_PARAMETERS": FAST_ARGON2, "LOCALHOST_SITES": True},
                         check_schema=True)
    try:
        names = [build_name_site(app, i, chunk) for i, chunk in enumerate(NAME_CHUNKS)]
        content = [build_content_site(app, folder / "content", i, chunk) for i, chunk in enumerate(CONTENT_CHUNKS)]
        yield SimpleNamespace(app=app, names=names, content=content, translations=assigned)
    finally:
        dispose(app)


# -- the corpus itself -----------------------------------------------------------------------------

def test_the_corpus_is_large_and_varied():
    assert len(PAYLOADS) >= 150
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert all(len(group) >= 5 for group in GROUPS.values())
    numbers = re.findall(r"(?:alert|__xss|msgbox|MsgBox)\(?[`(](\d+)", "\n".join(PAYLOADS))
    assert len(numbers) > 150


def test_most_payloads_got_in_somewhere(hostile):
    """Refusals are allowed, but the test must not pass by refusing everything."""
    for sites, field in ((hostile.content, "article fields"), (hostile.content, "article body"),
                         (hostile.names, "name"), (hostile.content, "tagline"),
                         (hostile.content, "disclaimer text de")):
        taken = sum(len(s[field]) for s in sites)
        assert taken >= 0.95 * len(PAYLOADS), (field, taken)
    # Each refusal was a clean ConfigError/AuthoringError (anything else fails the build);
    # what was refused from article fields is what no database could store.
    refused = {p for s, chunk in zip(hostile.content, CONTENT_CHUNKS) for p in chunk if p not in s["article fields"]}
    assert all(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", p) for p in refused), refused


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,x", "vbscript:x",
                                 "//evil.example/x", "/relative"])
def test_reference_urls_must_be_http(url):
    text = document("x", "en", ["A source"], []).replace("url: https://example.org/A source", f"url: '{url}'")
    assert f"url: '{url}'" in text
    with pytest.raises(AuthoringError, match="must start with http"):
        parse_document(text, source="x.md")


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x1b[31m", "\x7f"])
def test_control_characters_are_refused_where_they_enter(bad, app, create_site):
    """NUL cannot be stored in PostgreSQL at all; none of them is text anyone means."""
    for front, body in (([f"Title {bad}"], []), ([], [f"Body {bad}"])):
        with pytest.raises(AuthoringError, match="control character"):
            parse_document(document("x", "en", front, body), source="x.md")
    create_site("alpha")
    plugins = app.extensions["clinicjournal"].plugins
    with app.app_context():
        sess = db.session()
        site = manage.get_site(sess, "alpha")
        with pytest.raises(manage.ConfigError, match="control character"):
            manage.update_site(sess, site, name=f"Name {bad}")
        with pytest.raises(manage.ConfigError, match="control character"):
            manage.update_site(sess, site, appearance={"tagline": f"Tag {bad}"})
        with pytest.raises(manage.ConfigError, match="control character"):
            update_settings(sess, site, "disclaimer", plugins.setting_specs("disclaimer"), {"text": f"T {bad}"})


@pytest.mark.parametrize("appearance", [{"primary": "red;}</style><script>alert(1)</script>"},
                                        {"accent": "#fff;background:url(javascript:alert(1))"},
                                        {"logo": "javascript:alert(1)"}, {"logo": '/x" onerror="alert(1)'},
                                        {"logo": "data:image/svg+xml,<svg onload=alert(1)>"}, {"primary": 12}])
def test_new_sites_get_the_same_appearance_checks_as_changed_ones(app, appearance):
    with app.app_context():
        sess = db.session()
        with pytest.raises(manage.ConfigError):
            manage.create_site(sess, "alpha", "Alpha", ["en"], appearance=appearance)
        sess.rollback()
        site = manage.create_site(sess, "alpha", "Alpha", ["en"])
        with pytest.raises(manage.ConfigError):
            manage.update_site(sess, site, appearance=appearance)


# -- without a browser: html.parser -----------------------------------------------------------------

def test_no_page_carries_an_active_vector(hostile):
    client = hostile.app.test_client()
    for host, path, status in ALL_URLS:
        response = client.get(path, headers={"Host": host})
        assert response.status_code == status, (host, path, response.status_code)
        assert_inert(parse_html(response.get_data(as_text=True)), f"{host}{path}")


def test_hostile_text_is_shown_as_text(hostile):
    client = hostile.app.test_client()
    for index, stats in enumerate(hostile.content):
        host = f"c{index:02d}.localhost"
        doc = parse_html(client.get("/en/hostile/", headers={"Host": host}).get_data(as_text=True))
        title = fit(stats["article fields"], TITLE_LIMIT)
        assert doc.one("h1").text() == " ".join(title.split())
        assert doc.find("meta", name="description").get("content") == " ".join(stats["article fields"]).strip()
        faq = [n.text() for n in doc.find_all("h3") if n.parent and "faq__item" in n.parent.classes]
        assert faq == [" ".join(p.split()) for p in stats["article fields"]]
        disclaimer = doc.one("aside", cls="disclaimer").text()
        assert " ".join(" ".join(stats["disclaimer text en"]).split()) in disclaimer
    for index, stats in enumerate(hostile.names):
        doc = parse_html(client.get("/en/", headers={"Host": f"n{index:02d}.localhost"}).get_data(as_text=True))
        assert doc.one("span", cls="site-brand__name").text() == " ".join(" ".join(stats["name"]).split())


def test_every_payload_as_a_search_query(hostile):
    client = hostile.app.test_client()
    for payload in PAYLOADS:
        response = client.get("/en/search", query_string={"q": payload}, headers={"Host": "c00.localhost"})
        assert response.status_code == 200, payload
        doc = parse_html(response.get_data(as_text=True))
        assert_inert(doc, f"search {payload!r}")


def test_hostile_translations_are_text(hostile):
    client = hostile.app.test_client()
    doc = parse_html(client.get("/de/feindlich/", headers={"Host": "c00.localhost"}).get_data(as_text=True))
    assert doc.one("a", cls="skip-link").text() == PINNED_TRANSLATIONS["Skip to content"]
    assert doc.one("span", cls="site-brand__tag").text() == PINNED_TRANSLATIONS["Health Journal"]
    assert PINNED_TRANSLATIONS["Medical disclaimer:"] in doc.one("aside", cls="disclaimer").text()
    assert_inert(doc, "German page")


FEED_PAGE_TAGS = {"div", "title", "h1", "h2", "p", "code", "a", "ol", "li", "time"}
FEED_PAGE_ATTRIBUTES = {"class", "lang", "dir", "href", "datetime"}


def test_feeds_and_sitemap_carry_no_markup(hostile):
    client = hostile.app.test_client()
    hosts = [f"c{i:02d}.localhost" for i in range(len(CONTENT_CHUNKS))] + [u[0] for u in NAME_URLS]
    for host in hosts:
        for path in ("/en/feed.xml", "/de/feed.xml", "/en/category/sleep-health/feed.xml", "/sitemap.xml"):
            response = client.get(path, headers={"Host": host})
            assert response.status_code == 200, (host, path)
            root = ET.fromstring(response.data)  # well-formed, whatever the titles held
            for element in root.iter():
                local = element.tag.rsplit("}", 1)[-1]
                assert local not in ("script", "iframe", "object", "embed", "svg"), (path, element.tag)
                if element.tag.startswith("{http://www.w3.org/1999/xhtml}"):
                    # the sitemap's hreflang links, and the page a browser shows of a feed
                    # (live HTML there): the core's elements, attributes and links only
                    if path == "/sitemap.xml":
                        assert local == "link", (path, element.tag)
                    else:
                        assert local in FEED_PAGE_TAGS, (path, element.tag)
                        assert set(element.attrib) <= FEED_PAGE_ATTRIBUTES, (path, element.tag, element.attrib)
                        href = element.get("href")
                        assert href is None or href.startswith(f"http://{host}/"), (path, href)
                kind = element.get("type")
                assert kind in (None, "text", "html") or element.tag.endswith("link"), (path, element.tag, kind)
                if kind == "html":  # a feed reader renders it: it must be inert HTML
                    assert_inert(parse_html(element.text or ""), f"{host}{path} {local}")
                for name, value in element.attrib.items():
                    assert not script_url(value), (path, element.tag, name, value)
            assert EVALUATED.encode() not in response.data


def test_admin_pages_show_hostile_content_as_text(hostile):
    from admin_support import AdminClient
    from sqlalchemy import select

    from clinicjournal.admin import accounts
    from clinicjournal.store.models import Article

    app = hostile.app
    with app.app_context():
        sess = db.session()
        if accounts.find_user(sess, "root@example.org") is None:
            accounts.create_user(sess, "root@example.org", PASSWORD, name=NAME_CHUNKS[0][0], network_admin=True,
                                 ph=accounts.hasher(FAST_ARGON2))
            sess.commit()
        ids = {}
        for index in range(len(CONTENT_CHUNKS)):
            site = manage.get_site(sess, f"c{index:02d}")
            ids[site.slug] = sess.scalar(select(Article.id).where(Article.site_id == site.id,
                                                                  Article.slug == "hostile"))
    admin = AdminClient(app, "c00.localhost")
    admin.login("root@example.org")
    pages = ["/admin/", "/admin/audit"]
    for slug, article_id in ids.items():
        pages += [f"/admin/{slug}/", f"/admin/{slug}/articles/", f"/admin/{slug}/articles/{article_id}",
                  f"/admin/{slug}/articles/{article_id}/preview", f"/admin/{slug}/articles/{article_id}/revisions/",
                  f"/admin/{slug}/settings", f"/admin/{slug}/plugins", f"/admin/{slug}/plugins/disclaimer",
                  f"/admin/{slug}/review", f"/admin/{slug}/members"]
    for path in pages:
        response = admin.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert_inert(parse_html(response.get_data(as_text=True)), path)


# -- in Chromium ------------------------------------------------------------------------------------

FOREIGN = re.compile(r"^(?!https?://(?:[^/?#]*\.)?localhost(?::\d+)?(?:[/?#]|$))")


def images_refused(app):
    """The hostile pages ask for hundreds of images at hostile relative URLs: answer
    them at once, before Flask (an error still fires any handler an image carries)."""

    def wsgi(environ, start_response):
        if environ.get("HTTP_ACCEPT", "").startswith("image/") or environ.get("PATH_INFO") == "/favicon.ico":
            start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
            return [b""]
        return app(environ, start_response)

    return wsgi


@pytest.fixture(scope="module")
def hostile_server(hostile):
    with serve(images_refused(hostile.app), "xss-server", quiet=True) as port:
        yield port


@pytest.fixture(scope="module")
def chromium(chromium_browser):
    return chromium_browser


def visit_all(browser, port: int, urls, *, bypass_csp: bool) -> list[str]:
    """Load every URL in one tab; returns what ran, what the DOM holds, what CSP refused."""
    context = browser.new_context(bypass_csp=bypass_csp)
    context.add_init_script(TRAP)
    outside: list[str] = []

    def refuse(r) -> None:
        # Nothing leaves the machine; a script, frame or page asked for elsewhere is noted.
        if r.request.resource_type in ("script", "sub_frame", "object", "document"):
            outside.append(f"{r.request.resource_type} {r.request.url}")
        r.abort()

    context.route(FOREIGN, refuse)  # a regex: local requests never wait for Python
    page = context.new_page()
    found: list[str] = []
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
    page.on("popup", lambda p: found.append(f"popup {p.url}"))
    try:
        for host, path, status in urls:
            url = f"http://{host}:{port}{path}"
            response = page.goto(url, wait_until="load")
            assert response is not None and response.status == status, (url, response and response.status)
            where = f"{host}{path}"
            if page.url != url:
                found.append(f"{where}: navigated away to {page.url}")
            hits, problems, evaluated = page.evaluate(
                f"[window.__xss_hits, ({DOM_CHECK})(), document.documentElement.outerHTML.includes({EVALUATED!r})]")
            # (An image from elsewhere refused by img-src is content, not script.)
            found += [f"{where}: {hit}" for hit in hits if not hit.startswith("csp img-src")]
            found += [f"{where}: {problem}" for problem in problems]
            if evaluated:
                found.append(f"{where}: a template expression was evaluated")
            found += [f"{where}: dialog {d}" for d in dialogs]
            dialogs.clear()
    finally:
        context.close()
    return found + outside


@pytest.mark.browser
def test_no_script_runs_and_no_vector_is_in_the_dom_even_without_csp(hostile_server, chromium):
    """The sanitiser alone: the CSP is bypassed, so an injected script would run."""
    found = visit_all(chromium, hostile_server, ALL_URLS, bypass_csp=True)
    assert found == [], found[:20]


@pytest.mark.browser
def test_the_csp_refuses_nothing_on_hostile_pages(hostile_server, chromium):
    """With the CSP enforced, nothing on these pages even tries what it forbids."""
    urls = [u for u in CONTENT_URLS if u[1] in ("/en/hostile/", "/de/feindlich/") or u[0] == "c00.localhost"]
    found = visit_all(chromium, hostile_server, urls, bypass_csp=False)
    assert found == [], found[:20]


UNSAFE_PAGE = b"""<!doctype html><html><head><title>t</title></head><body>
<img src="x" onerror="__xss(1)"><script>alert(2)</script><a href=" JaVaScRiPt:alert(3)">a</a>
<iframe srcdoc="x"></iframe><div style="background:url(javascript:alert(4))">d</div>
<svg><a xlink:href="javascript:alert(5)"><text>t</text></a></svg></body></html>"""


@pytest.mark.browser
def test_the_browser_checks_catch_a_real_injection(chromium):
    """Guards the guard: an unsanitised page trips the trap, the dialog listener and the DOM check."""
    def unsafe(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [UNSAFE_PAGE]

    with serve(unsafe, "guard-server", quiet=True) as port:
        found = " | ".join(visit_all(chromium, port, [("guard.localhost", "/", 200)], bypass_csp=True))
    for expected in ("__xss(1)", "dialog alert: 2", "img onerror", "script:", "a href", "<iframe>",
                     "style=", "<svg>", "xlink:href"):
        assert expected in found, (expected, found)


def test_the_checks_catch_what_they_look_for():
    """Guards the guard: html.parser checks flag each kind of vector."""
    samples = {
        "<script>alert(1)</script>": 1, '<img src=x onerror="alert(1)">': 1, '<a href=" JaVa\tScRiPt:x">y</a>': 1,
        '<a href="&#106;avascript:x">y</a>': 1, "<iframe srcdoc='x'></iframe>": 2, "<svg><a xlink:href='data:x'></a></svg>": 2,
        '<meta http-equiv="Refresh" content="0">': 1, '<div style="background:url(x)">': 1,
        '<form action="vbscript:x"></form>': 2, '<script type="application/ld+json">{"a": 1}</script>': 0,
        '<script type="application/ld+json">{"a": </script>': 1, '<img srcset="a 1x, javascript:b 2x">': 1,
        '<base href="/">': 1, '<embed src="x">': 1, '<object data="x"></object>': 1,
    }
    for markup, expected in samples.items():
        found = active_vectors(parse_html(f"<html><head></head><body>{markup}</body></html>"))
        assert len(found) == expected, (markup, found)

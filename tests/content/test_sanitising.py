"""Author- and plugin-supplied HTML never reaches a page as active markup.

Pages are parsed (stdlib ``html.parser``) and every element and attribute is checked,
rather than searching the text for "<script>".
"""

from __future__ import annotations

import re

import pytest

from clinicjournal import Contribution, hookimpl

HOST = "alpha.localhost"
SCRIPT_URL = re.compile(r"^(javascript|vbscript|data:text/html)", re.I)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset", "background"}
DANGEROUS_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "svg", "math"}
# The site's own templates may have forms (search); author and plugin content may not.
FORM_TAGS = {"form", "input", "button", "textarea", "select"}


def active_markup(root) -> list[str]:
    """Everything in ``root`` that could run script or pull in a foreign document."""
    problems = []
    for node in root.iter():
        if node.tag == "script" and node.get("type") != "application/ld+json":
            problems.append(f"<script> {node.text()[:40]!r}")
        if node.tag in DANGEROUS_TAGS:
            problems.append(f"<{node.tag}>")
        if node.tag in FORM_TAGS and any(a.tag == "article" for a in node.ancestors()):
            problems.append(f"<{node.tag}> in an article")
        if node.tag == "meta" and (node.get("http-equiv") or "").lower() == "refresh":
            problems.append("<meta http-equiv=refresh>")
        for name, value in node.attrs.items():
            if name.startswith("on"):
                problems.append(f"<{node.tag} {name}=...>")
            cleaned = re.sub(r"[\x00-\x20]", "", value or "")
            if name in URL_ATTRIBUTES and SCRIPT_URL.match(cleaned):
                problems.append(f"<{node.tag} {name}={value!r}>")
    return problems


def styles_outside_head(doc) -> list:
    head = doc.one("head")
    return [n for n in doc.iter() if n.tag == "style" and head not in n.ancestors()]


PAYLOAD = '<script>alert("x")</script><img src=x onerror="alert(1)"><a href="javascript:alert(2)">link</a>'

EVIL = {
    "slug": "evil",
    "title": 'Title <script>alert("title")</script><img src=x onerror=alert(1)>',
    "summary": 'Summary "><script>alert("summary")</script>',
    "author": '<script>alert("author")</script>',
    "reviewer": '<b onmouseover="alert(1)">Dr</b>',
    "reviewed": "2025-01-01",
    "category": "immune-health",
    "takeaway": "Takeaway " + PAYLOAD,
    "faq": [{"q": 'Question <b onmouseover="alert(3)">bold</b>?', "a": "Answer " + PAYLOAD}],
    "references": [{"key": "r1", "title": "Ref <script>alert('ref')</script>", "kind": '<img src=x onerror=alert(5)>',
                    "container": "<iframe src='https://evil.example/'></iframe>", "authors": ["<svg onload=alert(6)>"],
                    "doi": '10.1/"><script>alert(7)</script>', "url": 'https://example.org/" onclick="alert(8)'}],
    "body": (
        'Intro [@r1].\n\n'
        '<script>alert("body")</script>\n\n'
        '<img src="x" onerror="alert(\'img\')">\n\n'
        '<iframe src="https://evil.example/"></iframe>\n\n'
        '<svg onload="alert(1)"></svg>\n\n'
        '<style>body { display: none }</style>\n\n'
        '<a href="javascript:alert(\'raw\')">raw link</a>\n\n'
        "[inline js](javascript:alert('inline')) and [upper](JaVaScRiPt:alert(1)) and "
        "[entity](&#106;avascript:alert(1)) and [spaced]( javascript:alert(1)) and "
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) and [vb](vbscript:msgbox(1)).\n\n"
        "[ref style][evil]\n\n[evil]: javascript:alert('refdef')\n\n"
        "<javascript:alert('autolink')>\n\n"
        "![image](javascript:alert('img'))\n\n"
        "## Heading <script>alert('h2')</script>\n\n"
        "<!-- a comment --><div onclick=\"alert('div')\">div</div>\n"
    ),
}


@pytest.fixture
def evil_site(create_site, publish):
    create_site("alpha")
    publish("alpha", EVIL)
    return "alpha"


def test_author_html_never_becomes_active_markup(evil_site, get_page):
    for path in ("/en/evil/", "/en/", "/en/category/immune-health/"):
        doc = get_page(HOST, path)
        assert active_markup(doc) == [], path
        assert styles_outside_head(doc) == [], path
        assert all("style" not in n.attrs for n in doc.one("main").iter()), path


def test_author_html_is_shown_as_text(evil_site, get_page):
    doc = get_page(HOST, "/en/evil/")
    assert doc.one("h1").text() == EVIL["title"]
    assert doc.one("p", cls="lede").text() == EVIL["summary"]
    assert doc.find("meta", name="description").get("content") == EVIL["summary"]
    body = doc.one("div", cls="article__body")
    assert 'alert("body")' in body.text()  # the script is visible as text, not run
    faq = doc.one("section", cls="faq")
    assert EVIL["faq"][0]["q"] in faq.text()
    assert doc.one("aside", cls="takeaway").one("p").text() == EVIL["takeaway"]
    assert "Ref <script>alert('ref')</script>" in doc.one("section", cls="sources").text()


def test_links_keep_only_safe_schemes(evil_site, get_page):
    body = get_page(HOST, "/en/evil/").one("div", cls="article__body")
    for a in body.find_all("a"):
        href = a.get("href")
        assert href is None or href.startswith(("#", "/", "http://", "https://", "mailto:", "tel:", "../")), href


def test_unknown_host_name_is_escaped(client, create_site, html):
    create_site("alpha")
    response = client.get("/en/", headers={"Host": 'x"><script>alert(1)</script>.example'})
    assert response.status_code in (400, 404)
    assert active_markup(html.parse(response.get_data(as_text=True))) == []


class HostilePlugin:
    """Returns active markup from every hook a plugin can put HTML through."""

    @hookimpl
    def template_slot(self, slot, ctx):
        if slot in ("article_body_end", "sidebar", "page_footer"):
            return Contribution(f'<div class="hostile-{slot}" onclick="alert(1)">plugin text {slot}'
                                f'<script>alert("{slot}")</script><a href="javascript:alert(1)">x</a>'
                                f'<iframe src="https://evil.example/"></iframe></div>')
        return None

    @hookimpl
    def html_transforms(self, site):
        return [lambda html, ctx: html + '<p class="transformed">transformed<script>alert("t")</script>'
                                         '<img src=x onerror=alert(1)></p>']


def test_plugin_html_is_sanitised_too(app, create_site, publish, get_page):
    app.extensions["clinicjournal"].plugins.register(HostilePlugin(), "hostile")
    create_site("alpha")
    publish("alpha", {"slug": "plain", "body": "Plain text.\n"})
    doc = get_page(HOST, "/en/plain/")
    assert active_markup(doc) == []
    # The harmless part of the plugin's HTML is kept.
    assert "plugin text article_body_end" in doc.one("div", cls="hostile-article_body_end").text()
    assert doc.one("p", cls="transformed").text() == 'transformed'


def test_the_checker_itself_finds_active_markup(html):
    """Guards the guard: the payloads above would be caught if they got through."""
    found = active_markup(html.parse("<article>" + PAYLOAD + '<a href=" JAVA\tSCRIPT:x">y</a><iframe></iframe>'
                                     '<form><input></form></article>'))
    assert len(found) == 7, found
    assert styles_outside_head(html.parse("<html><head></head><body><style>x</style></body></html>"))

"""The page cache's key: a cached answer is the answer a fresh render gives that request.

Property (Hypothesis): whatever requests came before, an app with the page cache
(``CACHE_TYPE = "simple"``) answers a request byte for byte as an app without it
(``CACHE_TYPE = "null"``) on the same database does: the same status, the same
headers (but ``Date``, which tells the time, and ``X-Cache``) and the same body.
Requests are built from the headers proxies, browsers and attackers send and the
environ values a WSGI server sets (gunicorn sets ``wsgi.url_scheme`` from the
X-Forwarded-Proto / X-Forwarded-Ssl of a trusted proxy, ``SCRIPT_NAME`` from its
settings). Both apps trust one proxy (``PROXY_FIX = 1``), where forwarded headers
change canonical URLs, hreflang, JSON-LD, form actions and HSTS.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

HOST = "alpha.localhost"
PATHS = ["/en/", "/en/?page=1", "/de/", "/en/live/", "/en/about/", "/en/category/sleep-health/", "/en/feed.xml",
         "/en/category/sleep-health/feed.xml", "/sitemap.xml", "/robots.txt", "/en/search?q=sleep", "/",
         "/en/missing/"]
#: stands for the ETag a fresh render of the same request (without conditions) carries
ETAG = "<the page's own ETag>"
#: stands for a session cookie the app signed (a reader who opened the sign-in page has one)
SIGNED = "<a signed session cookie>"
HEADERS = {
    "Host": ["alpha.localhost", "ALPHA.localhost", "alpha.localhost:80", "alpha.localhost:443",
             "alpha.localhost:8080", "Alpha.LocalHost:8443"],
    "X-Forwarded-Proto": ["https", "http", "HTTPS", "https, http", "wss"],
    "X-Forwarded-Host": ["attacker.example", "ALPHA.localhost:9000"],
    "X-Forwarded-Port": ["443", "8443"],
    "X-Forwarded-Prefix": ["/journal", "//attacker.example"],
    "X-Forwarded-Ssl": ["on"],
    "X-Forwarded-For": ["203.0.113.9", "203.0.113.9, 198.51.100.7"],
    "Forwarded": ["for=203.0.113.9;proto=https;host=attacker.example"],
    "X-Original-URL": ["/admin/"],
    "Accept-Language": ["de", "fr;q=0.9, en;q=0.1", "*"],
    "Accept-Encoding": ["gzip", "br, gzip, deflate", "identity"],
    "Accept": ["application/json", "text/html;q=0.1, application/xml"],
    "Cookie": [SIGNED, "session=forged.value.signature", "theme=dark", "session="],
    "If-None-Match": [ETAG, "*", '"nope"', 'W/"nope", "also-nope"'],
    "If-Modified-Since": ["Fri, 01 Jan 2100 00:00:00 GMT", "Mon, 01 Jan 1990 00:00:00 GMT", "garbage"],
    "If-Match": ["*", '"nope"'],
    "Range": ["bytes=0-9"],
    "X-Requested-With": ["XMLHttpRequest"],
    "User-Agent": ["Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0"],
    "Cache-Control": ["no-cache"],
    "Referer": ["https://attacker.example/"],
}
ENVIRON = {
    "SCRIPT_NAME": ["/journal", "//attacker.example", "/j/"],
    "wsgi.url_scheme": ["https"],
    "SERVER_PORT": ["8443"],
}
CONDITIONS = ("If-None-Match", "If-Modified-Since", "If-Match", "Range")
NOT_COMPARED = ("date", "x-cache")
assert sum(map(len, HEADERS.values())) + sum(map(len, ENVIRON.values())) >= 30

REQUEST = st.tuples(
    st.sampled_from(["GET", "GET", "HEAD"]),
    st.fixed_dictionaries({"Host": st.sampled_from(HEADERS["Host"])},
                          optional={name: st.sampled_from(values) for name, values in HEADERS.items()
                                    if name != "Host"}),
    st.fixed_dictionaries({}, optional={name: st.sampled_from(values) for name, values in ENVIRON.items()}),
)
PROPERTY = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def apps(make_app, create_site, publish):
    """The same install twice: with the page cache and without."""
    create_site("alpha", locales=("en", "de"))
    publish("alpha", {"slug": "live", "title": "Already live", "category": "sleep-health"},
            {"slug": "about", "title": "About us", "type": "page", "summary": None},
            {"slug": "heute", "locale": "de", "title": "Heute", "category": "sleep-health"})
    return make_app(CACHE_TYPE="simple", PROXY_FIX=1), make_app(CACHE_TYPE="null", PROXY_FIX=1)


def answer(app, method: str, path: str, headers: dict, environ: dict) -> tuple:
    response = app.test_client(use_cookies=False).open(
        path, method=method, headers=headers, environ_overrides=environ, buffered=True)
    kept = sorted((name.lower(), value) for name, value in response.headers if name.lower() not in NOT_COMPARED)
    return response.status, kept, response.get_data()


def concrete(app, path: str, headers: dict, environ: dict) -> dict:
    """``headers`` with the stand-ins replaced by the real values."""
    if headers.get("Cookie") == SIGNED:
        signed = app.session_interface.get_signing_serializer(app).dumps({"csrf_token": "0123abcd"})
        headers = {**headers, "Cookie": f"session={signed}"}
    if headers.get("If-None-Match") == ETAG:
        plain = {name: value for name, value in headers.items() if name not in CONDITIONS}
        _status, kept, _body = answer(app, "GET", path, plain, environ)
        headers = {**headers, "If-None-Match": dict(kept).get("etag", '"none"')}
    return headers


@PROPERTY
@given(path=st.sampled_from(PATHS), requests=st.lists(REQUEST, min_size=1, max_size=4))
@example(path="/en/", requests=[("GET", {"Host": HOST}, {"SCRIPT_NAME": "//attacker.example"}),
                                ("GET", {"Host": HOST}, {})])
@example(path="/en/live/", requests=[("GET", {"Host": HOST}, {}),
                                     ("GET", {"Host": HOST, "X-Forwarded-Proto": "https"}, {})])
@example(path="/sitemap.xml", requests=[("GET", {"Host": HOST, "X-Forwarded-Proto": "https"}, {}),
                                        ("GET", {"Host": HOST}, {})])
@example(path="/en/feed.xml", requests=[("GET", {"Host": HOST}, {"wsgi.url_scheme": "https"}),
                                        ("GET", {"Host": "ALPHA.localhost:8080"}, {}), ("GET", {"Host": HOST}, {})])
@example(path="/en/", requests=[("GET", {"Host": HOST}, {}),
                                ("GET", {"Host": HOST, "If-None-Match": ETAG}, {}),
                                ("GET", {"Host": HOST, "If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, {})])
@example(path="/robots.txt", requests=[("HEAD", {"Host": HOST}, {}), ("GET", {"Host": HOST}, {})])
def test_a_cached_answer_is_what_a_fresh_render_gives_that_request(apps, path, requests):
    cached, fresh = apps
    cached.extensions["clinicjournal"].page_cache.store.clear()  # each example from an empty cache
    for number, (method, headers, environ) in enumerate(requests):
        headers = concrete(fresh, path, headers, environ)
        got = answer(cached, method, path, headers, environ)
        want = answer(fresh, method, path, headers, environ)
        assert got == want, (f"request {number + 1} of {requests}", method, path, headers, environ)


def test_a_page_rendered_for_one_script_root_is_not_served_under_another(apps):
    """Issue 16's case: one request with ``SCRIPT_NAME: //attacker.example`` put 38 links
    to ``//attacker.example`` into the next plain visitor's page."""
    cached, fresh = apps
    client = cached.test_client(use_cookies=False)
    poisoned = client.get("/en/", headers={"Host": HOST}, environ_overrides={"SCRIPT_NAME": "//attacker.example"})
    assert b'href="//attacker.example/en/' in poisoned.get_data()
    for _ in range(2):
        plain = client.get("/en/", headers={"Host": HOST})
        assert b"attacker.example" not in plain.get_data()
    assert plain.headers.get("X-Cache") == "hit"
    assert plain.get_data() == fresh.test_client().get("/en/", headers={"Host": HOST}).get_data()


def test_an_https_visitor_never_gets_the_http_copy(apps):
    """Behind a trusted proxy, X-Forwarded-Proto makes the page HTTPS: HSTS and https:// links."""
    cached, _fresh = apps
    client = cached.test_client(use_cookies=False)
    for _ in range(2):
        plain = client.get("/en/live/", headers={"Host": HOST})
        assert "Strict-Transport-Security" not in plain.headers
    assert plain.headers.get("X-Cache") == "hit"
    secure = client.get("/en/live/", headers={"Host": HOST, "X-Forwarded-Proto": "https"})
    assert secure.headers.get("Strict-Transport-Security", "").startswith("max-age=")
    assert b'href="https://alpha.localhost/en/live/"' in secure.get_data()
    assert b'href="http://alpha.localhost/' not in secure.get_data()


def test_a_page_a_layer_inside_the_cache_rewrote_the_request_for_is_not_stored(tmp_path):
    """ProxyFix wraps every other layer (admin.init_app is last), so the key sees the
    scheme it set. Were a rewriting layer inside the cache, the key would be made before
    the rewrite: such a page is not stored (nor served to the next request)."""
    from werkzeug.middleware.proxy_fix import ProxyFix
    from werkzeug.test import Client

    from clinicjournal.web.cache import CachingMiddleware, Generation, PageCache
    from clinicjournal.web.memo import PageStore

    def flask_like(environ, start_response):
        body = f"<a href='{environ['wsgi.url_scheme']}://{HOST}/en/'>".encode()
        start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body))),
                                  ("X-Clinicjournal-Cache", "store")])
        return [body]

    cache = PageCache(PageStore(1_000_000, 60), Generation(stamp=tmp_path / "generation"), 60, local=True)
    client = Client(CachingMiddleware(ProxyFix(flask_like, x_proto=1), cache))
    secure = client.get("/en/", headers={"Host": HOST, "X-Forwarded-Proto": "https"})
    assert b"https://" in secure.get_data() and len(cache.store) == 0
    for _ in range(2):
        plain = client.get("/en/", headers={"Host": HOST})
        assert b"http://" in plain.get_data()
    assert plain.headers["X-Cache"] == "hit"  # a page made for the request it is keyed by is stored

"""Hostile requests: property-based (Hypothesis) and hand-picked.

Whatever arrives in the Host header, the path, the query string, the
Accept-Language / If-None-Match / Cookie headers or the admin's sign-in form,
the answer is a redirect, a page or a 304, or a 4xx error page in a language
the reader asked for, never a 500. Traversal on ``/static/`` and
``/static/plugins/<name>/`` never reaches a file outside the static build folder.

Requests are built the way a WSGI server hands them over: header values and the
(percent-decoded) path are latin-1 strings without CR/LF.
"""

from __future__ import annotations

import string
from types import SimpleNamespace
from urllib.parse import quote, unquote

import pytest
from catalog_support import translated
from conftest import parse_html
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
HOST = "alpha.localhost"
SITE_LOCALES = ("en", "de", "ar")
UI_LOCALES = ("en", "de", "es", "fr", "ar")
PATHS = ["/", "/en/", "/de/", "/ar/", "/en/first/", "/de/erster/", "/en/about/", "/en/category/sleep-health/",
         "/en/category/no-such/", "/en/search", "/en/search?q=sleep", "/en/feed.xml",
         "/en/category/sleep-health/feed.xml", "/sitemap.xml", "/robots.txt", "/en/missing/", "/xx/",
         "/admin/login", "/admin/", "/static/css/nothing.css"]
#: Headings of the error pages (core and admin), in English; compared in the page's language.
ERROR_HEADINGS = ("Page not found", "This request could not be handled", "Something went wrong",
                  "Temporarily unavailable", "No site here", "Not found", "Not allowed", "Request refused",
                  "This form has expired")
CANARY = "canary-6f1d2c-outside-the-build-folder"

# Latin-1 text without CR/LF: what a WSGI server can hand over as a header value.
HEADER_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=255, exclude_characters="\r\n"), max_size=300)
URL_CHARS = string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%\\\"<> \t{}|^`"


def catalog(locale: str) -> SimpleNamespace:
    return SimpleNamespace(gettext=lambda message: translated(locale, message))


def raw_get(client, path: str, **kwargs):
    """GET ``path`` exactly as a WSGI server passes it on: PATH_INFO percent-decoded
    to latin-1 (so ``%00`` is a NUL and ``%2e%2e`` is ``..``), a leading ``//`` kept."""
    path, _, query = path.partition("?")
    decoded = unquote(path, encoding="latin-1", errors="strict")
    return client.get("/", query_string=query or kwargs.pop("query_string", None),
                      environ_overrides={"PATH_INFO": decoded, "REQUEST_URI": path, "RAW_URI": path}, **kwargs)


def check(response, *, path: str = "") -> None:
    """Never a 5xx; a 4xx outside /static/ is an HTML error page in the language it declares."""
    try:
        status = response.status_code
        body = response.get_data(as_text=True)
        assert status < 500, (status, path, body[:1500])
        assert status in (200, 204, 301, 302, 303, 304, 307, 308, 400, 403, 404, 405, 413, 429, 431), status
        if 400 <= status < 500 and not path.startswith("/static/"):
            assert response.mimetype == "text/html", (status, response.mimetype)
            doc = parse_html(body)
            html = doc.find("html")
            assert html is not None, body[:500]
            lang = (html.get("lang") or "").replace("-", "_")
            assert lang in UI_LOCALES + SITE_LOCALES, lang
            heading = doc.find("h1")
            assert heading is not None, body[:1500]
            expected = {catalog(lang).gettext(m) for m in ERROR_HEADINGS}
            assert heading.text() in expected, (lang, heading.text())
    finally:
        response.close()


@pytest.fixture
def fuzz_app(make_app, create_site, publish, tmp_path):
    """alpha (en, de, ar) with articles, a page and a category; fast password hashing."""
    app = make_app(ARGON2_PARAMETERS={"time_cost": 1, "memory_cost": 8, "parallelism": 1})
    return app


@pytest.fixture
def site(fuzz_app, create_site, publish):
    create_site("alpha", locales=SITE_LOCALES, hosts=("journal.alpha.test",))
    publish("alpha",
            {"slug": "first", "title": "First", "category": "sleep-health", "translation_key": "first",
             "body": "Sleep well [@r].\n", "references": [{"key": "r", "title": "A study", "year": 2020}],
             "faq": [{"q": "Why?", "a": "Because."}], "takeaway": "Sleep."},
            {"slug": "erster", "locale": "de", "title": "Erster", "translation_key": "first"},
            {"slug": "about", "type": "page", "title": "About", "summary": None, "published": None})
    return fuzz_app


@pytest.fixture
def client(site):
    return site.test_client()


# -- hosts ----------------------------------------------------------------------------------------

hosts = st.one_of(
    HEADER_TEXT,
    st.sampled_from([HOST, "journal.alpha.test", "JOURNAL.ALPHA.TEST.", "alpha.localhost:8000", "x.alpha.localhost",
                     "localhost", "127.0.0.1", "[::1]:5000", "[::1", "alpha.localhost:99999", "alpha.localhost:0",
                     "alpha.localhost:-1", "alpha.localhost:abc", ":80", "", " ", "..", ".localhost",
                     'x"><script>alert(1)</script>.alpha.localhost', "alpha.localhost\x00.evil", "é.localhost",
                     "a" * 300 + ".localhost", "alpha.localhost, beta.localhost", "user@alpha.localhost"]),
    st.builds(lambda a, b: a + HOST + b, HEADER_TEXT, HEADER_TEXT),
)


@pytest.mark.parametrize("default_site", [None, "alpha"])
@FUZZ
@given(host=hosts, path=st.sampled_from(PATHS), lang=st.sampled_from(("", "de", "ar;q=0.9, fr;q=0.8", "es")))
def test_any_host_header(site, make_app, default_site, host, path, lang):
    app = site if default_site is None else make_app(DEFAULT_SITE=default_site)
    check(app.test_client().get(path, headers={"Host": host, "Accept-Language": lang}), path=path)


@pytest.mark.parametrize("host", ['x"><script>alert(1)</script>.alpha.localhost', "alpha.localhost:99999",
                                  "alpha localhost", "\u00e9.alpha.localhost", "alpha.localhost:", "a_b.localhost", ".", "x..alpha.localhost",
                                  "x" * 64 + ".alpha.localhost"])
def test_malformed_host_is_a_localised_400_even_with_a_default_site(site, make_app, host):
    app = make_app(DEFAULT_SITE="alpha")
    response = app.test_client().get("/en/", headers={"Host": host, "Accept-Language": "de"})
    assert response.status_code == 400
    doc = parse_html(response.get_data(as_text=True))
    assert doc.one("html").get("lang") == "de"
    assert doc.one("h1").text() == catalog("de").gettext("This request could not be handled")
    assert "Alpha" not in doc.text()  # no site's chrome for a host that names none
    check(response)


# -- paths: locales and slugs ---------------------------------------------------------------------

segments = st.one_of(
    st.text(st.sampled_from(URL_CHARS), max_size=40),
    st.text(st.characters(min_codepoint=1, max_codepoint=0x10FFFF, exclude_categories=("Cs",)), max_size=20)
    .map(lambda s: quote(s, safe="")),
    st.sampled_from(["en", "EN", "de", "ar", "en_US", "en-US", "zz", "..", ".", "%2e%2e", "%00", "%zz", "%",
                     "%%", "%u002e", "a%2Fb", "a%5Cb", "category", "feed.xml", "search", "static", "admin",
                     "first", "first%00", "first%20", "first..", "FIRST", "%C0%AE%C0%AE", "\u00e9", "%E9",
                     "%FF%FE", "a" * 2000]),
)


@FUZZ
@given(locale=segments, slug=segments, trailing=st.sampled_from(["", "/", "//", "/feed.xml", "/x/y/"]))
@example(locale="en", slug="..", trailing="/")
@example(locale="en", slug="first%00", trailing="/")
def test_any_locale_and_slug(client, locale, slug, trailing):
    for path in (f"/{locale}/{slug}{trailing}", f"/{locale}/category/{slug}{trailing}", f"/{locale}{trailing}",
                 f"/admin/{slug}/"):
        check(raw_get(client, path, headers={"Host": HOST}), path=path)


# -- query strings --------------------------------------------------------------------------------

queries = st.one_of(
    st.text(st.sampled_from(URL_CHARS), max_size=120),
    st.builds(lambda k, v: f"{k}={v}", st.sampled_from(["page", "q", "next", "page[]", "PAGE", ""]),
              st.one_of(st.text(st.sampled_from(URL_CHARS), max_size=60),
                        st.sampled_from(["0", "-1", "1", "2", "99999999999999999999", "9" * 5000, "1e3", "0x10",
                                         " 1", "1 ", "²", "١", "Ⅻ", "1.5", "%00", "%ff", "%", "nan", "inf",
                                         "%C2%B2", "%D9%A1%D9%A2"]))),
    st.lists(st.tuples(st.sampled_from(["q", "page", "x"]), HEADER_TEXT.map(lambda s: quote(s, safe=""))),
             max_size=6).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)),
)


@FUZZ
@given(query=queries, path=st.sampled_from(["/en/", "/en/search", "/en/category/sleep-health/", "/en/first/",
                                            "/en/feed.xml", "/sitemap.xml", "/admin/login", "/"]))
@example(query="page=%C2%B2", path="/en/")
@example(query="page=" + "9" * 5000, path="/en/search")
@example(query="page=%C2%B2", path="/en/category/sleep-health/")
def test_any_query_string(client, query, path):
    check(client.get(path, query_string=query, headers={"Host": HOST}), path=path)


# -- headers --------------------------------------------------------------------------------------

language_tags = st.from_regex(r"\A[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,3}\Z") | st.sampled_from(["*", "de", "ar", "x"])
accept_languages = st.one_of(
    HEADER_TEXT,
    st.lists(st.tuples(language_tags, st.one_of(st.none(), st.sampled_from(["0", "1", "0.5", "abc", "-1", "1e9",
                                                                          "nan", "", "0.0001"]))),
             max_size=30)
    .map(lambda items: ", ".join(t if q is None else f"{t};q={q}" for t, q in items)),
    st.sampled_from(["de;q=0.5," * 800, "en" * 4000, ";" * 3000, "ar-" * 1000, "\x00de", "de\x00"]),
)
etags = st.one_of(HEADER_TEXT, st.sampled_from(["*", 'W/"x"', '"', '""', 'W/', '"a", W/"b", *', ","]))
cookies = st.one_of(
    HEADER_TEXT,
    st.builds(lambda v: f"session={v}", HEADER_TEXT),
    st.sampled_from(["session=", "session=.eJw.garbage", "session=" + "A" * 4000, "=;=;=", "session",
                     'session="unterminated', "session=e30.ZZZZ.YYYY"]),
)


@FUZZ
@given(lang=accept_languages, etag=etags, cookie=cookies, path=st.sampled_from(PATHS))
def test_any_negotiation_headers(client, lang, etag, cookie, path):
    headers = {"Host": HOST, "Accept-Language": lang, "If-None-Match": etag, "Cookie": cookie}
    check(client.get(path, headers=headers), path=path)


def test_conditional_request_with_the_real_etag_is_304(client):
    first = client.get("/en/first/", headers={"Host": HOST})
    etag = first.headers["ETag"]
    first.close()
    for value in (etag, f'W/"nothing", {etag}', "*"):
        response = client.get("/en/first/", headers={"Host": HOST, "If-None-Match": value})
        assert response.status_code == 304, value
        response.close()


# -- the admin's sign-in form ---------------------------------------------------------------------

form_text = st.one_of(HEADER_TEXT, st.text(max_size=200).map(lambda s: s.replace("\x00", "")),
                      st.sampled_from(["", " ", "a" * 10000, "admin@example.org", "' OR 1=1 --", "\x00",
                                       "<script>alert(1)</script>"]))


@FUZZ
@given(email=form_text, password=form_text, next_=st.one_of(st.none(), HEADER_TEXT,
                                                             st.sampled_from(["//evil.example", "/admin/x",
                                                                              "https://evil.example/",
                                                                              "/\\evil.example"])),
       lang=st.sampled_from(["", "de", "ar", "fr", "es;q=0.1"]))
def test_login_form_with_any_input(site, email, password, next_, lang):
    site.config["WTF_CSRF_ENABLED"] = False  # reach the form handling itself
    client = site.test_client()
    query = {"next": next_} if next_ is not None else {}
    response = client.post("/admin/login", query_string=query, data={"email": email, "password": password},
                           headers={"Host": HOST, "Accept-Language": lang})
    location = response.headers.get("Location", "")
    check(response, path="/admin/login")
    if response.status_code in (301, 302, 303, 307, 308):
        # Never an open redirect off the site.
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location


@FUZZ
@given(token=HEADER_TEXT, lang=st.sampled_from(["", "de", "ar"]))
def test_login_form_with_a_forged_csrf_token_is_a_localised_400(client, token, lang):
    response = client.post("/admin/login", data={"email": "a@b.c", "password": "x", "csrf_token": token},
                           headers={"Host": HOST, "Accept-Language": lang})
    assert response.status_code == 400
    check(response, path="/admin/login")


# -- static files and traversal -------------------------------------------------------------------

@pytest.fixture
def assets_app(make_app, create_site, tmp_path, static_build_dir):
    """A folder plugin with a static file, enabled on alpha and disabled on beta; a canary
    file beside the build folder and in the instance folder."""
    folder = tmp_path / "plugins" / "clinicjournal_fuzzassets"
    (folder / "static").mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "static" / "app.css").write_text("body{}")
    for place in (static_build_dir.parent, tmp_path):
        (place / "canary.txt").write_text(CANARY)
    app = make_app(PLUGINS_FOLDER=str(tmp_path / "plugins"))
    return app


TRAVERSALS = [
    "/static/../canary.txt", "/static/../../canary.txt", "/static/%2e%2e/canary.txt", "/static/%2E%2E/canary.txt",
    "/static/..%2fcanary.txt", "/static/..%2Fcanary.txt", "/static/%2e%2e%2fcanary.txt", "/static/..%5ccanary.txt",
    "/static/..\\canary.txt", "/static/%5c..%5ccanary.txt", "/static/.%2e/canary.txt", "/static/css/../../canary.txt",
    "/static/css/%2e%2e/%2e%2e/canary.txt", "/static//canary.txt", "/static/%2fcanary.txt",
    "/static/..%00/canary.txt", "/static/canary.txt%00.css", "/static/%00../canary.txt", "/static/..;/canary.txt",
    "/static/%252e%252e/canary.txt", "/static/%c0%ae%c0%ae/canary.txt", "/static/..%c0%afcanary.txt",
    "/static/plugins/canary.txt", "/static/plugins/../canary.txt", "/static/plugins/../../canary.txt",
    "/static/plugins/fuzzassets/../../canary.txt", "/static/plugins/fuzzassets/../../../canary.txt",
    "/static/plugins/fuzzassets/%2e%2e/%2e%2e/canary.txt", "/static/plugins/fuzzassets/..%2f..%2fcanary.txt",
    "/static/plugins/fuzzassets/..\\..\\canary.txt", "/static/plugins/fuzzassets/%00/../canary.txt",
    "/static/plugins/%2e%2e/canary.txt", "/static/plugins/..%2f/canary.txt", "/static/plugins/fuzzassets/static/app.css",
    "/static/plugins/fuzzassets/app.css/../../../canary.txt", "/static/" + "../" * 30 + "etc/passwd",
    "/static/%2e%2e/" * 10 + "etc/passwd", "/static/....//....//canary.txt", "/static/\\..\\canary.txt",
    "/static/~/canary.txt", "/static/./../canary.txt",
]


def _no_canary(response, path: str) -> None:
    try:
        body = response.get_data()
        assert CANARY.encode() not in body, path
        assert b"root:x:0:0" not in body, path
    finally:
        response.close()


@pytest.mark.parametrize("host", ["alpha.localhost", "beta.localhost", "nowhere.example"])
def test_static_traversal_is_refused(assets_app, create_site, host):
    create_site("alpha")
    create_site("beta")
    client = assets_app.test_client()
    with assets_app.app_context():
        from clinicjournal.store import db, manage

        sess = db.session()
        manage.set_plugin_enabled(sess, manage.get_site(sess, "beta"), "fuzzassets", False,
                                  assets_app.extensions["clinicjournal"].plugins)
        sess.commit()
    _no_canary(client.get("/en/", headers={"Host": "alpha.localhost"}), "/en/")  # loads the site registry
    for path in TRAVERSALS:
        response = raw_get(client, path, headers={"Host": host})
        assert response.status_code in (400, 404), (path, response.status_code)
        _no_canary(response, path)


def test_plugin_assets_are_served_only_where_enabled(assets_app, create_site):
    create_site("alpha")
    create_site("beta")
    with assets_app.app_context():
        from clinicjournal.store import db, manage

        sess = db.session()
        manage.set_plugin_enabled(sess, manage.get_site(sess, "beta"), "fuzzassets", False,
                                  assets_app.extensions["clinicjournal"].plugins)
        sess.commit()
    client = assets_app.test_client()
    with assets_app.test_request_context(headers={"Host": "alpha.localhost"}):
        from clinicjournal import static_url

        url = static_url("app.css", plugin="fuzzassets")
    assert url.startswith("/static/plugins/fuzzassets/app.")
    _no_canary(client.get("/en/", headers={"Host": "alpha.localhost"}), "/en/")
    on = client.get(url, headers={"Host": "alpha.localhost"})
    assert on.status_code == 200 and on.get_data() == b"body{}"
    on.close()
    off = client.get(url, headers={"Host": "beta.localhost"})
    assert off.status_code == 404
    off.close()
    # A traversal out of a disabled plugin's folder into an enabled one is no way round.
    sneaky = url.replace("/static/plugins/fuzzassets/", "/static/plugins/other/../fuzzassets/")
    response = client.get(sneaky, headers={"Host": "beta.localhost"})
    assert response.status_code == 404
    response.close()


static_segments = st.lists(st.one_of(
    st.sampled_from(["..", ".", "%2e%2e", "%2e", "..%2f", "..%5c", "%00", "..\\", "", "canary.txt", "css",
                     "plugins", "fuzzassets", "%252e%252e", "%c0%ae"]),
    st.text(st.sampled_from(URL_CHARS), max_size=10)), min_size=1, max_size=12)


@FUZZ
@given(parts=static_segments, prefix=st.sampled_from(["/static/", "/static/plugins/", "/static/plugins/fuzzassets/",
                                                      "/static/css/"]))
def test_static_paths_never_leave_the_build_folder(assets_app, create_site, parts, prefix):
    if not getattr(assets_app, "_fuzz_sites", False):
        create_site("alpha")
        assets_app._fuzz_sites = True
    path = prefix + "/".join(parts)
    response = raw_get(assets_app.test_client(), path, headers={"Host": HOST})
    assert response.status_code < 500, path
    _no_canary(response, path)


# -- signed-in admin pages with odd numbers in the URL ---------------------------------------------

ODD_NUMBERS = ["0", "-1", "²", "١٢", "9" * 5000, "99999999999", "2147483648", "1e3", " 1", "%00", "", "abc"]


@pytest.fixture
def signed_in(site):
    from admin_support import AdminClient, make_user

    site.config["ARGON2_PARAMETERS"] = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    make_user(site, "root@example.org", network_admin=True)
    admin = AdminClient(site, HOST)
    admin.login("root@example.org")
    return admin


@FUZZ
@given(number=st.one_of(st.sampled_from(ODD_NUMBERS), st.text(st.sampled_from(URL_CHARS), max_size=12)),
       where=st.sampled_from(["/admin/alpha/articles/?page={}", "/admin/alpha/articles/new?from={}",
                              "/admin/audit?page={}", "/admin/alpha/audit?page={}", "/admin/alpha/review?page={}",
                              "/admin/alpha/articles/{}", "/admin/alpha/articles/{}/preview",
                              "/admin/alpha/articles/{}/revisions/", "/admin/alpha/articles/1/revisions/{}",
                              "/admin/alpha/plugins/{}", "/admin/{}/"]))
@example(number="²", where="/admin/alpha/articles/?page={}")
@example(number="99999999999", where="/admin/alpha/articles/{}")
@example(number="99999999999", where="/admin/alpha/articles/new?from={}")
@example(number="9" * 5000, where="/admin/alpha/articles/{}/preview")
def test_admin_pages_with_odd_numbers(signed_in, number, where):
    path = where.format(quote(number, safe=""))
    response = signed_in.get(path)
    try:
        assert response.status_code < 500, (path, response.get_data(as_text=True)[:800])
    finally:
        response.close()

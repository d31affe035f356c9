"""The rendered-page cache and time: a scheduled article goes live on cached pages at its moment."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select, update

from clinicjournal.store import db
from clinicjournal.store.models import Article
from clinicjournal.web.articles import utcnow

HOST = "alpha.localhost"


@pytest.fixture
def cached_app(make_app, create_site, publish):
    create_site("alpha")
    publish("alpha", {"slug": "live", "title": "Already live", "category": "sleep-health"},
            {"slug": "soon", "title": "Coming soon", "category": "sleep-health", "status": "scheduled"})
    return make_app(CACHE_TYPE="simple", CACHE_TTL=300)


def schedule(app, slug: str, at: dt.datetime) -> None:
    with app.app_context():  # as the admin's "schedule" does: a precise time, saved once
        sess = db.session()
        sess.execute(update(Article).where(Article.slug == slug).values(status="scheduled", publish_at=at))
        sess.commit()


def get(app, path: str):
    return app.test_client().get(path, headers={"Host": HOST})


def test_a_scheduled_article_appears_on_cached_pages_at_its_moment(cached_app):
    moment = utcnow() + dt.timedelta(seconds=2)
    schedule(cached_app, "soon", moment)
    pages = ("/en/", "/en/category/sleep-health/", "/en/feed.xml", "/sitemap.xml")
    for path in pages:
        for _ in range(2):  # the second answer comes from the page cache
            response = get(cached_app, path)
            assert response.status_code == 200 and "Coming soon" not in response.get_data(as_text=True)
        assert response.headers.get("X-Cache") == "hit", path
        assert "/en/soon/" not in response.get_data(as_text=True)
    time.sleep(max(0.0, (moment - utcnow()).total_seconds()) + 0.2)
    for path in pages:
        response = get(cached_app, path)
        assert "X-Cache" not in response.headers, path  # rendered afresh, not the page from before
        assert "/en/soon/" in response.get_data(as_text=True), path
    assert get(cached_app, "/en/soon/").status_code == 200


def test_with_nothing_scheduled_the_cache_reads_the_moments_once_per_change(cached_app):
    with cached_app.app_context():
        sess = db.session()
        sess.execute(update(Article).where(Article.slug == "soon").values(status="published"))
        sess.commit()
        assert sess.scalar(select(Article.status).where(Article.slug == "soon")) == "published"
    statements = []
    engine = cached_app.extensions["clinicjournal"].engine
    from sqlalchemy import event

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        for _ in range(3):
            assert get(cached_app, "/en/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    page_cache_reads = [s for s in statements if " AS day" in s and "article.kind" not in s]  # not the registry's
    assert len(page_cache_reads) == 1, statements


def test_a_scheduled_site_page_is_linked_from_its_moment(make_app, create_site, publish):
    """The header and footer links to About come from the site registry, which no save
    refreshes when a scheduled page goes live: the registry watches the moment itself."""
    create_site("alpha")
    publish("alpha", {"slug": "live", "title": "Already live"},
            {"slug": "about", "title": "About us", "type": "page", "summary": None})
    app = make_app(CACHE_TYPE="null")
    assert 'href="/en/about/"' in get(app, "/en/").get_data(as_text=True)
    moment = utcnow() + dt.timedelta(seconds=2)
    with app.app_context():  # as the admin schedules a page: status, time and the config generation
        sess = db.session()
        sess.execute(update(Article).where(Article.slug == "about").values(status="scheduled", publish_at=moment))
        db.bump_config_generation(sess)
        sess.commit()
    assert 'href="/en/about/"' not in get(app, "/en/").get_data(as_text=True)
    time.sleep(max(0.0, (moment - utcnow()).total_seconds()) + 0.2)
    assert 'href="/en/about/"' in get(app, "/en/").get_data(as_text=True)


# -- what is stored: only a complete 200 answer to an anonymous GET ------------------------


@pytest.mark.parametrize("path", ["/en/", "/sitemap.xml"])
def test_head_requests_are_answered_from_the_get_entry_and_never_stored(cached_app, make_app, path):
    """Issue 16: after four ``curl -I``, every GET got 200, ``X-Cache: hit`` and zero bytes."""
    page = get(make_app(CACHE_TYPE="null"), path).get_data()
    client = cached_app.test_client()
    for _ in range(4):
        head = client.head(path, headers={"Host": HOST})
        assert head.status_code == 200 and head.get_data() == b""
        assert "X-Cache" not in head.headers  # rendered each time: nothing was stored
        assert head.headers["Content-Length"] == str(len(page))
    first, second = get(cached_app, path), get(cached_app, path)
    assert "X-Cache" not in first.headers and second.headers["X-Cache"] == "hit"
    assert first.get_data() == second.get_data() == page
    head = client.head(path, headers={"Host": HOST})
    assert head.headers["X-Cache"] == "hit" and head.get_data() == b""
    assert head.headers["Content-Length"] == str(len(page))


class Closing:
    """A WSGI body that may stop part-way, and remembers whether it was closed."""

    def __init__(self, chunks, fail_after: int | None = None) -> None:
        self.chunks, self.fail_after, self.closed = chunks, fail_after, False

    def __iter__(self):
        for number, chunk in enumerate(self.chunks):
            if number == self.fail_after:
                raise OSError("the page stopped part-way")
            yield chunk

    def close(self) -> None:
        self.closed = True


def wsgi_app(status="200 OK", chunks=(b"<p>", b"page</p>"), length: int | None = 11, fail_after=None,
             extra=()):
    """A stand-in for Flask that marks every answer for the page cache; records its bodies."""
    def app(environ, start_response):
        headers = [("Content-Type", "text/html; charset=utf-8"), ("X-Clinicjournal-Cache", "store"),
                   ("Date", "Mon, 01 Jan 2024 00:00:00 GMT"), *extra]
        if length is not None:
            headers.append(("Content-Length", str(length)))
        start_response(status, headers)
        body = Closing([] if environ["REQUEST_METHOD"] == "HEAD" else list(chunks), fail_after)
        app.bodies.append(body)
        return body

    app.bodies = []
    return app


def through(middleware, method="GET", **environ):
    """One request through the WSGI layer: (status, headers, body)."""
    answered = {}
    environ = {"REQUEST_METHOD": method, "PATH_INFO": "/en/", "QUERY_STRING": "", "HTTP_HOST": HOST,
               "SERVER_NAME": HOST, "SERVER_PORT": "80", "wsgi.url_scheme": "http", "SCRIPT_NAME": "", **environ}
    iterable = middleware(environ, lambda status, headers, exc_info=None: answered.update(
        status=status, headers=headers))
    try:
        body = b"".join(iterable)
    finally:  # as a WSGI server does
        if hasattr(iterable, "close"):
            iterable.close()
    return answered["status"], dict(answered["headers"]), body


def layer(tmp_path, app):
    from clinicjournal.web.cache import CachingMiddleware, Generation, PageCache
    from clinicjournal.web.memo import PageStore

    cache = PageCache(PageStore(1_000_000, 60), Generation(stamp=tmp_path / "generation"), 60, local=True)
    return CachingMiddleware(app, cache)


@pytest.mark.parametrize("case, answer, request_environ", [
    ("HEAD", {}, {"REQUEST_METHOD": "HEAD"}),
    ("206 Partial Content", {"status": "206 Partial Content"}, {}),
    ("304 Not Modified", {"status": "304 Not Modified", "chunks": ()}, {}),
    ("203, not 200", {"status": "203 Non-Authoritative Information"}, {}),
    ("fewer bytes than Content-Length", {"length": 400}, {}),
    ("streamed, no Content-Length", {"length": None}, {}),
    ("sets a cookie", {"extra": [("Set-Cookie", "session=staff; HttpOnly")]}, {}),
    ("read the session", {"extra": [("Vary", "Cookie")]}, {"HTTP_COOKIE": "session=staff"}),
    ("varies by language", {"extra": [("Vary", "Accept-Language")]}, {}),
])
def test_only_a_complete_200_answer_to_an_anonymous_get_is_stored(tmp_path, case, answer, request_environ):
    app = wsgi_app(**answer)
    middleware = layer(tmp_path, app)
    first = through(middleware, **request_environ)
    _status, headers, _body = through(middleware)
    assert "X-Cache" not in headers, case  # the GET after it was rendered again: nothing was stored
    assert len(app.bodies) == 2 and all(body.closed for body in app.bodies)
    assert "X-Clinicjournal-Cache" not in first[1]  # the mark is for this layer, not for the reader


def test_a_staff_members_session_cookie_never_reaches_another_visitor(cached_app):
    """Flask saves the session after the page was marked cacheable: a permanent session is
    sent again (refreshed) with every page, and that answer must stay the staff member's."""
    serializer = cached_app.session_interface.get_signing_serializer(cached_app)
    cookie = serializer.dumps({"_permanent": True, "staff": "token-of-one-person"})
    client = cached_app.test_client(use_cookies=False)
    staff = client.get("/en/", headers={"Host": HOST, "Cookie": f"session={cookie}"})
    assert staff.status_code == 200 and "Set-Cookie" in staff.headers
    readers = [client.get("/en/", headers={"Host": HOST}) for _ in range(2)]
    assert not any("Set-Cookie" in reader.headers for reader in readers)
    # the staff member's answer was not stored; the first reader's was
    assert "X-Cache" not in readers[0].headers and readers[1].headers["X-Cache"] == "hit"


def test_a_page_that_stops_part_way_is_not_stored_and_is_closed(tmp_path):
    app = wsgi_app(fail_after=1)
    middleware = layer(tmp_path, app)
    with pytest.raises(OSError):
        through(middleware)
    assert app.bodies[0].closed
    assert len(middleware.cache.store) == 0


def test_a_complete_200_answer_to_a_get_is_stored_without_its_date(tmp_path):
    app = wsgi_app()
    middleware = layer(tmp_path, app)
    assert through(middleware)[2] == b"<p>page</p>"
    status, headers, body = through(middleware)
    assert (status, body, headers["X-Cache"]) == ("200 OK", b"<p>page</p>", "hit")
    assert "Date" not in headers and "X-Clinicjournal-Cache" not in headers
    assert through(middleware, "HEAD")[1:] == ({**headers}, b"")
    assert len(app.bodies) == 1 and app.bodies[0].closed

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

"""Compressed reader pages (issue 20, item 4): brotli and gzip by Accept-Encoding,
stored once per encoding in the page cache, each encoding its own ETag, Vary right."""

from __future__ import annotations

import gzip

import brotli
import pytest

HOST = "alpha.localhost"
LONG_BODY = "\n\n".join(f"Paragraph {n} about sleep and the winter months, long enough to compress." for n in range(40))


@pytest.fixture
def site(create_site, publish):
    create_site("alpha")
    publish("alpha", {"slug": "sleep", "title": "Sleep in winter", "category": "sleep-health", "body": LONG_BODY})


def get(app, path: str, **headers):
    return app.test_client().get(path, headers={"Host": HOST, **headers})


def decode(response) -> bytes:
    data = response.get_data()
    return {"br": brotli.decompress, "gzip": gzip.decompress}.get(response.headers.get("Content-Encoding"),
                                                                 lambda d: d)(data)


@pytest.mark.parametrize("accept, chosen", [
    ("br, gzip", "br"), ("gzip, deflate", "gzip"), ("gzip;q=1, br;q=0.5", "gzip"), ("br;q=0, gzip", "gzip"),
    ("*", "br"), ("identity", None), ("br;q=0, gzip;q=0", None), ("", None),
])
def test_the_encoding_follows_accept_encoding(app, site, accept, chosen):
    plain = get(app, "/en/sleep/")
    got = get(app, "/en/sleep/", **{"Accept-Encoding": accept})
    assert got.status_code == 200 and got.headers.get("Content-Encoding") == chosen
    assert "Accept-Encoding" in got.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert decode(got) == plain.get_data() and b"Paragraph 39" in plain.get_data()
    assert int(got.headers["Content-Length"]) == len(got.get_data())
    if chosen:
        assert len(got.get_data()) < len(plain.get_data()) / 2


def test_one_stored_page_answers_every_encoding_with_its_own_etag(app, site):
    first = get(app, "/en/sleep/")  # a miss: stored with every encoding
    answers = {accept: get(app, "/en/sleep/", **{"Accept-Encoding": accept}) for accept in ("br", "gzip", "")}
    assert first.headers.get("X-Cache") is None
    assert all(r.headers.get("X-Cache") == "hit" for r in answers.values())
    etags = {accept: r.headers["ETag"] for accept, r in answers.items()}
    assert len(set(etags.values())) == 3 and etags[""] == first.headers["ETag"]
    assert {decode(r) for r in answers.values()} == {first.get_data()}
    # a revalidation is answered for the encoding asked for, never across encodings
    assert get(app, "/en/sleep/", **{"Accept-Encoding": "br", "If-None-Match": etags["br"]}).status_code == 304
    crossed = get(app, "/en/sleep/", **{"Accept-Encoding": "br", "If-None-Match": etags["gzip"]})
    assert crossed.status_code == 200 and crossed.headers["Content-Encoding"] == "br"
    head = app.test_client().head("/en/sleep/", headers={"Host": HOST, "Accept-Encoding": "gzip"})
    assert head.headers["Content-Length"] == answers["gzip"].headers["Content-Length"] and head.get_data() == b""


def test_without_a_page_cache_pages_are_compressed_alike(make_app, site):
    cached, uncached = make_app(CACHE_TYPE="simple"), make_app(CACHE_TYPE="null")
    for accept in ("br", "gzip"):
        get(cached, "/en/sleep/", **{"Accept-Encoding": accept})  # stores it
        hit = get(cached, "/en/sleep/", **{"Accept-Encoding": accept})
        fresh = get(uncached, "/en/sleep/", **{"Accept-Encoding": accept})
        assert hit.headers.get("X-Cache") == "hit" and fresh.headers.get("X-Cache") is None
        assert fresh.headers["Content-Encoding"] == accept and fresh.headers["ETag"] == hit.headers["ETag"]
        assert fresh.get_data() == hit.get_data()  # the same bytes on every host: gzip without a time stamp


def test_small_answers_and_staff_pages_are_not_compressed(app, site):
    robots = get(app, "/robots.txt", **{"Accept-Encoding": "gzip, br"})
    assert robots.status_code == 200 and "Content-Encoding" not in robots.headers
    # Admin pages carry a CSRF token beside what the visitor typed: compressing them would open BREACH.
    login = get(app, "/admin/login", **{"Accept-Encoding": "gzip, br"})
    assert login.status_code == 200 and "Content-Encoding" not in login.headers
    assert b"csrf_token" in login.get_data()

"""Static files: hashed names, long caching, pre-compressed variants (WhiteNoise)."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import clinicjournal

CORE_STATIC = Path(clinicjournal.__file__).parent / "static"
HASHED = re.compile(r"^/static/(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})\.(?P<ext>\w+)$")
ONE_YEAR = 365 * 24 * 3600


def max_age(response) -> int:
    match = re.search(r"max-age=(\d+)", response.headers.get("Cache-Control", ""))
    return int(match.group(1)) if match else 0


def stylesheets(doc) -> list[str]:
    return [link.get("href") for link in doc.find_all("link") if link.get("rel") == "stylesheet"]


def test_stylesheets_have_hashed_names_and_long_caching(create_site, get_page, client, static_build_dir):
    create_site("alpha")
    doc = get_page("alpha.localhost", "/en/")
    hrefs = stylesheets(doc)
    assert hrefs
    for href in hrefs:
        match = HASHED.match(href)
        assert match, href
        source = CORE_STATIC / f"{match['stem']}.{match['ext']}"
        content = source.read_bytes()
        assert hashlib.sha256(content).hexdigest().startswith(match["hash"])

        assert (static_build_dir / href.removeprefix("/static/")).read_bytes() == content

        response = client.get(href, headers={"Host": "alpha.localhost"}, buffered=True)
        assert response.status_code == 200
        assert response.data == content
        assert response.mimetype == "text/css"
        assert max_age(response) >= ONE_YEAR
        assert "immutable" in response.headers["Cache-Control"]

        zipped = client.get(href, headers={"Host": "alpha.localhost", "Accept-Encoding": "gzip"}, buffered=True)
        assert zipped.headers.get("Content-Encoding") in ("gzip", "br")
        if zipped.headers["Content-Encoding"] == "gzip":
            assert gzip.decompress(zipped.data) == content


def test_missing_static_file_is_404(create_site, client):
    create_site("alpha")
    response = client.get("/static/css/nothing.0123456789ab.css", headers={"Host": "alpha.localhost"},
                          buffered=True)
    assert response.status_code == 404


def test_the_manifest_of_every_static_file_is_not_served(create_site, client, make_app, tmp_path):
    """The name → hashed-name map (every file of every plugin installed, enabled on the
    site or not) stays in memory; one an earlier version left in the build folder is removed."""
    create_site("alpha")
    assert client.get("/static/manifest.json", headers={"Host": "alpha.localhost"},
                      buffered=True).status_code == 404
    build = tmp_path / "old-build"
    build.mkdir()
    (build / "manifest.json").write_text('{"css/journal.css": "css/journal.0123456789ab.css"}')
    old = make_app(STATIC_BUILD_DIR=str(build))
    assert not (build / "manifest.json").exists()
    response = old.test_client().get("/static/manifest.json", headers={"Host": "alpha.localhost"}, buffered=True)
    assert response.status_code == 404
    assert "css/journal.css" in old.extensions["clinicjournal"].static_manifest

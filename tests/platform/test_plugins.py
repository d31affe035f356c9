"""Built-in plugins: discovered through entry points, enabled per site, isolated when they fail."""

from __future__ import annotations

import importlib.metadata
import sys
import textwrap
import uuid

import pytest

from clinicjournal import Contribution, hookimpl
from clinicjournal.platform.health import health_rows
from clinicjournal.platform.manager import ENTRY_POINT_GROUP
from clinicjournal.store import db, manage

BUILT_IN = {"health_topics", "references", "disclaimer", "faq", "takeaway", "clinic_note"}
ARTICLE = {"slug": "complete", "title": "A complete article", "category": "immune-health",
           "takeaway": "Remember this.", "faq": [{"q": "A question?", "a": "An answer."}],
           "clinic_note": {"text": "We see this every week.", "by": "Dr. A"},
           "references": [{"key": "r1", "title": "A cited source", "kind": "Guideline", "year": 2022}],
           "body": "Text with a citation [@r1].\n"}

# plugin → how its part of the article page is found (tag, class)
PARTS = {
    "faq": ("section", "faq"),
    "takeaway": ("aside", "takeaway"),
    "clinic_note": ("aside", "clinic-note"),
    "references": ("section", "sources"),
    "disclaimer": ("aside", "disclaimer"),
    "health_topics": ("a", "badge"),
}


def plugins_of(app):
    return app.extensions["clinicjournal"].plugins


def set_enabled(app, site: str, plugin: str, enabled: bool) -> None:
    with app.app_context():
        sess = db.session()
        manage.set_plugin_enabled(sess, manage.get_site(sess, site), plugin, enabled, plugins_of(app))
        sess.commit()


@pytest.fixture
def two_sites(create_site, publish):
    for slug in ("alpha", "beta"):
        create_site(slug)
        publish(slug, ARTICLE)
    return ["alpha", "beta"]


# -- discovery ---------------------------------------------------------------------------


def test_built_in_plugins_are_discovered_through_entry_points(app):
    declared = {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert BUILT_IN <= declared
    records = plugins_of(app).records
    for name in BUILT_IN:
        record = records[name]
        assert record.source == "distribution", name
        assert not record.broken, record.error
        assert plugins_of(app).pm.get_plugin(name) is record.module
        assert plugins_of(app).hooks_of(name), name
    assert BUILT_IN <= set(plugins_of(app).active_names())


def test_the_project_plugins_folder_does_not_load_them_twice(make_app, caplog):
    from conftest import REPO

    app = make_app(PLUGINS_FOLDER=str(REPO / "plugins"))
    records = plugins_of(app).records
    assert {n for n, r in records.items() if r.source == "folder"} & BUILT_IN == set()
    assert all(not records[n].broken for n in BUILT_IN)
    assert "ignored" not in caplog.text


@pytest.fixture
def plugin_folder(tmp_path, monkeypatch):
    """A deployment's own plugins folder; module names are unique per test and
    removed from sys.modules afterwards."""
    folder = tmp_path / "my-plugins"
    folder.mkdir()
    names = []

    def add(code: str) -> str:
        name = f"t{uuid.uuid4().hex[:8]}"
        package = folder / f"clinicjournal_{name}"
        package.mkdir()
        (package / "__init__.py").write_text(textwrap.dedent(code))
        names.append(name)
        return name

    yield folder, add
    for name in names:
        sys.modules.pop(f"clinicjournal_{name}", None)


def test_a_deployment_plugins_folder_is_loaded_and_a_broken_plugin_is_reported(
        plugin_folder, make_app, create_site, publish):
    folder, add = plugin_folder
    good = add('''
        from clinicjournal import Contribution, hookimpl

        @hookimpl
        def template_slot(slot, ctx):
            if slot == "sidebar" and ctx.article is not None:
                return Contribution('<p class="from-folder">Folder plugin was here</p>')
    ''')
    broken = add("raise ImportError('a dependency is missing')\n")
    misspelt = add('''
        from clinicjournal import hookimpl

        @hookimpl
        def template_slott(slot, ctx):
            return "typo"
    ''')

    app = make_app(PLUGINS_FOLDER=str(folder))
    records = plugins_of(app).records
    assert records[good].source == "folder" and not records[good].broken
    assert "dependency is missing" in records[broken].error
    assert "template_slott" in records[misspelt].error
    assert not {broken, misspelt} & set(plugins_of(app).active_names())

    with app.app_context():
        sess = db.session()
        manage.create_site(sess, "alpha", "Alpha", ["en"])
        sess.commit()
    from clinicjournal.cli import main

    folder_src = folder.parent / "content"
    folder_src.mkdir()
    (folder_src / "a.md").write_text("---\nslug: a\nlocale: en\ntitle: A\nsummary: S\npublished: 2025-01-01\n---\n\nHi\n")
    assert app.test_cli_runner().invoke(main, ["content", "import", str(folder_src), "--site", "alpha"]).exit_code == 0
    response = app.test_client().get("/en/a/", headers={"Host": "alpha.localhost"})
    assert response.status_code == 200
    assert "Folder plugin was here" in response.get_data(as_text=True)

    with app.app_context():
        sess = db.session()
        with pytest.raises(manage.ConfigError, match="broken"):
            manage.set_plugin_enabled(sess, manage.get_site(sess, "alpha"), broken, True, plugins_of(app))


# -- per-site enablement -----------------------------------------------------------------------


@pytest.mark.parametrize("plugin", sorted(PARTS))
def test_disabling_a_plugin_on_one_site_removes_its_part_there_only(plugin, two_sites, app, get_page):
    tag, cls = PARTS[plugin]
    for site in two_sites:  # both sites show the part, and this worker has loaded its registry
        assert get_page(f"{site}.localhost", "/en/complete/").find(tag, cls=cls) is not None

    set_enabled(app, "alpha", plugin, False)

    alpha = get_page("alpha.localhost", "/en/complete/")
    beta = get_page("beta.localhost", "/en/complete/")
    assert alpha.find(tag, cls=cls) is None
    assert beta.find(tag, cls=cls) is not None
    # The rest of alpha's article is still there.
    assert alpha.one("h1").text() == ARTICLE["title"]
    for other, (other_tag, other_cls) in PARTS.items():
        if other != plugin:
            assert alpha.find(other_tag, cls=other_cls) is not None, other

    set_enabled(app, "alpha", plugin, True)
    assert get_page("alpha.localhost", "/en/complete/").find(tag, cls=cls) is not None


def test_disabled_references_plugin_leaves_plain_citation_numbers(two_sites, app, get_page):
    set_enabled(app, "alpha", "references", False)
    body = get_page("alpha.localhost", "/en/complete/").one("div", cls="article__body")
    assert body.find("sup", cls="cite") is None
    assert "[1]" in body.text()
    assert get_page("beta.localhost", "/en/complete/").one("div", cls="article__body").find("sup", cls="cite")


def test_disabled_category_plugin_hides_category_pages_and_navigation(two_sites, app, get_page, html):
    assert get_page("alpha.localhost", "/en/category/immune-health/").find("article", cls="card")
    set_enabled(app, "alpha", "health_topics", False)
    index = get_page("alpha.localhost", "/en/")
    hrefs = [html.local_path(index, a.get("href")) for a in index.find_all("a")]
    assert not any("/category/" in h for h in hrefs)
    assert index.find("article", cls="card") is not None  # the article is still listed
    assert get_page("beta.localhost", "/en/category/immune-health/").find("article", cls="card")


def test_enabling_is_seen_by_another_worker_without_restart(two_sites, app, make_app, get_page):
    assert get_page("alpha.localhost", "/en/complete/").find("section", cls="faq") is not None
    set_enabled(make_app(), "alpha", "faq", False)  # a second app instance: another worker
    assert get_page("alpha.localhost", "/en/complete/").find("section", cls="faq") is None


def test_unknown_plugin_cannot_be_enabled(two_sites, app):
    with app.app_context():
        sess = db.session()
        with pytest.raises(manage.ConfigError, match="no plugin"):
            manage.set_plugin_enabled(sess, manage.get_site(sess, "alpha"), "nosuch", True, plugins_of(app))


# -- failure isolation ---------------------------------------------------------------------------


class Boom:
    """A plugin whose every hook raises."""

    @hookimpl
    def template_slot(self, slot, ctx):
        raise RuntimeError(f"boom in {slot}")

    @hookimpl
    def render_citation(self, ctx, keys, numbers):
        raise RuntimeError("boom in citation")

    @hookimpl
    def html_transforms(self, site):
        def transform(html, ctx):
            raise RuntimeError("boom in transform")
        return [transform]


class Quiet:
    @hookimpl
    def template_slot(self, slot, ctx):
        if slot == "article_body_end":
            return Contribution('<p class="quiet-part">Still here</p>')
        return None


def test_a_plugin_that_raises_does_not_take_the_page_down(app, create_site, publish, get_page):
    plugins = plugins_of(app)
    plugins.register(Quiet(), "quiet")
    plugins.register(Boom(), "boom")
    create_site("alpha")
    publish("alpha", ARTICLE)

    doc = get_page("alpha.localhost", "/en/complete/")
    assert doc.one("h1").text() == ARTICLE["title"]
    for tag, cls in PARTS.values():  # every other plugin's part still renders
        assert doc.find(tag, cls=cls) is not None, cls
    assert doc.one("p", cls="quiet-part").text() == "Still here"
    marker = doc.one("div", cls="article__body").one("sup", cls="cite").one("a")
    assert marker.get("href") == "#ref-1"  # the references plugin rendered the citation

    record = plugins.records["boom"]
    failures = record.failures
    assert failures >= 3  # template slots, the citation and the transform
    assert "boom" in record.last_failure
    assert plugins.records["quiet"].failures == 0
    assert all(plugins.records[n].failures == 0 for n in BUILT_IN)

    get_page("alpha.localhost", "/en/")
    get_page("alpha.localhost", "/en/complete/?again=1")  # another URL: not a page-cache hit
    assert record.failures > failures

    with app.app_context():  # visible to site admins, from any process
        rows = [r for r in health_rows(db.session()) if r.plugin == "boom"]
    assert rows and rows[0].site_slug == "alpha" and rows[0].failures >= failures


def test_a_failing_plugin_disabled_on_a_site_is_not_called_there(app, create_site, publish, get_page):
    plugins = plugins_of(app)
    plugins.register(Boom(), "boom")
    create_site("alpha")
    publish("alpha", ARTICLE)
    set_enabled(app, "alpha", "boom", False)
    get_page("alpha.localhost", "/en/complete/")
    assert plugins.records["boom"].failures == 0

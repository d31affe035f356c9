"""The plugin platform (issue 3): discovery, per-site enablement, settings,
assets, isolation, tracing, the CLI, the example distribution and the docs."""

from __future__ import annotations

import importlib
import inspect
import logging
import re
import subprocess
import sys

import pytest
from conftest import REPO, parse_html

from clinicjournal.platform import hookspecs
from clinicjournal.store import db

FIXTURES = REPO / "tests" / "plugin_fixtures"
CITED = {"slug": "cited", "title": "Cited article", "category": "immune-health",
         "references": [{"key": "smith-2020", "title": "A trial of things", "authors": ["Smith J"],
                         "container": "The Journal", "year": 2020, "kind": "Meta-analysis",
                         "doi": "10.1000/xyz123"}],
         "faq": [{"q": "Why?", "a": "Because."}],
         "body": "## First\n\nA claim [@smith-2020]. PROBE-MARK here.\n"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PLUGINS_FOLDER": str(FIXTURES)}


@pytest.fixture
def two_sites(create_site, publish):
    alpha = create_site("alpha", locales=("en", "de"))
    beta = create_site("beta")
    publish("alpha", CITED, {"slug": "about", "type": "page", "title": "About Alpha", "translation_key": "about"})
    publish("beta", CITED, {"slug": "about", "type": "page", "title": "About Beta", "translation_key": "about"})
    return alpha, beta


def page(client, site, path):
    return client.get(path, headers={"Host": f"{site}.localhost"})


def status(client, site, path) -> int:
    """Status of a request whose body is not needed (closing it: static files are open files)."""
    response = page(client, site, path)
    response.close()
    return response.status_code


def plugins_of(app):
    return app.extensions["clinicjournal"].plugins


# -- discovery ---------------------------------------------------------------------

def test_folder_and_entry_point_plugins_are_discovered(app):
    records = plugins_of(app).records
    for name in ("health_topics", "references", "disclaimer", "faq", "takeaway"):
        assert records[name].source == "distribution" and not records[name].broken
    assert records["probe"].source == "folder" and records["probe"].version == "9.9.9"


def test_a_plugin_that_fails_to_import_or_misspells_a_hook_is_listed_broken(app, cli, two_sites):
    records = plugins_of(app).records
    assert "ModuleNotFoundError" in records["broken_import"].error
    assert "templat_slot" in records["typo"].error
    # the server still serves pages
    assert page(app.test_client(), "alpha", "/en/cited/").status_code == 200
    listing = cli("plugins", "list").output
    assert re.search(r"broken_import .*BROKEN: ModuleNotFoundError", listing)
    assert re.search(r"typo .*BROKEN: .*templat_slot", listing)
    refused = cli("plugins", "enable", "typo", "--site", "alpha")
    assert refused.exit_code != 0 and "broken" in refused.output


# -- enablement ----------------------------------------------------------------------

def test_enable_on_one_site_only_and_every_worker_follows(make_app, app, cli, two_sites):
    other_worker = make_app()  # a second app on the same database, like a second gunicorn worker
    for worker in (app, other_worker):
        assert "probe-greeting" not in page(worker.test_client(), "alpha", "/en/cited/").text
    result = cli("plugins", "enable", "probe", "--site", "alpha")
    assert result.exit_code == 0, result.output
    for worker in (app, other_worker):
        client = worker.test_client()
        assert "probe-greeting" in page(client, "alpha", "/en/cited/").text
        assert "probe-greeting" not in page(client, "beta", "/en/cited/").text
    cli("plugins", "disable", "probe", "--site", "alpha")
    assert "probe-greeting" not in page(other_worker.test_client(), "alpha", "/en/cited/").text


def test_plugins_list_shows_version_source_hooks_and_sites(cli, two_sites):
    cli("plugins", "enable", "probe", "--site", "beta")
    out = cli("plugins", "list").output
    row = next(line for line in out.splitlines() if " probe " in line)
    assert "9.9.9" in row and "folder" in row and "beta" in row and "alpha" not in row
    for hook in ("blueprints", "categories", "cli_commands", "head_extras", "html_transforms"):
        assert hook in out
    only_alpha = cli("plugins", "list", "--site", "alpha").output
    assert re.search(r" faq .* alpha ", only_alpha)


# -- settings ------------------------------------------------------------------------

def test_settings_are_typed_strict_and_per_locale(app, cli, client, two_sites):
    cli("plugins", "enable", "probe", "--site", "alpha")
    ok = cli("plugins", "settings", "probe", "--site", "alpha", "count=7", "mode=b", "link=/en/about/")
    assert ok.exit_code == 0, ok.output
    for bad, message in (("count=seven", "whole number"), ("mode=z", "one of a, b"),
                         ("link=javascript:alert(1)", "http(s) address"), ("colour=red", "no setting 'colour'"),
                         ("citations=maybe", "true or false")):
        refused = cli("plugins", "settings", "probe", "--site", "alpha", bad)
        assert refused.exit_code != 0 and message in refused.output, (bad, refused.output)
    cli("plugins", "settings", "probe", "--site", "alpha", "--locale", "de", "greeting=Guten Tag")
    cli("plugins", "settings", "probe", "--site", "alpha", "greeting=Good day")
    assert "Good day" in page(client, "alpha", "/en/cited/").text
    refused = cli("plugins", "settings", "probe", "--site", "beta", "--locale", "de", "greeting=Hallo")
    assert refused.exit_code != 0 and "does not serve 'de'" in refused.output
    shown = cli("plugins", "settings", "probe", "--site", "alpha").output
    assert "Guten Tag" in shown and "per language" in shown


def test_translatable_setting_follows_the_page_language(app, cli, client, create_site, publish, two_sites):
    publish("alpha", {**CITED, "locale": "de", "slug": "zitiert", "translation_key": "cited"})
    cli("plugins", "enable", "probe", "--site", "alpha")
    cli("plugins", "settings", "probe", "--site", "alpha", "--locale", "de", "greeting=Guten Tag")
    assert "Guten Tag" in page(client, "alpha", "/de/zitiert/").text
    assert "Hello" in page(client, "alpha", "/en/cited/").text  # English falls back to the default


def test_disclaimer_text_and_link_per_locale(cli, client, two_sites):
    cli("plugins", "settings", "disclaimer", "--site", "alpha", "text=Ask your own GP first.",
        "link=https://alpha.example/legal")
    html = page(client, "alpha", "/en/cited/").text
    assert "Ask your own GP first." in html and 'href="https://alpha.example/legal"' in html
    beta = page(client, "beta", "/en/cited/").text
    assert "general information, not medical advice" in beta


@pytest.mark.parametrize("style, expected", [
    ("numbered", "A trial of things"),
    ("vancouver", "Smith J. A trial of things. The Journal. 2020"),
    ("apa", "Smith, J. (2020). A trial of things."),
])
def test_references_style_per_site(cli, client, two_sites, style, expected):
    assert cli("plugins", "settings", "references", "--site", "alpha", f"style={style}").exit_code == 0
    sources = parse_html(page(client, "alpha", "/en/cited/").text).by_id("ref-1").text()
    assert expected in " ".join(sources.split())
    assert "https://doi.org/10.1000/xyz123" in page(client, "alpha", "/en/cited/").text
    # the other site keeps the default numbered style
    beta = parse_html(page(client, "beta", "/en/cited/").text).by_id("ref-1").text()
    assert beta.startswith("A trial of things")  # title first: the plain numbered style


# -- every hook ----------------------------------------------------------------------

def test_hooks_of_an_enabled_plugin_take_effect_on_that_site_only(app, cli, client, two_sites):
    cli("plugins", "enable", "probe", "--site", "alpha")
    cli("plugins", "settings", "probe", "--site", "alpha", "citations=true")
    alpha = page(client, "alpha", "/en/cited/").text
    beta = page(client, "beta", "/en/cited/").text
    # render_citation (tryfirst beats the references plugin), html_transforms (sanitised)
    assert 'class="probe-cite">§1<' in alpha and "probe-cite" not in beta
    assert 'class="probed"' in alpha and "<script>x()" not in alpha and "PROBE-MARK" in beta
    # head_extras: meta, stylesheet, JSON-LD escaped so it cannot close its element
    assert '<meta name="probe" content="article">' in alpha
    assert "</script><script>alert(1)" not in alpha and "\\u003c/script\\u003e" in alpha
    css = re.search(r'href="(/static/plugins/probe/probe\.[0-9a-f]{12}\.css)"', alpha).group(1)
    assert status(client, "alpha", css) == 200
    assert status(client, "beta", css) == 404  # a disabled plugin's assets are unreachable
    # categories: the plugin's category page exists only where it is enabled
    assert page(client, "alpha", "/en/category/mental-health/").status_code == 200
    assert page(client, "beta", "/en/category/mental-health/").status_code == 404
    # blueprints: routes answer 404 where the plugin is disabled
    assert page(client, "alpha", "/probe/").text == "probe on alpha"
    assert page(client, "beta", "/probe/").status_code == 404
    # templates: the plugin's page.html replaces the core page on alpha only
    assert "probe-banner" in page(client, "alpha", "/en/about/").text
    assert "probe-banner" not in page(client, "beta", "/en/about/").text
    assert "About Alpha" in page(client, "alpha", "/en/about/").text


def test_cli_commands_hook_adds_a_command(app):
    result = app.test_cli_runner().invoke(args=["probe-hello"])
    assert result.exit_code == 0 and "hello from probe" in result.output


def test_validate_article_hook_stops_an_import_naming_the_file(cli, two_sites, write_article, tmp_path):
    path = write_article(tmp_path / "bad", slug="nope", title="A FORBIDDEN title")
    assert cli("content", "import", path, "--site", "alpha").exit_code == 0  # probe is off there
    cli("plugins", "enable", "probe", "--site", "beta")
    result = cli("content", "import", path, "--site", "beta")
    assert result.exit_code != 0
    assert "titles may not say FORBIDDEN" in result.output and "nope" in result.output


def test_plugin_info_hook_supplies_description_default_and_settings(app):
    record = plugins_of(app).records["probe"]
    assert record.info.description == "Probe plugin for tests" and record.info.default_enabled is False
    assert [s.name for s in record.info.settings] == ["greeting", "citations", "count", "mode", "link"]


# -- isolation and tracing ------------------------------------------------------------

def test_a_failing_plugin_is_isolated_named_and_counted(app, cli, client, two_sites, caplog):
    cli("plugins", "enable", "boom", "--site", "alpha")
    with caplog.at_level(logging.ERROR, logger="clinicjournal.plugins"):
        response = page(client, "alpha", "/en/cited/")
    assert response.status_code == 200
    assert "Common questions" in response.text and "Sources" in response.text  # other plugins unaffected
    assert any("'boom'" in r.getMessage() and "boom in" in r.getMessage() for r in caplog.records)
    assert plugins_of(app).records["boom"].failures >= 1
    listing = cli("plugins", "list", "--site", "alpha").output
    assert re.search(r"boom .*failure\(s\); last on alpha: template_slot on site alpha: RuntimeError: boom in", listing)


def test_trace_logs_every_hook_call_with_plugin_site_and_time(make_app, two_sites, caplog):
    traced = make_app(TRACE_PLUGINS=True)
    with caplog.at_level(logging.INFO, logger="clinicjournal.plugins"):
        assert page(traced.test_client(), "alpha", "/en/cited/").status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("hook ")]
    assert any(re.match(r"hook template_slot plugin=faq site=alpha \(slot='article_body_end', "
                        r"ctx=<PageContext article alpha/en/cited>\) \d+\.\d\d ms", line) for line in lines), lines[:5]
    assert any(line.startswith("hook render_citation plugin=references site=alpha") for line in lines)


# -- the example third-party distribution ----------------------------------------------

@pytest.fixture(scope="session")
def evidence_dist(tmp_path_factory):
    """pip-install examples/evidence-badge into a folder of its own (so other tests
    don't see it), as an operator would install it into the environment."""
    target = tmp_path_factory.mktemp("evidence-site-packages")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(REPO / "examples" / "evidence-badge")],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def test_example_distribution_installed_with_pip(evidence_dist, monkeypatch, make_app, create_site, publish):
    monkeypatch.syspath_prepend(str(evidence_dist))
    importlib.invalidate_caches()
    app = make_app()
    record = plugins_of(app).records["evidence"]
    assert record.source == "distribution" and record.version == "0.2.0" and not record.broken
    assert "clinicjournal-evidence-badge" in record.location
    with app.app_context():
        from clinicjournal.store.manage import create_site as make_site
        from clinicjournal.store.manage import set_plugin_enabled
        sess = db.session()
        alpha = make_site(sess, "alpha", "Alpha", ["en", "de"])
        make_site(sess, "beta", "Beta", ["en"])
        sess.commit()
        import yaml

        from clinicjournal.content.authoring import parse_document
        from clinicjournal.content.documents import import_documents
        from clinicjournal.store.manage import get_site
        for site, locale, slug in (("alpha", "en", "cited"), ("alpha", "de", "zitiert"), ("beta", "en", "cited")):
            meta = {k: v for k, v in CITED.items() if k != "body"}
            meta.update(locale=locale, slug=slug, translation_key="cited", summary="s", published="2025-01-01")
            doc = parse_document("---\n" + yaml.safe_dump(meta) + "---\n" + CITED["body"], f"{slug}.md")
            import_documents(sess, get_site(sess, site), [doc])
        set_plugin_enabled(sess, alpha, "evidence", True, plugins_of(app))
        sess.commit()
    client = app.test_client()
    alpha_en = page(client, "alpha", "/en/cited/").text
    assert "Strong evidence" in alpha_en and "based on 1 source" in alpha_en
    assert "Starke Evidenz" in page(client, "alpha", "/de/zitiert/").text  # the plugin's own catalog
    assert "evidence" not in page(client, "beta", "/en/cited/").text.lower().split("<body", 1)[1]
    css = re.search(r'href="(/static/plugins/evidence/[^"]+)"', alpha_en).group(1)
    assert status(client, "alpha", css) == 200 and status(client, "beta", css) == 404


# -- docs ------------------------------------------------------------------------------

def hook_specs():
    return {name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
            if hasattr(fn, "clinicjournal_spec")}


def test_every_hook_is_documented_with_its_arguments_and_an_example():
    docs = (REPO / "docs" / "plugins.md").read_text()
    specs = hook_specs()
    assert len(specs) >= 9
    for name, fn in specs.items():
        args = ", ".join(inspect.signature(fn).parameters)
        heading = f"### {name}({args})"
        assert heading in docs, f"docs/plugins.md lacks a section {heading!r}"
        section = docs.split(heading, 1)[1].split("\n### ", 1)[0]
        assert "**Called**" in section and "```python" in section and f"def {name}(" in section


def test_every_hook_has_a_test():
    tests = "\n".join(p.read_text() for p in (REPO / "tests").rglob("*.py"))
    for name in hook_specs():
        assert re.search(rf"def {name}\(", tests), f"no test plugin implements {name}"

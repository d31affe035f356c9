"""Several clinic sites on one install: the Host header picks the site, and no page ever
shows one site's content on another."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicjournal.store import db, manage

SITES = {
    "alpha": {"name": "Alpha Family Clinic", "marker": "alphamarker", "title": "Alpha's view on sleep"},
    "beta": {"name": "Beta Health Centre", "marker": "betamarker", "title": "Beta's view on sleep"},
}


@pytest.fixture
def two_sites(create_site, publish):
    for slug, spec in SITES.items():
        create_site(slug, name=spec["name"])
        publish(slug,
                {"slug": "same-slug", "title": spec["title"], "category": "sleep-health",
                 "summary": f"Summary {spec['marker']}.", "takeaway": f"Takeaway {spec['marker']}.",
                 "faq": [{"q": f"Question {spec['marker']}?", "a": f"Answer {spec['marker']}."}],
                 "references": [{"key": "r", "title": f"Reference {spec['marker']}", "year": 2020}],
                 "body": f"Body text {spec['marker']} [@r].\n"},
                {"slug": f"only-{slug}", "title": f"Only on {spec['name']}", "published": dt.date(2024, 1, 1),
                 "body": f"Private {spec['marker']}.\n"},
                {"slug": "disclaimer", "type": "page", "title": f"Disclaimer of {spec['name']}",
                 "summary": None, "published": None, "body": f"Legal {spec['marker']}.\n"})
    return SITES


def everything(doc) -> str:
    """All text and attribute values of a parsed page, unescaped."""
    return "\n".join([doc.text(), *(v for node in doc.iter() for v in node.attrs.values())])


def others(slug: str) -> list[str]:
    """Every string that identifies a site other than ``slug``."""
    found = []
    for other, spec in SITES.items():
        if other != slug:
            found += [spec["name"], spec["marker"], spec["title"], f"only-{other}"]
    return found


PATHS = ["/en/", "/en/same-slug/", "/en/category/sleep-health/", "/en/disclaimer/", "/en/only-{slug}/"]


def test_each_host_shows_only_its_own_site(two_sites, get_page):
    for slug, spec in SITES.items():
        for path in PATHS:
            page = everything(get_page(f"{slug}.localhost", path.format(slug=slug)))
            assert spec["name"] in page
            for foreign in others(slug):
                assert foreign not in page, (slug, path, foreign)


def test_same_slug_shows_each_sites_own_article(two_sites, get_page):
    for slug, spec in SITES.items():
        doc = get_page(f"{slug}.localhost", "/en/same-slug/")
        assert doc.one("h1").text() == spec["title"]
        assert spec["marker"] in doc.one("div", cls="article__body").text()
        assert spec["marker"] in doc.one("section", cls="faq").text()
        assert spec["marker"] in doc.one("section", cls="sources").text()


def test_another_sites_article_is_not_found(two_sites, get_page):
    for slug in SITES:
        (other,) = [s for s in SITES if s != slug]
        page = everything(get_page(f"{slug}.localhost", f"/en/only-{other}/", status=404))
        for foreign in others(slug):
            assert foreign not in page, (slug, foreign)


UNKNOWN_HOSTS = ["unknown.example.org", "gamma.localhost", "localhost", "127.0.0.1:5000", "alpha.example.org"]


def test_unknown_host_gets_a_404_that_names_it_and_nothing_else(two_sites, get_page):
    for host in UNKNOWN_HOSTS:
        for path in ("/", "/en/same-slug/", "/en/category/sleep-health/"):
            doc = get_page(host, path, status=404)
            page = everything(doc)
            assert host.split(":")[0] in doc.text(), (host, path)
            assert "no journal is configured" in doc.text().lower(), (host, path)
            for slug, spec in SITES.items():
                for secret in (spec["name"], spec["marker"], spec["title"], f"only-{slug}", "same-slug"):
                    assert secret not in page, (host, path, secret)
            # No navigation into any site either.
            assert [a.get("href") for a in doc.find_all("a")] == [], (host, path)


OPERATOR_COMMAND = "clinicjournal site add-host"


def test_the_public_never_sees_operator_commands_on_the_unknown_host_page(two_sites, make_app, html):
    """Production (no OPERATOR_HINTS, no debug): a plain localised sentence, whatever the
    request claims about where it comes from (behind a proxy every request is from 127.0.0.1)."""
    app = make_app(LOCALHOST_SITES=False)
    client = app.test_client()
    for address, forwarded in (("203.0.113.9", None), ("127.0.0.1", None), ("::1", None),
                               ("127.0.0.1", "203.0.113.9")):
        headers = {"Host": "unknown.example.org", "Accept-Language": "de"}
        if forwarded:
            headers["X-Forwarded-For"] = forwarded
        response = client.get("/en/", headers=headers, environ_base={"REMOTE_ADDR": address})
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert OPERATOR_COMMAND not in page and "add-host" not in page, address
        doc = html.parse(page)
        assert doc.one("h1").text() == "Keine Website unter dieser Adresse"
        assert "unknown.example.org" in doc.text()


@pytest.mark.parametrize("setting", [{"OPERATOR_HINTS": True}, {"DEBUG": True}])
def test_operators_see_how_to_connect_the_host(two_sites, make_app, setting):
    app = make_app(LOCALHOST_SITES=False, **setting)
    page = app.test_client().get("/", headers={"Host": "new.example.org"}).get_data(as_text=True)
    assert f"{OPERATOR_COMMAND} SITE new.example.org" in page


def test_the_development_commands_switch_the_hints_on(database_url, tmp_path, static_build_dir, monkeypatch):
    import click
    from conftest import dispose

    from clinicjournal.cli.base import _create_app

    for name, value in (("INSTANCE_PATH", tmp_path), ("DATABASE_URL", database_url), ("SECRET_KEY", "test"),
                        ("STATIC_BUILD_DIR", static_build_dir)):
        monkeypatch.setenv(f"CLINICJOURNAL_{name}", str(value))
    root = click.Context(click.Group("clinicjournal"), info_name="clinicjournal")
    for command, on in (("run", True), ("demo", True), ("site", False), ("content", False)):
        with click.Context(click.Command(command), parent=root, info_name=command):
            app = _create_app()
        try:
            assert app.config["OPERATOR_HINTS"] is on, command
        finally:
            dispose(app)


def test_operator_hints_must_be_on_or_off(make_app):
    from clinicjournal.store.startup import StartupError

    with pytest.raises(StartupError, match="OPERATOR_HINTS is 'yes'"):
        make_app(OPERATOR_HINTS="yes")


def test_slug_dot_localhost_with_any_port_reaches_the_site(two_sites, get_page):
    for host in ("alpha.localhost:5000", "alpha.localhost:8080", "ALPHA.LOCALHOST", "alpha.localhost."):
        assert get_page(host, "/en/same-slug/").one("h1").text() == SITES["alpha"]["title"], host


def test_added_host_reaches_its_site_only(two_sites, cli, get_page):
    get_page("journal.alpha.example", "/en/", status=404)
    assert cli("site", "add-host", "alpha", "journal.alpha.example").exit_code == 0
    doc = get_page("journal.alpha.example", "/en/same-slug/")
    assert doc.one("h1").text() == SITES["alpha"]["title"]
    assert get_page("beta.localhost", "/en/same-slug/").one("h1").text() == SITES["beta"]["title"]


def test_another_sites_dev_host_cannot_be_claimed(two_sites, cli, get_page):
    """<slug>.localhost belongs to that site: claiming it for another site is refused,
    so a page never moves to a different clinic behind a name people already use."""
    assert get_page("alpha.localhost", "/en/same-slug/").one("h1").text() == SITES["alpha"]["title"]
    result = cli("site", "add-host", "beta", "alpha.localhost")
    assert result.exit_code != 0 and "development host of site alpha" in result.output
    assert get_page("alpha.localhost", "/en/same-slug/").one("h1").text() == SITES["alpha"]["title"]


def test_a_change_made_by_another_process_is_seen_on_the_next_request(two_sites, app, make_app, get_page):
    """Two app instances on one database behave like two workers: a host added through
    one is served by the other without a restart."""
    get_page("news.beta.example", "/en/", status=404)  # this worker has loaded its registry
    other_worker = make_app()
    with other_worker.app_context():
        sess = db.session()
        manage.add_host(sess, manage.get_site(sess, "beta"), "news.beta.example")
        sess.commit()
    assert get_page("news.beta.example", "/en/same-slug/").one("h1").text() == SITES["beta"]["title"]


def test_default_site_serves_unknown_hosts_when_configured(two_sites, make_app, html):
    app = make_app(DEFAULT_SITE="beta")
    response = app.test_client().get("/en/same-slug/", headers={"Host": "anything.example.net"})
    assert response.status_code == 200
    doc = html.parse(response.get_data(as_text=True))
    assert doc.one("h1").text() == SITES["beta"]["title"]
    assert all(foreign not in everything(doc) for foreign in others("beta"))


# -- <slug>.localhost: only with LOCALHOST_SITES (the demo and the development server) ----------


def localhost_hosts_reach(app, hosts=("alpha.localhost", "x.alpha.localhost", "x.y.alpha.localhost:5000")):
    return {host: app.test_client().get("/en/same-slug/", headers={"Host": host}) for host in hosts}


def test_without_the_setting_slug_dot_localhost_is_the_localized_unknown_host_page(two_sites, make_app, html):
    app = make_app(LOCALHOST_SITES=False)
    with app.app_context():
        sess = db.session()
        manage.add_host(sess, manage.get_site(sess, "alpha"), "journal.alpha.example")
        sess.commit()
    client = app.test_client()
    for host in ("alpha.localhost", "x.alpha.localhost", "ALPHA.localhost:5000", "x.y.beta.localhost"):
        for path in ("/en/same-slug/", "/"):
            response = client.get(path, headers={"Host": host, "Accept-Language": "de"})
            assert response.status_code == 404, (host, path)
            doc = html.parse(response.get_data(as_text=True))
            assert doc.one("h1").text() == "Keine Website unter dieser Adresse", (host, path)
            assert host.split(":")[0].lower() in doc.text(), (host, path)
            assert all(secret not in everything(doc) for secret in others("gamma")), (host, path)
    claimed = client.get("/en/same-slug/", headers={"Host": "journal.alpha.example"})
    assert claimed.status_code == 200
    assert html.parse(claimed.get_data(as_text=True)).one("h1").text() == SITES["alpha"]["title"]


def test_with_the_setting_slug_dot_localhost_and_below_reach_the_site(two_sites, make_app, html):
    for host, response in localhost_hosts_reach(make_app(LOCALHOST_SITES=True)).items():
        assert response.status_code == 200, host
        assert html.parse(response.get_data(as_text=True)).one("h1").text() == SITES["alpha"]["title"], host


def test_a_claimed_localhost_name_wins_either_way(two_sites, make_app, html):
    """A host a site claims is that site's, even one under another site's <slug>.localhost."""
    on, off = make_app(LOCALHOST_SITES=True), make_app(LOCALHOST_SITES=False)
    with on.app_context():
        sess = db.session()
        manage.add_host(sess, manage.get_site(sess, "beta"), "news.alpha.localhost")
        sess.commit()
    for app in (on, off):
        response = app.test_client().get("/en/same-slug/", headers={"Host": "news.alpha.localhost"})
        assert html.parse(response.get_data(as_text=True)).one("h1").text() == SITES["beta"]["title"]
    assert localhost_hosts_reach(on, ["alpha.localhost"])["alpha.localhost"].status_code == 200
    assert localhost_hosts_reach(off, ["alpha.localhost"])["alpha.localhost"].status_code == 404


def test_the_admin_links_to_the_sites_first_host_without_the_setting(two_sites, make_app):
    """The admin's "View the public site" goes where readers reach the site: its first
    host name in production, <slug>.localhost only when that works; no link when no host does."""
    from clinicjournal.admin import ui

    def link(app, slug, admin_host="alpha.localhost:5000"):
        with app.test_request_context("/admin/", base_url=f"http://{admin_host}"):
            return ui.public_url(manage.get_site(db.session(), slug), "en")

    off = make_app(LOCALHOST_SITES=False)
    with off.app_context():
        sess = db.session()
        for host in ("journal.alpha.example", "www.alpha.example"):
            manage.add_host(sess, manage.get_site(sess, "alpha"), host)
        sess.commit()
    assert link(off, "alpha") == "http://journal.alpha.example/en/"
    assert link(off, "beta") is None  # no host name reaches beta
    default_beta = make_app(LOCALHOST_SITES=False, DEFAULT_SITE="beta")
    assert link(default_beta, "beta", "admin.example.org") == "http://admin.example.org/en/"  # served here
    assert link(default_beta, "beta", "journal.alpha.example") is None  # alpha's, not beta's
    assert link(make_app(LOCALHOST_SITES=True), "beta") == "http://beta.localhost:5000/en/"


def test_the_admin_shows_no_public_link_for_a_site_no_host_reaches(two_sites, make_app, html):
    from admin_support import FAST_ARGON2, AdminClient, make_user

    app = make_app(LOCALHOST_SITES=False, ARGON2_PARAMETERS=FAST_ARGON2)
    with app.app_context():
        sess = db.session()
        manage.add_host(sess, manage.get_site(sess, "alpha"), "journal.alpha.example")
        sess.commit()
    make_user(app, "network@example.test", network_admin=True)
    client = AdminClient(app, "journal.alpha.example")
    client.login("network@example.test")
    for slug, expected in (("alpha", ["http://journal.alpha.example/en/"]), ("beta", [])):
        response = client.get(f"/admin/{slug}/")
        assert response.status_code == 200, slug
        doc = html.parse(response.get_data(as_text=True))
        assert [a.get("href") for a in doc.find_all("a") if a.text() == "View the public site"] == expected


@pytest.fixture
def operator_env(database_url, tmp_path, static_build_dir, monkeypatch):
    """The environment an operator's command runs in: CLINICJOURNAL_* only from here."""
    import os

    for name in list(os.environ):
        if name.startswith(("CLINICJOURNAL_", "FLASK_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CLINICJOURNAL_DATABASE_URL", database_url)
    monkeypatch.setenv("CLINICJOURNAL_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("CLINICJOURNAL_SECRET_KEY", "x")
    monkeypatch.setenv("CLINICJOURNAL_STATIC_BUILD_DIR", str(static_build_dir))
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.mark.parametrize("value, expected", [(None, False), ("true", True), ("1", True), ("false", False),
                                             ("0", False)])
def test_the_setting_is_off_unless_the_environment_says_on(operator_env, value, expected):
    from conftest import dispose

    from clinicjournal import create_app

    if value is not None:
        operator_env.setenv("CLINICJOURNAL_LOCALHOST_SITES", value)
    app = create_app()
    try:
        assert app.config["LOCALHOST_SITES"] is expected
    finally:
        dispose(app)


@pytest.mark.parametrize("value", ["off", "yes", '"true"'])
def test_a_setting_that_is_not_on_or_off_stops_the_start(operator_env, value):
    from clinicjournal import create_app
    from clinicjournal.store.startup import StartupError

    operator_env.setenv("CLINICJOURNAL_LOCALHOST_SITES", value)
    with pytest.raises(StartupError, match="CLINICJOURNAL_LOCALHOST_SITES=true"):
        create_app()


@pytest.mark.parametrize("args, server", [(["run"], "flask.cli.run_simple"),
                                          (["demo", "--serve"], "werkzeug.serving.run_simple")])
def test_the_development_servers_switch_the_setting_on(operator_env, args, server):
    """`clinicjournal run` and `clinicjournal demo --serve` serve <slug>.localhost, as
    their output (and `site create`'s) promises; the server is not started here."""
    import gc
    import warnings

    from click.testing import CliRunner
    from conftest import dispose

    from clinicjournal.cli import main as cli_main

    served = []
    operator_env.setattr(server, lambda host, port, app, **kwargs: served.append(app))
    try:
        result = CliRunner().invoke(cli_main, args)
        assert result.exit_code == 0, result.output
        assert len(served) == 1 and served[0].config["LOCALHOST_SITES"] is True
        if args[0] == "demo":
            client = served[0].test_client()
            assert client.get("/en/", headers={"Host": "x.harbourview.localhost"}).status_code == 200
    finally:
        # Every connection the served app opened is closed here, the page request's
        # included: a pooled PostgreSQL connection left for the garbage collector
        # would surface as a ResourceWarning in some later test.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            for app in served:
                dispose(app)
            gc.collect()

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

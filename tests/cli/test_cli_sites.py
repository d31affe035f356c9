"""``clinicjournal site create / list / add-host / add-locale``: good input works and is
served at once; bad input says what to do and exits non-zero without changing anything."""

from __future__ import annotations

from sqlalchemy import select

from clinicjournal.store import db
from clinicjournal.store.models import Site


def sites_in_db(app) -> dict[str, dict]:
    with app.app_context():
        rows = db.session().scalars(select(Site).order_by(Site.slug)).all()
        return {s.slug: {"name": s.name, "locales": list(s.locales), "default": s.default_locale,
                         "hosts": [h.name for h in s.hosts]} for s in rows}


def test_site_create_then_list(cli, app, client):
    result = cli("site", "create", "north-clinic", "--name", "North Clinic", "--locale", "en", "--locale", "de",
                 "--host", "journal.north.example", "--primary", "#123456")
    assert result.exit_code == 0, result.output
    assert "north-clinic" in result.output

    assert sites_in_db(app) == {"north-clinic": {"name": "North Clinic", "locales": ["en", "de"], "default": "en",
                                                 "hosts": ["journal.north.example"]}}

    listing = cli("site", "list")
    assert listing.exit_code == 0, listing.output
    for expected in ("north-clinic", "North Clinic", "journal.north.example", "north-clinic.localhost"):
        assert expected in listing.output

    for host in ("journal.north.example", "north-clinic.localhost"):
        page = client.get("/de/", headers={"Host": host})
        assert page.status_code == 200
        assert "North Clinic" in page.get_data(as_text=True)
    assert "--primary: #123456" in client.get("/en/", headers={"Host": "north-clinic.localhost"}).get_data(as_text=True)


def test_site_list_when_empty_says_how_to_start(cli):
    result = cli("site", "list")
    assert result.exit_code == 0
    assert "clinicjournal site create" in result.output and "clinicjournal demo" in result.output


BAD_CREATE = [
    (["Bad_Slug", "--name", "X", "--locale", "en"], "lower-case letters, digits and hyphens"),
    (["trailing-", "--name", "X", "--locale", "en"], "lower-case letters, digits and hyphens"),
    (["x" * 64, "--name", "X", "--locale", "en"], "max 63"),
    (["ok-slug", "--name", "X", "--locale", "xx-notalocale"], "not a locale code"),
    (["ok-slug", "--name", "X", "--locale", "en", "--host", "not a host!"], "not a host name"),
]


def test_site_create_refuses_bad_input(cli, app):
    for args, advice in BAD_CREATE:
        result = cli("site", "create", *args)
        assert result.exit_code != 0, args
        assert "Traceback" not in result.output, args
        assert advice in result.output, (args, result.output)
        assert sites_in_db(app) == {}, args  # nothing half-created (e.g. the site of a bad --host)


def test_site_create_requires_name_and_locale(cli, app):
    result = cli("site", "create", "x")
    assert result.exit_code == 2
    assert "--name" in result.output
    result = cli("site", "create", "x", "--name", "X")
    assert result.exit_code == 2
    assert "--locale" in result.output
    assert sites_in_db(app) == {}


def test_site_create_refuses_a_duplicate_slug(cli, create_site, app):
    create_site("alpha", name="Alpha Clinic")
    before = sites_in_db(app)
    result = cli("site", "create", "alpha", "--name", "Another", "--locale", "en")
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert sites_in_db(app) == before


def test_add_host_reaches_the_site_at_once(cli, create_site, client, app):
    create_site("alpha", name="Alpha Clinic")
    assert client.get("/en/", headers={"Host": "news.alpha-clinic.example"}).status_code == 404

    result = cli("site", "add-host", "alpha", "News.Alpha-Clinic.Example:8443")
    assert result.exit_code == 0, result.output
    assert sites_in_db(app)["alpha"]["hosts"] == ["news.alpha-clinic.example"]

    for host in ("news.alpha-clinic.example", "news.alpha-clinic.example:8443", "NEWS.alpha-clinic.example"):
        response = client.get("/en/", headers={"Host": host})
        assert response.status_code == 200, host
        assert "Alpha Clinic" in response.get_data(as_text=True)


def test_add_host_refuses_bad_input(cli, create_site, app):
    create_site("alpha")
    create_site("beta", hosts=["taken.example.org"])
    before = sites_in_db(app)
    for args, advice in [(["nosuch", "journal.example.org"], "clinicjournal site create"),
                         (["alpha", "bad host name"], "not a host name"),
                         (["alpha", "taken.example.org"], "already belongs to the site 'beta'"),
                         (["alpha", "TAKEN.example.org:443"], "already belongs to the site 'beta'")]:
        result = cli("site", "add-host", *args)
        assert result.exit_code != 0, args
        assert advice in result.output, (args, result.output)
        assert "Traceback" not in result.output, args
        assert sites_in_db(app) == before, args


def test_add_locale_serves_the_new_language(cli, create_site, client, app):
    create_site("alpha", locales=["en"])
    assert client.get("/de/", headers={"Host": "alpha.localhost"}).status_code == 404
    result = cli("site", "add-locale", "alpha", "de")
    assert result.exit_code == 0, result.output
    assert sites_in_db(app)["alpha"]["locales"] == ["en", "de"]
    assert sites_in_db(app)["alpha"]["default"] == "en"
    assert client.get("/de/", headers={"Host": "alpha.localhost"}).status_code == 200

    again = cli("site", "add-locale", "alpha", "de")  # idempotent
    assert again.exit_code == 0
    assert sites_in_db(app)["alpha"]["locales"] == ["en", "de"]


def test_add_locale_refuses_bad_input(cli, create_site, app):
    create_site("alpha")
    before = sites_in_db(app)
    for args, advice in [(["alpha", "zz-nope"], "not a locale code"), (["nosuch", "de"], "clinicjournal site create")]:
        result = cli("site", "add-locale", *args)
        assert result.exit_code != 0, args
        assert advice in result.output, (args, result.output)
        assert sites_in_db(app) == before, args


def test_site_list_shows_names_verbatim(cli, create_site):
    names = ["Harbour [east] Clinic", "Clinic [/b] North"]
    for i, name in enumerate(names):
        create_site(f"site-{i}", name=name)
    result = cli("site", "list")
    assert result.exit_code == 0, repr(result.exception)
    for name in names:
        assert name in result.output

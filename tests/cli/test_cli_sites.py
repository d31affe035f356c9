"""``clinicjournal site create / list / add-host / remove-host / rename / add-locale /
remove-locale``: good input works and is served at once; bad input says what to do and
exits non-zero without changing anything."""

from __future__ import annotations

from sqlalchemy import select

from clinicjournal.store import db
from clinicjournal.store.models import Article, AuditEvent, Site


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
                         (["alpha", "taken.example.org"], "taken.example.org already reaches site beta"),
                         (["alpha", "TAKEN.example.org:443"], "taken.example.org already reaches site beta")]:
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


def cli_refuses(cli, app, *args, advice: tuple[str, ...]) -> None:
    """``clinicjournal ARGS`` exits non-zero, says each of ``advice`` and changes no site."""
    before = sites_in_db(app)
    result = cli(*args)
    assert result.exit_code == 1, (args, result.output)
    assert "Traceback" not in result.output, args
    flat = " ".join(result.output.split())  # click wraps nothing, but be safe
    for words in advice:
        assert words in flat, (args, words, result.output)
    assert sites_in_db(app) == before, args


def audited(app, action: str) -> list[tuple[str, str, dict]]:
    with app.app_context():
        return [(e.actor, e.target, e.detail) for e in db.session().scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


# -- a host belongs to at most one site ----------------------------------------------

REMOVE_IT_THERE = ("journal.example.org already reaches site harbourview",
                   "remove it there first with `clinicjournal site remove-host harbourview journal.example.org`")


def test_a_host_another_site_has_is_refused_by_create_and_add_host(cli, create_site, app, client):
    create_site("harbourview", name="Harbourview Clinic", hosts=["journal.example.org"])
    create_site("alpha")
    for host in ("journal.example.org", "Journal.Example.ORG", "journal.example.org.", "JOURNAL.example.org.:443"):
        cli_refuses(cli, app, "site", "create", "newcomer", "--name", "Newcomer", "--locale", "en", "--host", host,
                    advice=REMOVE_IT_THERE)
        cli_refuses(cli, app, "site", "add-host", "alpha", host, advice=REMOVE_IT_THERE)
    page = client.get("/en/", headers={"Host": "journal.example.org"})
    assert page.status_code == 200 and "Harbourview Clinic" in page.get_data(as_text=True)

    # the advice works: once harbourview lets it go, alpha may take it
    assert cli("site", "remove-host", "harbourview", "journal.example.org").exit_code == 0
    assert cli("site", "add-host", "alpha", "journal.example.org").exit_code == 0
    assert "Alpha Clinic" in client.get("/en/", headers={"Host": "journal.example.org"}).get_data(as_text=True)


def test_a_host_the_site_already_has_is_refused_without_sending_it_elsewhere(cli, create_site, app):
    create_site("alpha", hosts=["journal.alpha.example"])
    cli_refuses(cli, app, "site", "add-host", "alpha", "Journal.Alpha.Example.",
                advice=("journal.alpha.example already reaches site alpha; nothing to add",))


def test_repeating_a_host_in_create_gives_it_once(cli, app):
    result = cli("site", "create", "alpha", "--name", "Alpha", "--locale", "en",
                 "--host", "journal.alpha.example", "--host", "JOURNAL.alpha.example.")
    assert result.exit_code == 0, result.output
    assert sites_in_db(app)["alpha"]["hosts"] == ["journal.alpha.example"]


def test_another_sites_development_host_is_refused(cli, create_site, app, client):
    create_site("harbourview", name="Harbourview Clinic")
    create_site("alpha")
    advice = ("harbourview.localhost is the development host of site harbourview", "pick another host name")
    for host in ("harbourview.localhost", "HarbourView.localhost.", "harbourview.localhost:5000"):
        cli_refuses(cli, app, "site", "create", "newcomer", "--name", "Newcomer", "--locale", "en", "--host", host,
                    advice=advice)
        cli_refuses(cli, app, "site", "add-host", "alpha", host, advice=advice)
    page = client.get("/en/", headers={"Host": "harbourview.localhost"})
    assert page.status_code == 200 and "Harbourview Clinic" in page.get_data(as_text=True)
    # the site's own development host is still accepted (it reaches that site anyway)
    assert cli("site", "add-host", "alpha", "alpha.localhost").exit_code == 0


def test_a_slug_whose_development_host_another_site_has_is_refused(cli, create_site, app):
    create_site("alpha", hosts=["gamma.localhost"])
    create_site("beta")
    advice = ("gamma.localhost already reaches site alpha",
              "`clinicjournal site remove-host alpha gamma.localhost`", "or pick another slug")
    cli_refuses(cli, app, "site", "create", "gamma", "--name", "Gamma", "--locale", "en", advice=advice)
    cli_refuses(cli, app, "site", "rename", "beta", "Gamma", "--slug", "gamma", advice=advice)


# -- remove-host ----------------------------------------------------------------------

def test_remove_host_stops_it_reaching_the_site_at_once(cli, create_site, app, client):
    create_site("alpha", name="Alpha Clinic", hosts=["journal.alpha.example", "news.alpha.example"])
    assert client.get("/en/", headers={"Host": "news.alpha.example"}).status_code == 200

    result = cli("site", "remove-host", "alpha", "News.Alpha.Example.")
    assert result.exit_code == 0, result.output
    assert "news.alpha.example no longer reaches site alpha" in result.output
    assert sites_in_db(app)["alpha"]["hosts"] == ["journal.alpha.example"]
    assert client.get("/en/", headers={"Host": "news.alpha.example"}).status_code == 404
    assert client.get("/en/", headers={"Host": "journal.alpha.example"}).status_code == 200
    assert audited(app, "site.host_removed") == [("cli", "news.alpha.example", {})]


def test_remove_host_refuses_bad_input(cli, create_site, app):
    create_site("alpha", hosts=["journal.alpha.example"])
    create_site("beta", hosts=["journal.beta.example"])
    cli_refuses(cli, app, "site", "remove-host", "alpha", "journal.beta.example",
                advice=("the site 'alpha' has no host 'journal.beta.example'",
                        "its hosts: journal.alpha.example, alpha.localhost"))
    cli_refuses(cli, app, "site", "remove-host", "alpha", "alpha.localhost",
                advice=("alpha.localhost is the development host of site alpha; it cannot be removed",))
    cli_refuses(cli, app, "site", "remove-host", "nosuch", "journal.alpha.example",
                advice=("no site 'nosuch'", "clinicjournal site create"))
    assert cli("site", "remove-host", "alpha").exit_code == 2


# -- rename ----------------------------------------------------------------------------

def test_rename_changes_the_name_readers_see(cli, create_site, app, client):
    create_site("alpha", name="Alpha Clinic")
    result = cli("site", "rename", "alpha", "  Alpha Health [north]  ")
    assert result.exit_code == 0, result.output
    assert "Site alpha is now called Alpha Health [north]." in result.output
    assert sites_in_db(app)["alpha"]["name"] == "Alpha Health [north]"
    assert "Alpha Health [north]" in client.get("/en/", headers={"Host": "alpha.localhost"}).get_data(as_text=True)
    assert [(actor, target, detail["name"], detail["old_name"]) for actor, target, detail
            in audited(app, "site.renamed")] == [("cli", "alpha", "Alpha Health [north]", "Alpha Clinic")]


def test_rename_with_a_new_slug_moves_the_development_host(cli, create_site, app, client, publish):
    create_site("alpha", name="Alpha Clinic", hosts=["journal.alpha.example"])
    publish("alpha", {"slug": "sleep-well", "title": "Sleep well"})
    assert client.get("/en/sleep-well/", headers={"Host": "alpha.localhost"}).status_code == 200

    result = cli("site", "rename", "alpha", "Gamma Clinic", "--slug", "gamma")
    assert result.exit_code == 0, result.output
    assert "Site alpha is now gamma (Gamma Clinic)" in result.output
    assert "alpha.localhost no longer reaches it" in result.output
    assert sites_in_db(app) == {"gamma": {"name": "Gamma Clinic", "locales": ["en"], "default": "en",
                                          "hosts": ["journal.alpha.example"]}}
    assert client.get("/en/", headers={"Host": "alpha.localhost"}).status_code == 404
    for host in ("gamma.localhost", "journal.alpha.example"):
        page = client.get("/en/sleep-well/", headers={"Host": host})
        assert page.status_code == 200, host
        assert "Gamma Clinic" in page.get_data(as_text=True) and "Sleep well" in page.get_data(as_text=True)
    assert cli("content", "status", "--site", "gamma").exit_code == 0
    assert "sleep-well" in cli("content", "status", "--site", "gamma").output
    (actor, target, detail), = audited(app, "site.renamed")
    assert (actor, target, detail["old_slug"]) == ("cli", "gamma", "alpha")

    # the old slug is free again
    assert cli("site", "create", "alpha", "--name", "New Alpha", "--locale", "en").exit_code == 0
    assert "New Alpha" in client.get("/en/", headers={"Host": "alpha.localhost"}).get_data(as_text=True)


def test_rename_to_the_same_slug_only_changes_the_name(cli, create_site, app):
    create_site("alpha", name="Alpha Clinic")
    result = cli("site", "rename", "alpha", "Alpha Health", "--slug", "alpha")
    assert result.exit_code == 0, result.output
    assert sites_in_db(app)["alpha"]["name"] == "Alpha Health"


def test_rename_refuses_bad_input(cli, create_site, app):
    create_site("alpha", name="Alpha Clinic")
    create_site("beta")
    for args, advice in [
        (["nosuch", "X"], ("no site 'nosuch'", "clinicjournal site create")),
        (["alpha", "   "], ("the site needs a name",)),
        (["alpha", "Bell\x07"], ("U+0007", "remove it")),
        (["alpha", "X", "--slug", "beta"], ("a site 'beta' already exists; pick another slug",)),
        (["alpha", "X", "--slug", "sites"], ("'sites' is reserved for the admin's own pages", "pick another slug")),
        (["alpha", "X", "--slug", "Bad_Slug"], ("lower-case letters, digits and hyphens",)),
        (["alpha", "X", "--slug", "x" * 64], ("max 63",)),
        # the name is checked too before the slug changes
        (["alpha", " ", "--slug", "gamma"], ("the site needs a name",)),
    ]:
        cli_refuses(cli, app, "site", "rename", *args, advice=advice)
    assert audited(app, "site.renamed") == []


# -- remove-locale ----------------------------------------------------------------------

def test_remove_locale_is_refused_while_articles_use_it_and_allowed_after(cli, create_site, app, client, publish):
    create_site("alpha", locales=["en", "de"])
    publish("alpha", {"slug": "sleep-well", "locale": "en"},
            {"slug": "gut-schlafen", "locale": "de", "translation_key": "sleep-well"},
            {"slug": "impressum", "locale": "de"})
    cli_refuses(cli, app, "site", "remove-locale", "alpha", "de",
                advice=("site alpha still has 2 articles in de",
                        "see them with `clinicjournal content status --site alpha`",
                        "delete them or move them to another language first"))
    assert client.get("/de/", headers={"Host": "alpha.localhost"}).status_code == 200

    with app.app_context():  # the operator deletes one of them ...
        sess = db.session()
        sess.delete(sess.scalar(select(Article).where(Article.slug == "impressum")))
        sess.commit()
    cli_refuses(cli, app, "site", "remove-locale", "alpha", "de",
                advice=("site alpha still has 1 article in de", "see it with", "delete it or move it"))

    with app.app_context():  # ... and the other
        sess = db.session()
        sess.delete(sess.scalar(select(Article).where(Article.slug == "gut-schlafen")))
        sess.commit()
    result = cli("site", "remove-locale", "alpha", "de")
    assert result.exit_code == 0, result.output
    assert "Site alpha no longer serves de." in result.output
    assert sites_in_db(app)["alpha"]["locales"] == ["en"]
    assert client.get("/de/", headers={"Host": "alpha.localhost"}).status_code == 404
    assert client.get("/en/sleep-well/", headers={"Host": "alpha.localhost"}).status_code == 200
    assert audited(app, "site.locale_removed") == [("cli", "de", {})]


def test_remove_locale_refuses_the_default_the_last_and_unknown_ones(cli, create_site, app, publish):
    create_site("alpha", locales=["en", "de"])
    create_site("beta", locales=["fr"])
    publish("beta", {"slug": "bonjour", "locale": "fr"})
    for args, advice in [
        (["alpha", "en"], ("en is the default language of site alpha", "make another language the default first")),
        (["beta", "fr"], ("fr is the only language of site beta",
                          "add another with `clinicjournal site add-locale beta LOCALE` first")),
        (["alpha", "fr"], ("the site 'alpha' has no language 'fr' (its languages: en, de)",)),
        (["nosuch", "de"], ("no site 'nosuch'", "clinicjournal site create")),
    ]:
        cli_refuses(cli, app, "site", "remove-locale", *args, advice=advice)
    assert audited(app, "site.locale_removed") == []

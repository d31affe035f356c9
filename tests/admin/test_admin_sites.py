"""Sites, plugins, members and the audit log in the admin."""

from __future__ import annotations

from admin_support import AdminClient, app, login, make_user, sites  # noqa: F401  (fixtures)
from sqlalchemy import event, select

from clinicjournal.store import db
from clinicjournal.store.models import AuditEvent, Membership, Site, SitePlugin, User


def events(app, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        sess = db.session()
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        rows = list(sess.scalars(query))
        sess.expunge_all()
        return rows


def site_row(app, slug: str) -> Site:
    with app.app_context():
        sess = db.session()
        site = sess.scalar(select(Site).where(Site.slug == slug))
        site.hosts  # noqa: B018 - load before detaching
        sess.expunge_all()
        return site


def page(app, path: str, host: str) -> str:
    return app.test_client().get(path, base_url=f"http://{host}").get_data(as_text=True)


ARTICLE_WITH_TAKEAWAY = "/en/sleep-well/"


def test_plugin_list_shows_state_version_and_description(app, sites, login):
    html = login("site_admin@alpha.test").get("/admin/alpha/plugins").get_data(as_text=True)
    assert 'id="plugin-takeaway"' in html and "Highlights an article" in html
    assert "version 1.0.0" in html and ">On<" in html


def test_enabling_a_plugin_changes_that_sites_public_pages_only(app, sites, login):
    alpha = login("site_admin@alpha.test")
    with app.app_context():
        from clinicjournal.store import manage

        sess = db.session()
        for slug in ("alpha", "beta"):
            manage.set_plugin_enabled(sess, manage.get_site(sess, slug), "disclaimer", False,
                                      app.extensions["clinicjournal"].plugins)
        sess.commit()
    assert "Medical disclaimer:" not in page(app, ARTICLE_WITH_TAKEAWAY, "alpha.localhost")
    response = alpha.post("/admin/alpha/plugins/disclaimer/toggle", {"enabled": "1"})
    assert response.status_code == 302
    assert "Medical disclaimer:" in page(app, ARTICLE_WITH_TAKEAWAY, "alpha.localhost")
    assert "Medical disclaimer:" not in page(app, "/en/beta-news/", "beta.localhost")
    event = events(app, "plugin.enabled")[-1]
    assert (event.actor, event.target, event.site_id) == ("site_admin@alpha.test", "disclaimer", sites.alpha_id)


def test_plugin_settings_form_with_values_per_language(app, sites, login):
    alpha = login("site_admin@alpha.test")
    html = alpha.get("/admin/alpha/plugins/disclaimer").get_data(as_text=True)
    assert '<label for="f-text-en">' in html and '<label for="f-text-de">' in html
    response = alpha.post("/admin/alpha/plugins/disclaimer", {
        "text:en": "Talk to your doctor.", "text:de": "Sprechen Sie mit Ihrer Ärztin.", "link:en": "", "link:de": ""})
    assert response.status_code == 302
    with app.app_context():
        row = db.session().scalar(select(SitePlugin).where(SitePlugin.plugin == "disclaimer"))
        assert row.settings["text"] == {"en": "Talk to your doctor.", "de": "Sprechen Sie mit Ihrer Ärztin."}
    assert "Talk to your doctor." in page(app, ARTICLE_WITH_TAKEAWAY, "alpha.localhost")
    assert "Sprechen Sie mit Ihrer Ärztin." in page(app, "/de/gut-schlafen/", "alpha.localhost")
    event = events(app, "setting.changed")[-1]
    assert event.target == "disclaimer" and event.detail["values"]["text:de"] == "Sprechen Sie mit Ihrer Ärztin."
    # invalid values are refused, all or nothing, and the form keeps them
    response = alpha.post("/admin/alpha/plugins/disclaimer", {
        "text:en": "Changed", "text:de": "", "link:en": "javascript:alert(1)", "link:de": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Link to the full disclaimer must be an http(s) address" in html and "javascript:alert(1)" in html
    assert "Talk to your doctor." in page(app, ARTICLE_WITH_TAKEAWAY, "alpha.localhost")


def test_choice_setting(app, sites, login):
    alpha = login("site_admin@alpha.test")
    html = alpha.get("/admin/alpha/plugins/references").get_data(as_text=True)
    assert '<select id="f-style" name="style"' in html
    assert alpha.post("/admin/alpha/plugins/references", {"style": "apa"}).status_code == 302
    assert alpha.post("/admin/alpha/plugins/references", {"style": "nonsense"}).status_code == 422
    assert alpha.get("/admin/alpha/plugins/no-such-plugin").status_code == 404


def test_site_settings(app, sites, login):
    alpha = login("site_admin@alpha.test")
    form = {"name": "Alpha Health", "tagline:en": "Notes", "tagline:de": "", "primary": "#123456", "accent": "#abc",
            "logo": "", "locales": "en de fr", "default_locale": "en", "review_interval_days": "180"}
    assert alpha.post("/admin/alpha/settings", form).status_code == 302
    site = site_row(app, "alpha")
    assert site.appearance["tagline"] == {"en": "Notes"}
    assert (site.name, site.locales, site.settings["review_interval_days"]) == ("Alpha Health", ["en", "de", "fr"], 180)
    assert site.appearance["primary"] == "#123456"
    html = page(app, "/en/", "alpha.localhost")
    assert "Alpha Health" in html and "--primary: #123456" in html
    assert page(app, "/fr/", "alpha.localhost")  # the new language is served at once
    for bad, message in [({"primary": "red; x: y"}, "hex colour"), ({"logo": "javascript:alert(1)"}, "media library"),
                         ({"review_interval_days": "0"}, "between 1 and 3650"), ({"locales": "en xx-nope"}, "locale code"),
                         ({"locales": "fr", "default_locale": "fr"}, "still has articles in de, en"),
                         ({"default_locale": "es"}, "must be one of")]:
        response = alpha.post("/admin/alpha/settings", {**form, **bad})
        assert response.status_code == 422, bad
        assert message in response.get_data(as_text=True), bad
    assert site_row(app, "alpha").name == "Alpha Health"
    assert events(app, "site.changed")[-1].detail["changes"]["review_interval_days"] == "180"


def test_a_refused_setting_is_explained_in_the_admins_language(app, sites, login):
    """Validation messages come from the shared rules (manage.py, also the CLI's), translated."""
    alpha = login("site_admin@alpha.test")
    form = {"name": "Alpha Clinic", "tagline:en": "", "tagline:de": "", "primary": "red", "accent": "", "logo": "",
            "locales": "en de", "default_locale": "en", "review_interval_days": "365"}
    german = alpha.post("/admin/alpha/settings", form, headers={"Accept-Language": "de"})
    text = " ".join(german.get_data(as_text=True).split())
    assert german.status_code == 422
    assert "Die Hauptfarbe &#39;red&#39; muss ein Hex-Farbwert" in text and "must be a hex colour" not in text, text
    english = alpha.post("/admin/alpha/settings", form, headers={"Accept-Language": "en"})
    assert "must be a hex colour such as #1f5f8b" in english.get_data(as_text=True)


def test_each_language_has_its_own_tagline(app, sites, login):
    """A tagline is written per language; a language without one shows the translated standard line."""
    alpha = login("site_admin@alpha.test")
    form = {"name": "Alpha Clinic", "tagline:en": "Notes from our doctors", "tagline:de": "Notizen unserer Ärzte",
            "primary": "", "accent": "", "logo": "", "locales": "en de", "default_locale": "en",
            "review_interval_days": "365"}
    assert alpha.post("/admin/alpha/settings", form).status_code == 302
    assert "Notes from our doctors" in page(app, "/en/", "alpha.localhost")
    german = page(app, "/de/", "alpha.localhost")
    assert "Notizen unserer Ärzte" in german and "Notes from our doctors" not in german
    assert 'content="Notizen unserer Ärzte"' in german  # the link preview's description too
    assert "<subtitle>Notizen unserer Ärzte</subtitle>" in page(app, "/de/feed.xml", "alpha.localhost")
    assert "<subtitle>Notes from our doctors</subtitle>" in page(app, "/en/feed.xml", "alpha.localhost")
    settings = alpha.get("/admin/alpha/settings").get_data(as_text=True)
    assert 'name="tagline:de"' in settings and 'value="Notizen unserer Ärzte"' in settings

    assert alpha.post("/admin/alpha/settings", {**form, "tagline:de": ""}).status_code == 302
    german = page(app, "/de/", "alpha.localhost")
    assert "Notes from our doctors" not in german
    assert "Notizen unserer Ärzte" not in german
    assert "Beiträge unseres medizinischen Teams" in german  # the catalog's standard line
    refused = alpha.post("/admin/alpha/settings", {**form, "tagline:de": "Tag\x07"})
    assert refused.status_code == 422 and "U+0007" in refused.get_data(as_text=True)


def test_each_language_may_have_its_own_site_name(app, sites, login):
    """The name is the default; a language may have its own, shown in the header, the
    <title>, og:site_name, the feed and the JSON-LD publisher of that language's pages."""
    alpha = login("site_admin@alpha.test")
    settings = alpha.get("/admin/alpha/settings").get_data(as_text=True)
    assert 'name="name:de"' in settings and 'name="name:en"' not in settings  # en is the default
    form = {"name": "Alpha Clinic", "name:de": "Alpha-Praxis", "tagline:en": "", "tagline:de": "",
            "primary": "", "accent": "", "logo": "", "locales": "en de", "default_locale": "en",
            "review_interval_days": "365"}
    assert alpha.post("/admin/alpha/settings", form).status_code == 302
    row = site_row(app, "alpha")
    assert (row.name, row.appearance["name"]) == ("Alpha Clinic", {"de": "Alpha-Praxis"})
    assert events(app, "site.changed")[-1].detail["changes"]["name:de"] == "Alpha-Praxis"
    german = page(app, "/de/gut-schlafen/", "alpha.localhost")
    assert '<span class="site-brand__name">Alpha-Praxis</span>' in german
    assert "<title>Gut schlafen · Alpha-Praxis</title>" in german
    assert '<meta property="og:site_name" content="Alpha-Praxis">' in german
    assert '"publisher": {"@type": "MedicalOrganization"' in german and '"name": "Alpha-Praxis"' in german
    assert "Alpha Clinic" not in german.split("<body>")[1].split("<footer")[0]  # the header and article
    feed = page(app, "/de/feed.xml", "alpha.localhost")
    assert "<title>Alpha-Praxis · " in feed and "<name>Alpha-Praxis</name>" in feed
    english = page(app, "/en/sleep-well/", "alpha.localhost")
    assert "Alpha-Praxis" not in english and "<title>Sleep well · Alpha Clinic</title>" in english
    assert 'value="Alpha-Praxis"' in alpha.get("/admin/alpha/settings").get_data(as_text=True)

    # emptied: German pages show the default name again, marked as English
    assert alpha.post("/admin/alpha/settings", {**form, "name:de": ""}).status_code == 302
    assert "name" not in site_row(app, "alpha").appearance
    german = page(app, "/de/gut-schlafen/", "alpha.localhost")
    assert '<span class="site-brand__name" lang="en" dir="ltr">Alpha Clinic</span>' in german
    refused = alpha.post("/admin/alpha/settings", {**form, "name:de": "Praxis\x07"})
    assert refused.status_code == 422 and "U+0007" in refused.get_data(as_text=True)


def test_hosts_are_for_network_admins(app, sites, login):
    network = login(sites.network)
    assert network.post("/admin/alpha/hosts", {"add": "journal.alpha.example"}).status_code == 302
    assert [h.name for h in site_row(app, "alpha").hosts] == ["journal.alpha.example"]
    assert "Alpha Clinic" in page(app, "/en/", "journal.alpha.example")
    for host, refusal in [  # a host belongs to at most one site: refused, with what to do
        ("Journal.Alpha.Example.", ("The host journal.alpha.example already reaches site alpha; remove it there "
                                    "first with `clinicjournal site remove-host alpha journal.alpha.example`")),
        ("alpha.localhost", "The host alpha.localhost is the development host of site alpha"),
    ]:
        response = network.post("/admin/beta/hosts", {"add": host}, follow_redirects=True)
        shown = " ".join(response.get_data(as_text=True).replace("&#96;", "`").split())
        assert refusal in shown, host
        assert site_row(app, "beta").hosts == [], host
    assert "Alpha Clinic" in page(app, "/en/", "alpha.localhost")
    network.post("/admin/alpha/hosts", {"remove": "journal.alpha.example"})
    assert site_row(app, "alpha").hosts == []


def test_members(app, sites, login):
    make_user(app, "newcomer@example.test")
    alpha = login("site_admin@alpha.test")
    assert alpha.post("/admin/alpha/members", {"email": "newcomer@example.test", "role": "editor"}).status_code == 302
    html = alpha.get("/admin/alpha/members").get_data(as_text=True)
    assert "newcomer@example.test" in html
    # an address without an account is invited, with the same answer (tests/mail has the mail)
    assert alpha.post("/admin/alpha/members", {"email": "ghost@example.test", "role": "editor"}).status_code == 302
    assert alpha.post("/admin/alpha/members", {"email": "not an address", "role": "editor"}).status_code == 422
    assert alpha.post("/admin/alpha/members", {"email": "newcomer@example.test", "role": "boss"}).status_code == 422
    assert login("newcomer@example.test").get("/admin/alpha/articles/").status_code == 200
    with app.app_context():
        sess = db.session()
        user = sess.scalar(select(User).where(User.email == "newcomer@example.test"))
        membership = sess.scalar(select(Membership.id).where(Membership.user_id == user.id))
    assert alpha.post(f"/admin/alpha/members/{membership}/revoke").status_code == 302
    assert login("newcomer@example.test").get("/admin/alpha/articles/").status_code == 404
    assert [e.action for e in events(app) if e.target == "newcomer@example.test"
            and e.action.startswith("member.")] == ["member.granted", "member.revoked"]
    # a membership of another site cannot be revoked through this site's URL
    assert alpha.post(f"/admin/alpha/members/{sites.beta_membership}/revoke").status_code == 404


def test_network_admin_creates_sites_and_accounts(app, sites, login):
    network = login(sites.network)
    response = network.post("/admin/sites/new", {"slug": "gamma", "name": "Gamma Clinic", "locales": "en ar",
                                                 "hosts": ""})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/gamma/"
    assert "Gamma Clinic" in page(app, "/en/", "gamma.localhost")
    for bad in ({"slug": "gamma"}, {"slug": "login"}, {"slug": "Bad Slug"}):
        assert network.post("/admin/sites/new", {"name": "X", "locales": "en", **bad}).status_code == 422
    refused = network.post("/admin/sites/new", {"slug": "delta", "name": "Delta", "locales": "en",
                                                "hosts": "journal.delta.example Beta.localhost"})
    assert refused.status_code == 422
    assert "The host beta.localhost is the development host of site beta" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(Site.id).where(Site.slug == "delta")) is None  # nothing half-created
    assert "Beta Clinic" in page(app, "/en/", "beta.localhost")
    response = network.post("/admin/accounts/invite", {"email": "doc@gamma.test", "name": "Dr Gamma",
                                                       "site": "gamma", "role": "reviewer"})
    assert response.status_code == 302
    assert network.post("/admin/accounts/invite", {"email": "not an address"}).status_code == 422
    done = [(e.action, e.target, e.actor) for e in events(app)]
    assert ("site.created", "gamma", sites.network) in done and ("user.invited", "doc@gamma.test", sites.network) in done


def test_cli_changes_are_audited(app, sites, cli):
    assert cli("plugins", "disable", "faq", "--site", "alpha").exit_code == 0
    assert cli("plugins", "settings", "references", "style=apa", "--site", "alpha").exit_code == 0
    assert cli("site", "create", "delta", "--name", "Delta", "--locale", "en").exit_code == 0
    assert cli("site", "add-host", "delta", "journal.delta.example").exit_code == 0
    found = [(e.actor, e.action, e.target) for e in events(app)]
    assert ("cli", "plugin.disabled", "faq") in found
    assert ("cli", "setting.changed", "references") in found
    assert ("cli", "site.created", "delta") in found
    assert ("cli", "site.host_added", "journal.delta.example") in found


def test_dashboard_and_home(app, sites, login):
    html = login("editor@alpha.test").get("/admin/", follow_redirects=True).get_data(as_text=True)
    assert "Alpha Clinic" in html and "Needs attention" in html  # one site: straight to its dashboard
    html = login(sites.network).get("/admin/").get_data(as_text=True)
    assert "Alpha Clinic" in html and "Beta Clinic" in html and "Create a site" in html


def test_a_save_the_database_refuses_says_why_and_keeps_nothing(app, sites, login, backend):
    alpha = login("site_admin@alpha.test")
    alpha.token()
    engine = app.extensions["clinicjournal"].engine

    def read_only(dbapi_conn, _record):  # the database itself refuses every write from now on
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA query_only = ON" if backend == "sqlite" else "SET default_transaction_read_only = on")
        cur.close()
        dbapi_conn.commit()  # a rollback would undo PostgreSQL's SET

    engine.dispose()
    event.listen(engine, "connect", read_only)
    try:
        form = {"name": "Renamed", "tagline:en": "", "primary": "#123456", "accent": "#abcdef", "logo": "",
                "locales": "en de", "default_locale": "en", "review_interval_days": "365"}
        response = alpha.post("/admin/alpha/settings", form)
        text = " ".join(response.get_data(as_text=True).split())
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert "Nothing was saved." in text and "read-only" in text and "writable" in text, text
        assert "then try again" in text and "Traceback" not in text
        assert alpha.get("/admin/alpha/settings").status_code == 200  # reading still works
    finally:
        event.remove(engine, "connect", read_only)
        engine.dispose()
    assert site_row(app, "alpha").name == "Alpha Clinic"


def test_the_last_site_admin_cannot_be_removed(app, sites, login, cli):
    """A site admin removing their own (the site's last) site-admin role would lock the
    clinic out of its own admin: refused, saying to give the role to another account
    first; with a second site admin it goes ahead."""
    alpha = login("site_admin@alpha.test")
    with app.app_context():
        own = db.session().scalar(select(Membership.id).join(User, User.id == Membership.user_id).where(
            User.email == "site_admin@alpha.test", Membership.site_id == sites.alpha_id))
    response = alpha.post(f"/admin/alpha/members/{own}/revoke", follow_redirects=True,
                          headers={"Accept-Language": "de"})
    text = " ".join(response.get_data(as_text=True).split())
    assert response.status_code == 200
    assert ("Damit hätte Alpha Clinic keinen Website-Admin mehr, denn site_admin@alpha.test ist der letzte; "
            "geben Sie zuerst einem anderen Konto die Rolle Website-Admin") in text, text
    assert "Netzwerk-Admins" in text  # they keep access to every site either way
    assert alpha.get("/admin/alpha/members").status_code == 200  # still a site admin
    assert not events(app, "member.revoked")
    # the CLI refuses it too, taking one role or every role, and refuses to disable the account
    for args in (("--role", "site_admin"), ()):
        result = cli("user", "revoke", "site_admin@alpha.test", "--site", "alpha", *args)
        assert result.exit_code == 1, result.output
        assert "Error: this would leave Alpha Clinic without a site admin, as site_admin@alpha.test is its last one" \
            in " ".join(result.output.split())
        assert "user grant OTHER-EMAIL --site alpha --role site_admin" in " ".join(result.output.split())
    result = cli("user", "disable", "site_admin@alpha.test")
    assert result.exit_code == 1 and "without a site admin" in result.output
    assert not events(app, "member.revoked") and not events(app, "user.disabled")
    # a disabled second admin is no admin the site has; an active one is
    make_user(app, "second@alpha.test", site="alpha", roles=["site_admin"])
    assert cli("user", "disable", "second@alpha.test").exit_code == 0
    assert cli("user", "revoke", "site_admin@alpha.test", "--site", "alpha", "--role", "site_admin").exit_code == 1
    assert cli("user", "enable", "second@alpha.test").exit_code == 0
    assert alpha.post(f"/admin/alpha/members/{own}/revoke").status_code == 302
    assert [e.target for e in events(app, "member.revoked")] == ["site_admin@alpha.test"]
    assert alpha.get("/admin/alpha/members").status_code in (302, 404)  # gone, as asked (or signed out)
    # the other roles of a last site admin can still be taken away
    second = login("second@alpha.test")
    assert second.post("/admin/alpha/members", {"email": "second@alpha.test", "role": "editor"}).status_code == 302
    assert cli("user", "revoke", "second@alpha.test", "--site", "alpha", "--role", "editor").exit_code == 0

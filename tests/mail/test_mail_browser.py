"""The mail journeys in headless Chromium against a real server and a real SMTP
server: invite → choose a password → signed in; forgot password; every new page
axe-clean in English and Arabic."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser_support import AxeCheck, sign_in  # noqa: F401  (sign_in is imported from here too)
from admin_support import PASSWORD, sites  # noqa: F401  (fixtures)
from conftest import serve
from mail_support import app, smtp  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
NEW_PASSWORD = "lantern orchard velvet quarry"


@pytest.fixture
def base(app, sites):
    with serve(app, "mail-server", quiet=True) as port:
        yield f"http://alpha.localhost:{port}"


def local(base: str, link: str) -> str:
    return base + urlsplit(link).path



def test_invite_choose_a_password_and_sign_in(base, chromium_browser, sites, smtp):
    admin = sign_in(chromium_browser, base, sites.network)
    admin.goto(base + "/admin/accounts")
    admin.get_by_label("E-mail address").fill("Dr.Haddad@Clinic.test")
    admin.get_by_label("Full name").fill("Dr. Amina Haddad")
    admin.get_by_label("Site", exact=True).select_option("alpha")
    admin.get_by_label("Role on that site").select_option("reviewer")
    admin.get_by_role("button", name="Send invitation").click()
    admin.wait_for_load_state()
    assert admin.get_by_text("Invitation sent to dr.haddad@clinic.test").is_visible()
    [mail] = smtp.wait_for(1)

    invited = chromium_browser.new_context(locale="en-GB").new_page()
    invited.goto(local(base, mail.link("/admin/welcome/")))
    invited.locator("#f-password").fill(NEW_PASSWORD)
    invited.locator("#f-password_confirm").fill(NEW_PASSWORD)
    invited.get_by_role("button", name="Set password and sign in").click()
    invited.wait_for_url("**/admin/alpha/")
    assert invited.get_by_text("Welcome! Your password is set and you are signed in.").is_visible()
    sign_in(chromium_browser, base, "dr.haddad@clinic.test", NEW_PASSWORD)


def test_forgot_password_in_the_browser(base, chromium_browser, smtp):
    page = chromium_browser.new_context(locale="en-GB").new_page()
    page.goto(base + "/admin/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail address").fill("Editor@Alpha.test")
    page.get_by_role("button", name="Send me a link").click()
    page.wait_for_load_state()
    assert page.get_by_text("If an account uses Editor@Alpha.test").is_visible()  # as typed
    [mail] = smtp.wait_for(1)
    page.goto(local(base, mail.link("/admin/password/reset/")))
    page.locator("#f-password").fill(NEW_PASSWORD)
    page.locator("#f-password_confirm").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    page.wait_for_url("**/admin/alpha/")
    sign_in(chromium_browser, base, "editor@alpha.test", NEW_PASSWORD)


def test_the_new_pages_pass_axe(base, chromium_browser, sites, smtp, cli):
    check = AxeCheck()

    assert cli("user", "invite", "new@alpha.test").exit_code == 0
    welcome = smtp.wait_for(1)[0].link("/admin/welcome/")
    for locale in ("en-GB", "ar"):
        page = chromium_browser.new_context(locale=locale).new_page()
        for path in ("/admin/password/forgot", "/admin/password/reset/unknown", urlsplit(welcome).path):
            page.goto(base + path)
            check(page, f"{path} ({locale})")
        page.goto(base + "/admin/password/forgot")
        page.locator("#f-email").fill("someone@alpha.test")
        page.locator("button[type=submit]").click()
        page.wait_for_load_state()
        check(page, f"forgot, sent ({locale})")
        signed_in = sign_in(chromium_browser, base, sites.network, locale=locale)
        for path in ("/admin/notifications", "/admin/accounts"):
            signed_in.goto(base + path)
            check(signed_in, f"{path} ({locale})")
        html = smtp.messages[0].html
        signed_in.set_content(html)
        check(signed_in, f"invitation mail ({locale})")
    check.assert_clean()


def test_a_reviewer_signs_off_from_the_link_in_the_mail(base, chromium_browser, sites, smtp):
    """Issue 19's journey: an editor sends an article for review, the reviewer's
    mail links to the reviewer's screen, and signing off there works."""
    editor = sign_in(chromium_browser, base, "editor@alpha.test")
    editor.goto(base + f"/admin/alpha/articles/{sites.alpha_draft}")
    editor.get_by_label("Summary").fill("What a good night's sleep does for the body.")
    editor.get_by_role("button", name="Save and send for review").click()
    editor.wait_for_load_state()
    assert editor.get_by_text("Saved and sent for review.").is_visible()
    [mail] = smtp.wait_for(1)
    assert mail.recipients == ["reviewer@alpha.test"] and mail.subject == "Waiting for your review: Draft one"

    reviewer = sign_in(chromium_browser, base, "reviewer@alpha.test")
    reviewer.goto(local(base, mail.link("/review")))
    reviewer.wait_for_load_state()
    assert reviewer.get_by_text("What a good night's sleep does for the body.").first.is_visible()
    reviewer.get_by_role("button", name="Sign off medical review").click()
    reviewer.wait_for_load_state()
    assert reviewer.get_by_text("Medical review signed off.").is_visible()

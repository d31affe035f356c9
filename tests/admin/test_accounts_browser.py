"""Accounts in headless Chromium against a real server and a real SMTP server:
a user ends another of their sessions and changes their password; a network
admin disables the account and the page the user has open is signed out; the
new pages pass axe in English and Arabic."""

from __future__ import annotations

import pytest
from browser_support import AxeCheck, sign_in  # noqa: F401  (sign_in is imported from here too)
from admin_support import PASSWORD, sites, user_row  # noqa: F401  (fixtures)
from conftest import serve
from mail_support import app, smtp  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
NEW_PASSWORD = "lantern orchard velvet quarry"
PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.5 Mobile/15E148 Safari/604.1")


@pytest.fixture
def base(app, sites):
    with serve(app, "accounts-server", quiet=True) as port:
        yield f"http://alpha.localhost:{port}"



def test_a_user_ends_a_session_changes_the_password_and_is_then_disabled(base, chromium_browser, sites, app):
    laptop = sign_in(chromium_browser, base, "editor@alpha.test")
    phone = sign_in(chromium_browser, base, "editor@alpha.test", user_agent=PHONE)

    laptop.get_by_role("link", name="Your account").click()
    rows = laptop.locator("#sessions .session")
    assert rows.count() == 2
    assert rows.filter(has_text="this session").count() == 1
    other = rows.filter(has_text="Safari on iOS")
    other.get_by_role("button", name="End").click()
    laptop.wait_for_load_state()
    assert laptop.get_by_text("That session has ended: the browser that used it is signed out.").is_visible()
    phone.reload()
    assert "/admin/login" in phone.url

    laptop.get_by_label("Current password").fill(PASSWORD)
    laptop.get_by_label("New password").fill(NEW_PASSWORD)
    laptop.get_by_label("Password again").fill(NEW_PASSWORD)
    laptop.get_by_role("button", name="Change password").click()
    laptop.wait_for_load_state()
    assert laptop.get_by_text("Your password is changed.").is_visible()
    assert laptop.locator("#sessions .session").count() == 1

    network = sign_in(chromium_browser, base, sites.network)
    network.goto(base + "/admin/accounts")
    network.get_by_role("link", name="editor@alpha.test").click()
    network.get_by_role("button", name="Disable the account").click()
    network.wait_for_load_state()
    assert network.get_by_text("editor@alpha.test can no longer sign in").is_visible()
    assert not user_row(app, "editor@alpha.test").active

    laptop.get_by_role("link", name="Your sites").click()  # the page the editor had open
    laptop.wait_for_load_state()
    assert "/admin/login" in laptop.url
    assert laptop.locator("#f-password").is_visible()

    network.get_by_role("button", name="Enable the account").click()
    network.wait_for_load_state()
    sign_in(chromium_browser, base, "editor@alpha.test", NEW_PASSWORD)


def test_the_account_pages_pass_axe(base, chromium_browser, sites, smtp, app):
    check = AxeCheck()

    network = sign_in(chromium_browser, base, sites.network)
    network.goto(base + "/admin/accounts")
    network.get_by_label("E-mail address").fill("new@alpha.test")
    network.get_by_role("button", name="Send invitation").click()
    network.wait_for_load_state()
    ids = {email: user_row(app, email).id for email in ("editor@alpha.test", "new@alpha.test",
                                                       "site_admin@alpha.test", sites.network)}
    for locale in ("en-GB", "ar"):
        page = sign_in(chromium_browser, base, sites.network, locale=locale)
        sign_in(chromium_browser, base, sites.network, locale=locale, user_agent=PHONE)  # a second session
        page.goto(base + "/admin/account")
        check(page, f"your account ({locale})")
        page.locator("#f-current_password").fill("not it")
        page.locator("#f-password").fill(NEW_PASSWORD)
        page.locator("#f-password_confirm").fill(NEW_PASSWORD)
        page.locator("#password button[type=submit]").click()
        page.wait_for_load_state()
        check(page, f"your account, wrong password ({locale})")
        for email, account in ids.items():
            page.goto(base + f"/admin/accounts/{account}")
            check(page, f"account {email} ({locale})")
        page.goto(base + f"/admin/accounts/{ids['site_admin@alpha.test']}")
        page.locator("form[action$='/disable'] button").click()
        page.wait_for_load_state()
        assert page.locator(".notice--error").is_visible()
        check(page, f"last site admin refused ({locale})")
    check.assert_clean()

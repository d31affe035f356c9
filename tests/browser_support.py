"""What the admin's browser tests share: signing in, and an axe-core check that
collects the serious and critical violations of every page it is given.

    from browser_support import AxeCheck, sign_in
"""

from __future__ import annotations

from admin_support import PASSWORD
from conftest import skip_or_fail


def sign_in(browser, base: str, email: str, password: str = PASSWORD, locale: str = "en-GB", **context):
    """A new browser context signed in as ``email``; it accepts the admin's
    "Are you sure?" questions (``data-confirm``)."""
    page = browser.new_context(locale=locale, **context).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(base + "/admin/login")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(password)
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/admin/**")
    return page


class AxeCheck:
    """``check(page, label)`` for each page, then ``check.assert_clean()``: one
    failure that lists every page with a serious or critical violation."""

    def __init__(self) -> None:
        try:
            from axe_playwright_python.sync_playwright import Axe
        except ImportError:
            skip_or_fail("axe-playwright-python is not installed (pip install -e '.[test]')")
        self.axe = Axe()
        self.problems: dict[str, str] = {}

    def __call__(self, page, label: str) -> None:
        serious = [v for v in self.axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
        if serious:
            self.problems[label] = "; ".join(f"{v['id']} at {' '.join(v['nodes'][0]['target'])}" for v in serious)

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(f"{k}: {v}" for k, v in self.problems.items())

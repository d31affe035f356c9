"""Issue 15 end to end in a real browser: write → review → schedule → edit after
scheduling → the moment passes → only the signed-off text is public → sign off
the edit → publish → the public page changes.

With CLINICJOURNAL_SCREENSHOTS=<folder> it also saves the screenshots of
docs/admins.md (the editor's "Changes waiting" and the reviewer's screen).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from admin_support import app, sites  # noqa: F401  (fixtures)
from sqlalchemy import update
from test_admin_browser import browser, server, sign_in  # noqa: F401  (fixtures)

from clinicjournal.store import db
from clinicjournal.store.models import Article

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CLINICJOURNAL_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / name), full_page=False)


def test_only_signed_off_text_ever_reaches_readers(app, sites, server, browser):
    base = server("alpha")
    editor = sign_in(browser, base, "editor@alpha.test")
    editor.set_viewport_size({"width": 1280, "height": 900})
    editor.goto(base + f"/admin/alpha/articles/{sites.alpha_draft}")
    editor.get_by_label("Body (Markdown)").fill("## Rest\n\nAdults need seven to nine hours of sleep [@ref-one].\n")
    editor.get_by_role("button", name="Save and send for review").click()
    editor.wait_for_load_state()

    reviewer = sign_in(browser, base, "reviewer@alpha.test")
    reviewer.set_viewport_size({"width": 1280, "height": 900})
    reviewer.goto(base + "/admin/alpha/review")
    reviewer.locator("#waiting").get_by_role("link", name="Draft one").click()
    reviewer.get_by_role("link", name="Open the reviewer's screen").click()
    reviewer.wait_for_load_state()
    assert reviewer.get_by_text("Adults need seven to nine hours of sleep").is_visible()  # rendered, not Markdown
    reviewer.get_by_role("button", name="Sign off medical review").click()
    reviewer.wait_for_load_state()
    assert reviewer.get_by_text("Medical review signed off.").is_visible()

    when = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    editor.reload()
    editor.get_by_label("Or publish at (UTC)").fill(when)
    editor.get_by_role("button", name="Schedule").click()
    editor.wait_for_load_state()
    assert editor.get_by_text("Scheduled for").first.is_visible()

    # an edit after scheduling: it waits, and does not ride along
    editor.get_by_label("Body (Markdown)").fill("## Rest\n\nSleep cures every infection [@ref-one].\n")
    editor.get_by_role("button", name="Save", exact=True).click()
    editor.wait_for_load_state()
    assert editor.locator("#changes-waiting").get_by_text("+Sleep cures every infection [@ref-one].").is_visible()
    shot(editor, "changes-waiting.png")

    reader = browser.new_context().new_page()
    assert reader.goto(base + "/en/draft-one/").status == 404  # not yet
    with app.app_context():  # the moment passes
        sess = db.session()
        sess.execute(update(Article).where(Article.id == sites.alpha_draft).values(
            publish_at=dt.datetime(2001, 1, 1, 9), published=dt.date(2001, 1, 1), version=Article.version))
        sess.commit()
    reader.goto(base + "/en/draft-one/")
    assert reader.get_by_text("Adults need seven to nine hours of sleep").is_visible()
    assert reader.get_by_text("Sleep cures every infection").count() == 0
    assert reader.get_by_text("Medically reviewed by Reviewer of alpha").is_visible()

    # the edit goes through review like any other
    editor.reload()
    editor.get_by_role("button", name="Send for review", exact=True).click()
    editor.wait_for_load_state()
    reviewer.goto(base + f"/admin/alpha/articles/{sites.alpha_draft}/review")
    assert reviewer.locator(".admin-review-panel").get_by_text("+Sleep cures every infection [@ref-one].").is_visible()
    shot(reviewer, "reviewer-screen.png")
    reviewer.get_by_role("button", name="Sign off medical review").click()
    reviewer.wait_for_load_state()
    editor.reload()
    editor.get_by_role("button", name="Publish the changes now").click()
    editor.wait_for_load_state()
    reader.goto(base + "/en/draft-one/")
    assert reader.get_by_text("Sleep cures every infection").is_visible()
    assert reader.get_by_text("Adults need seven to nine hours of sleep").count() == 0

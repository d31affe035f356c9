"""A translator edits an Arabic plural message in a real browser (headless
Chromium): one right-to-left field per CLDR plural form, a broken placeholder
refused next to its field, then the fixed text served by a *second* app on the
same database (another worker) on its next request.

With CLINICJOURNAL_SCREENSHOTS=<folder> it saves the screenshots of docs/translators.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from admin_support import add_article, app, make_user, sites  # noqa: F401  (fixtures)
from browser_support import sign_in
from conftest import serve
from test_admin_browser import browser  # noqa: F401  (fixture)

from clinicjournal.store import db, manage
from clinicjournal.store.catalog_models import CatalogGrant
from clinicjournal.store.models import User

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CLINICJOURNAL_SCREENSHOTS")
MIN_READ = "%(num)d min read"


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def test_a_translator_edits_an_arabic_plural_seen_by_the_other_worker(app, sites, make_app, browser):
    with app.app_context():
        sess = db.session()
        manage.add_locale(sess, manage.get_site(sess, "alpha"), "ar")
        sess.commit()
    # 450 words: a three-minute read, Arabic's plural form 3 ("few")
    add_article(app, "alpha", "al-nawm", locale="ar", title="النوم", body="كلمة " * 450)
    make_user(app, "amina@alpha.test", site="alpha", roles=["translator"], locales=["ar"], name="Amina Haddad")
    with app.app_context():
        sess = db.session()
        user = sess.query(User).filter_by(email="amina@alpha.test").one()
        sess.add(CatalogGrant(user_id=user.id, locale="ar", detail={}))  # as `translate grant` does
        sess.commit()
    other_worker = make_app()
    with serve(app, "worker-a", quiet=True) as port_a, serve(other_worker, "worker-b", quiet=True) as port_b:
        worker_a, worker_b = f"http://alpha.localhost:{port_a}", f"http://alpha.localhost:{port_b}"
        reader = browser.new_context().new_page()
        reader.goto(worker_b + "/ar/")  # worker B has the page with the shipped text in its cache
        assert reader.get_by_text("دقائق قراءة هادئة").count() == 0

        page = sign_in(browser, worker_a, "amina@alpha.test")
        page.set_viewport_size({"width": 1100, "height": 900})
        page.get_by_role("link", name="Translations").click()
        page.wait_for_load_state()
        shot(page, "translations-overview.png")
        page.goto(worker_a + "/admin/alpha/translations/core/ar?scope=shared&q=min+read")
        page.wait_for_load_state()
        shot(page, "translation-list.png")
        page.get_by_role("link", name=MIN_READ).first.click()
        page.wait_for_load_state()
        few = page.get_by_label("Plural form 3: few (3–10, 103–110, 203–210, …)")
        assert page.locator("textarea").count() == 6
        assert few.get_attribute("dir") == "rtl" and few.get_attribute("lang") == "ar"
        assert page.locator("code.ph", has_text="%(num)d").first.is_visible()
        few.fill("%(عدد)d دقائق قراءة")  # a translated placeholder name: would break formatting
        page.get_by_role("button", name="Save translation").click()
        page.wait_for_load_state()
        error = page.locator("#f-s3-error")
        assert error.is_visible() and "%(num)d" in error.inner_text()
        assert page.get_by_label("Plural form 3: few (3–10, 103–110, 203–210, …)").get_attribute("aria-invalid") == "true"
        shot(page, "translation-refused.png")

        page.get_by_label("Plural form 3: few (3–10, 103–110, 203–210, …)").fill("%(num)d دقائق قراءة هادئة")
        page.get_by_role("button", name="Save translation").click()
        page.wait_for_load_state()
        assert page.get_by_text("Translation saved.").is_visible()
        shot(page, "translation-editor.png")

        reader.goto(worker_b + "/ar/")
        reader.wait_for_load_state()
        assert reader.get_by_text("3 دقائق قراءة هادئة").first.is_visible()

        phone = sign_in(browser, worker_a, "amina@alpha.test", viewport={"width": 390, "height": 844})
        phone.goto(worker_a + "/admin/alpha/translations/core/ar/message?scope=shared&msgid=%25%28num%29d+min+read&ctx=")
        phone.wait_for_load_state()
        shot(phone, "translation-phone.png")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width  # no sideways scrolling on a phone

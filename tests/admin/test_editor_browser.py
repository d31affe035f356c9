"""The article editor in a real browser (headless Chromium): an editor writes an
article with references and questions without touching YAML, reorders them,
sees the live preview and the readability figure, and saves; the slug field's
pattern works; autosave stops at a newer version; every page axe-clean."""

from __future__ import annotations

import re

import pytest
from admin_support import app, login, sites, working  # noqa: F401  (fixtures)
from browser_support import AxeCheck, sign_in
from conftest import serve
from playwright.sync_api import expect

from clinicjournal.content.render import count_words, reading_minutes

pytestmark = pytest.mark.browser


@pytest.fixture
def base(app, sites):
    with serve(app, "editor-server", quiet=True) as port:
        yield f"http://alpha.localhost:{port}"


@pytest.fixture
def browser(chromium_browser):
    return chromium_browser


def console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_the_slug_pattern_is_checked_by_the_browser(base, browser):
    page = sign_in(browser, base, "editor@alpha.test")
    errors = console_errors(page)
    page.goto(base + "/admin/alpha/articles/new")
    slug = page.locator("#f-slug")
    slug.fill("Bad Slug!")
    assert slug.evaluate("el => el.validity.patternMismatch") is True
    slug.fill("-leading-hyphen")
    assert slug.evaluate("el => el.validity.patternMismatch") is True
    slug.fill("a-good-slug-2")
    assert slug.evaluate("el => el.validity.patternMismatch") is False
    assert not [e for e in errors if "pattern" in e.lower() or "regular expression" in e.lower()], errors
    assert errors == []


def test_reading_time_in_the_browser_is_the_servers(base, browser):
    page = sign_in(browser, base, "editor@alpha.test")
    page.goto(base + "/admin/alpha/articles/new")
    per_minute = int(page.locator("#editor-stats").get_attribute("data-wpm"))
    minutes = page.evaluate(f"[...Array(3001).keys()].map(n => window.clinicjournalEditor.readingMinutes(n, {per_minute}))")
    assert minutes == [reading_minutes(n) for n in range(3001)]
    text = "Schlaf ist gut, Grüße! فيتامين د والمناعة. Word_with_under 42 x²\nnaïve café—ok"
    assert page.evaluate("t => window.clinicjournalEditor.countWords(t)", text) == count_words(text)
    page.locator("#f-body").fill("one two three")
    expect(page.locator("[data-stats-words]")).to_have_text("Words: 3 · reading time: 1 min")


REFERENCES = [
    ("walker-2017", "Why we sleep: sleep and immunity", "Walker M", "Sleep Medicine", "2017"),
    ("besedovsky-2019", "The sleep-immune crosstalk in health and disease", "Besedovsky L; Lange T", "Physiol Rev", "2019"),
    ("prather-2015", "Behaviorally assessed sleep and susceptibility to the common cold", "Prather AA", "Sleep", "2015"),
]
QUESTIONS = [
    ("How long should I sleep?", "Most adults need seven to nine hours [@besedovsky-2019]."),
    ("Does poor sleep make colds more likely?", "Yes: short sleepers catch colds more often [@prather-2015]."),
    ("Do naps count?", "Short naps help, but they do not replace a night's sleep."),
    ("When should I see a doctor?", "If you snore loudly or feel tired every day."),
]


def fill_row(page, kind: str, n: int, values: dict) -> None:
    for name, value in values.items():
        page.locator(f"#f-{kind}-{name}-{n}").fill(value)


def test_an_editor_writes_an_article_without_yaml(app, base, browser):
    page = sign_in(browser, base, "editor@alpha.test")
    errors = console_errors(page)
    page.goto(base + "/admin/alpha/articles/new")
    page.get_by_label("Title").first.fill("Sleep and your immune system")
    expect(page.locator("#f-slug")).to_have_value("sleep-and-your-immune-system")  # proposed while typing
    page.get_by_label("Summary").fill("How sleep helps the body fight infections.")
    page.locator("#f-body").fill("## Sleep\n\nSleep helps your body fight germs [@walker-2017]. "
                                 "Most adults need seven to nine hours each night.\n")

    add_reference = page.get_by_role("button", name="Add a reference")
    for n, (key, title, authors, journal, year) in enumerate(REFERENCES, start=1):
        if n > 1:
            add_reference.click()
        fill_row(page, "ref", n, {"key": key, "title": title, "authors": authors, "container": journal,
                                  "year": year})
        expect(page.locator("[data-rows=ref] > [data-row]").nth(n - 1).locator("[data-cite]")).to_have_text(f"[@{key}]")
    add_question = page.get_by_role("button", name="Add a question")
    for n, (question, answer) in enumerate(QUESTIONS, start=1):
        if n > 2:  # two empty boxes are there already
            add_question.click()
        fill_row(page, "faq", n, {"q": question, "a": answer})
    # reorder: the cold question first, the third source second
    page.get_by_role("button", name="Move up (Question 2)").click()
    page.get_by_role("button", name="Move up (Reference 3)").click()
    assert page.locator("#f-faq-q-1").input_value() == QUESTIONS[1][0]
    assert page.locator("#f-ref-key-2").input_value() == "prather-2015"
    # removing and adding again leaves four questions
    add_question.click()
    page.get_by_role("button", name="Remove (Question 5)").click()
    assert page.locator("[data-rows=faq] > [data-row]").count() == 4

    preview = page.frame_locator("[data-preview-frame]")
    expect(preview.get_by_text("Sleep helps your body fight germs")).to_be_visible(timeout=10_000)
    expect(preview.get_by_role("heading", name="Does poor sleep make colds more likely?")).to_be_visible()
    expect(page.locator("[data-stats-readability]")).to_contain_text("Reading level: grade")
    expect(page.locator("[data-stats-words]")).to_contain_text("Words: ")
    assert page.locator("#f-references").is_hidden()  # the YAML box was never needed

    page.get_by_role("button", name="Create draft").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Draft created.")).to_be_visible()
    assert errors == []
    article_id = int(re.search(r"/articles/(\d+)", page.url).group(1))
    saved = working(app, article_id)
    assert [r["key"] for r in saved["references"]] == ["walker-2017", "prather-2015", "besedovsky-2019"]
    assert [i["q"] for i in saved["faq"]] == [QUESTIONS[1][0], QUESTIONS[0][0], QUESTIONS[2][0], QUESTIONS[3][0]]
    assert saved["references"][2]["authors"] == ["Besedovsky L", "Lange T"]

    # the saved article, rendered by the reader's pipeline: numbered in the new order
    page.goto(base + f"/admin/alpha/articles/{article_id}/preview")
    answers = page.locator(".faq__item p")
    expect(answers.nth(0).locator("sup.cite")).to_have_text("[2]")  # prather, now the first question's
    expect(answers.nth(1).locator("sup.cite")).to_have_text("[3]")
    sources = page.locator(".sources li .source")
    expect(sources.nth(0)).to_contain_text("Why we sleep")
    expect(sources.nth(1)).to_contain_text("common cold")
    expect(sources.nth(2)).to_contain_text("sleep-immune crosstalk")


def test_autosave_saves_while_typing_and_stops_at_a_newer_version(app, sites, base, browser, login):
    page = sign_in(browser, base, "editor@alpha.test")
    page.goto(base + f"/admin/alpha/articles/{sites.alpha_draft}")
    page.locator("#f-body").fill("Autosaved words [@ref-one].\n")
    expect(page.locator("[data-autosave-status]")).to_contain_text("Saved automatically", timeout=12_000)
    assert working(app, sites.alpha_draft)["body"] == "Autosaved words [@ref-one].\n"

    # someone else saves; the next autosave must not overwrite their text
    other = login("network@example.test")
    form = other.get(f"/admin/alpha/articles/{sites.alpha_draft}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    other.post(f"/admin/alpha/articles/{sites.alpha_draft}", {
        "title": "Draft one", "summary": "S.", "body": "Their words [@ref-one].\n", "locale": "en", "kind": "article",
        "slug": "draft-one", "references": "- key: ref-one\n  title: A reference\n", "version": version})
    page.locator("#f-body").fill("My later words [@ref-one].\n")
    expect(page.locator("[data-autosave-conflict]")).to_contain_text("someone else saved", timeout=12_000)
    assert working(app, sites.alpha_draft)["body"] == "Their words [@ref-one].\n"
    # and the manual save meets the lock as before
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("#conflict")).to_be_visible()


@pytest.mark.parametrize("language", ["en-GB", "ar"])
def test_editor_pages_are_axe_clean(sites, base, browser, language):
    check = AxeCheck()
    page = sign_in(browser, base, "editor@alpha.test", locale=language)
    page.goto(base + "/admin/alpha/articles/new")
    page.locator("#f-title").fill("Sleep")
    page.locator("#f-body").fill("Sleep helps your body fight germs. Most adults need seven hours.")
    expect(page.locator("[data-stats-readability]")).to_be_visible(timeout=10_000)
    check(page, f"new article ({language})")
    page.goto(base + f"/admin/alpha/articles/{sites.alpha_de}")
    page.wait_for_timeout(1500)  # the live preview has rendered
    check(page, f"German article ({language})")
    admin = sign_in(browser, base, "site_admin@alpha.test", locale=language)
    admin.goto(base + "/admin/alpha/settings")
    check(admin, f"site settings ({language})")
    check.assert_clean()

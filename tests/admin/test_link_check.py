"""The editor and the reviewer's screen flag links to this site's own articles
that readers could not follow (issue 15, item 8), and the reviewer of a
translation sees the published source beside it (item 5)."""

from __future__ import annotations

from admin_support import add_article, app, form_of, login, sites  # noqa: F401

BODY = """Intro paragraph.

See [sleep](/en/sleep-well/) and [the draft](../draft-one/).
Also [nothing here](/en/no-such-article/) and [far away](https://example.org/en/nope/).
Absolute to us: [home](http://alpha.localhost/en/missing-too/), [index](/en/), [a category](/en/category/x/).
"""


def test_the_editor_flags_links_to_missing_or_unpublished_articles(app, sites, login):
    editor = login("editor@alpha.test")
    article = sites.alpha_draft
    response = editor.post(f"/admin/alpha/articles/{article}", form_of(editor, article, body=BODY))
    assert response.status_code == 302
    page = editor.get(f"/admin/alpha/articles/{article}").get_data(as_text=True)
    flagged = page.split('class="hint hint--warn link-problems"')[1].split("</div>")[0]
    assert 'data-line="5"' in flagged and "/en/missing-too/ leads nowhere" in flagged
    assert 'data-line="4"' in flagged and "/en/no-such-article/ leads nowhere" in flagged
    assert "/en/draft-one/" not in flagged  # the article's own address
    assert "sleep-well" not in flagged and "example.org" not in flagged and "category" not in flagged


def test_a_link_to_a_draft_says_it_is_not_public(app, sites, login):
    editor = login("editor@alpha.test")
    article = sites.alpha_article
    editor.post(f"/admin/alpha/articles/{article}", form_of(editor, article, body="Read [this](../draft-one/)."))
    page = editor.get(f"/admin/alpha/articles/{article}").get_data(as_text=True)
    assert "leads to “Draft one”, which readers cannot see" in page
    review = login("reviewer@alpha.test").get(f"/admin/alpha/articles/{article}/review").get_data(as_text=True)
    assert "leads to “Draft one”, which readers cannot see" in review


def test_the_reviewer_sees_the_source_beside_the_translation(app, sites, login):
    de = add_article(app, "alpha", "gut-schlafen-2", locale="de", title="Gut schlafen zwei",
                     translation_key="sleep-well", status="draft", body="Absatz eins.\n\nAbsatz zwei.")
    page = login("reviewer@alpha.test").get(f"/admin/alpha/articles/{de}/review").get_data(as_text=True)
    table = page.split('class="side-by-side"')[1].split("</table>")[0]
    assert '<td lang="en" dir="ltr">Sleep well</td><td lang="de" dir="ltr">Gut schlafen zwei</td>' in table
    assert "Original text" in table and "Absatz zwei." in table

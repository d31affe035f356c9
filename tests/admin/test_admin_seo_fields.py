"""The article editor's "Search engines" fieldset: the search fields are saved into the
working copy, cleared again, and refused with the field named, like content import."""

from __future__ import annotations

from admin_support import app, form_of, login, sites, working  # noqa: F401


def edit_page(client, article_id: int) -> str:
    return client.get(f"/admin/alpha/articles/{article_id}").get_data(as_text=True)


def test_search_fields_are_saved_shown_and_cleared(app, sites, login):
    editor = login("editor@alpha.test")
    form = form_of(editor, sites.alpha_draft, seo_title="Sleep: a short guide", seo_description="Seven tips.",
                   canonical="https://example.org/sleep/", noindex="1")
    assert editor.post(f"/admin/alpha/articles/{sites.alpha_draft}", form).status_code == 302
    data = working(app, sites.alpha_draft)
    assert {k: data["extra"].get(k) for k in ("seo_title", "seo_description", "canonical", "noindex")} == {
        "seo_title": "Sleep: a short guide", "seo_description": "Seven tips.",
        "canonical": "https://example.org/sleep/", "noindex": True}
    page = edit_page(editor, sites.alpha_draft)
    assert 'value="Sleep: a short guide"' in page and 'value="https://example.org/sleep/"' in page
    assert 'id="f-noindex" name="noindex" type="checkbox" value="1" checked' in page

    form = form_of(editor, sites.alpha_draft)  # every field empty, the box unticked
    assert editor.post(f"/admin/alpha/articles/{sites.alpha_draft}", form).status_code == 302
    extra = working(app, sites.alpha_draft)["extra"]
    assert not {"seo_title", "seo_description", "canonical", "noindex"} & set(extra)


def test_a_canonical_address_that_is_not_https_is_refused_next_to_its_field(app, sites, login):
    editor = login("editor@alpha.test")
    form = form_of(editor, sites.alpha_draft, canonical="http://example.org/sleep/", body="My words.\n")
    response = editor.post(f"/admin/alpha/articles/{sites.alpha_draft}", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#f-canonical"' in page  # the error summary links to the field
    assert 'id="f-canonical-error"' in page and "absolute https address" in page
    assert "My words." in page  # the text is kept
    assert "canonical" not in working(app, sites.alpha_draft)["extra"]

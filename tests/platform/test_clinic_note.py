"""The clinic note plugin (issue 18, item 3): the clinic's own voice, authored in
the format, translated with the article, covered by the medical sign-off."""

from __future__ import annotations

import pytest

from clinicjournal.store import db, manage


@pytest.fixture
def demo(cli):
    result = cli("demo")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("path, heading", [("/en/vitamin-d-and-immunity/", "What we see at the clinic"),
                                           ("/de/vitamin-d-und-immunsystem/", "Was wir in der Praxis sehen"),
                                           ("/ar/fitamin-d-wal-manaa/", "ما نراه في العيادة")])
def test_the_demo_article_speaks_in_every_language(demo, get_page, path, heading):
    page = get_page("harbourview.localhost", path)
    note = page.one("aside", cls="clinic-note")
    assert note.one("h2").text() == heading  # the plugin's own catalog
    assert len(note.find_all("p")) == 3  # two paragraphs and who speaks
    assert note.one("p", cls="clinic-note__by").text().startswith("— ")
    parts = [n for n in page.iter() if n.tag in ("aside", "section") and n.classes & {"clinic-note", "faq", "takeaway"}]
    assert [sorted(n.classes & {"clinic-note", "faq", "takeaway"})[0] for n in parts] == ["clinic-note", "faq",
                                                                                        "takeaway"]
    assert any("/static/plugins/clinic_note/" in (link.get("href") or "")
               for link in page.find_all("link", rel="stylesheet"))
    # the sign-off in the demo file covers the note: the page still says who reviewed it
    assert ", MD" in page.one("header", cls="article__header").text()  # "Medically reviewed by Dr. …, MD"


def test_the_note_is_text_the_clinic_wrote_never_markup(create_site, publish, app):
    create_site("alpha")
    publish("alpha", {"slug": "n", "clinic_note": "<script>alert(1)</script> **not bold**\n\nSecond <b>part</b>."})
    html = app.test_client().get("/en/n/", headers={"Host": "alpha.localhost"}).get_data(as_text=True)
    note = html.split('class="article-part clinic-note"')[1].split("</aside>")[0]
    assert "<script>" not in note and "&lt;script&gt;" in note and "<b>" not in note
    assert "**not bold**" in note and note.count("<p>") == 2 and "clinic-note__by" not in note


@pytest.mark.parametrize("value, words", [
    ({"text": "As we see [@r1]."}, "cannot cite sources"),
    ({"text": "x" * 2001}, "keep it under 2000"),
    ({"text": "Fine.", "signed": "me"}, "unknown keys signed"),
    ({"text": "Fine.", "by": ["a", "list"]}, "`by:` is a name and a role"),
    (["a", "list"], "write the note as text"),
])
def test_a_bad_note_stops_the_import_and_names_the_file(create_site, write_article, cli, tmp_path, value, words):
    create_site("alpha")
    folder = tmp_path / "bad"
    write_article(folder, slug="bad-note", clinic_note=value,
                  references=[{"key": "r1", "title": "A source"}], body="Text [@r1].\n")
    result = cli("content", "import", folder, "--site", "alpha")
    assert result.exit_code != 0
    assert "bad-note" in result.output and words in " ".join(result.output.split())


def test_a_changed_note_needs_a_new_sign_off(create_site, write_article, cli, tmp_path, app):
    """The note is on the page under "Medically reviewed by": it is in the hash a sign-off covers."""
    create_site("alpha")
    folder = tmp_path / "signed"
    path = write_article(folder, slug="signed", clinic_note="We see this often.", reviewer="Dr Who",
                         reviewed="2025-02-01")
    assert cli("content", "import", folder, "--site", "alpha").exit_code == 0
    path.write_text(path.read_text().replace("We see this often.", "We cure this every time."))
    result = cli("content", "import", folder, "--site", "alpha")
    assert result.exit_code == 0
    page = app.test_client().get("/en/signed/", headers={"Host": "alpha.localhost"}).get_data(as_text=True)
    assert "We see this often." in page and "We cure this every time." not in page


def test_a_site_without_the_plugin_shows_no_note(create_site, publish, app):
    create_site("alpha")
    publish("alpha", {"slug": "n", "clinic_note": "We see this often."})
    with app.app_context():
        sess = db.session()
        manage.set_plugin_enabled(sess, manage.get_site(sess, "alpha"), "clinic_note", False,
                                  app.extensions["clinicjournal"].plugins)
        sess.commit()
    html = app.test_client().get("/en/n/", headers={"Host": "alpha.localhost"}).get_data(as_text=True)
    assert "clinic-note" not in html and "We see this often." not in html

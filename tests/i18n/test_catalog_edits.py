"""Translations edited in the browser: stored as rows, layered over the shipped
catalogs, served by every worker on its next request, retiring only the cached
pages they show on. Real catalogs (translations/), real database, real apps."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clinicjournal.i18n import edits
from clinicjournal.i18n.sources import source_message
from clinicjournal.store import db
from clinicjournal.store.catalog_models import CatalogEdit, CatalogRevision
from clinicjournal.store.models import Site
from clinicjournal.store.removal import delete_site

MIN_READ = "%(num)d min read"
JOURNAL = "Health Journal"


def save(app, msgid, strings, *, locale="de", site_id=None, fuzzy=False, version=None, catalog="core"):
    with app.app_context():
        sess = db.session()
        state = app.extensions["clinicjournal"]
        source = source_message(state.catalogs.directories[catalog], msgid)
        assert source is not None, msgid
        edit = edits.save(sess, catalog=catalog, locale=locale, site_id=site_id, source=source, strings=strings,
                          fuzzy=fuzzy, expected_version=version, actor="cli")
        sess.commit()
        return edit.id, edit.version


@pytest.fixture
def german_site(create_site, publish):
    site = create_site("alpha", locales=("en", "de"))
    publish("alpha", {"slug": "schlaf", "locale": "de", "title": "Schlaf", "body": "Wort " * 400},
            {"slug": "sleep", "locale": "en", "title": "Sleep", "body": "Word " * 400})
    return site


def get(client, path, host="alpha.localhost"):
    response = client.get(path, headers={"Host": host})
    assert response.status_code == 200, response.status
    return response


def test_an_edit_on_one_worker_is_served_by_the_other_on_its_next_request(make_app, german_site):
    worker_a, worker_b = make_app(), make_app()
    a, b = worker_a.test_client(), worker_b.test_client()
    assert "Min. Lesezeit" in get(b, "/de/").text  # B has the shipped text in its cache
    assert get(b, "/de/").headers.get("X-Cache") == "hit"
    save(worker_a, MIN_READ, ["%(num)d Minute Lesen", "%(num)d Minuten Lesen"])
    page = get(b, "/de/")
    assert "Minuten Lesen" in page.text and "Min. Lesezeit" not in page.text
    assert page.headers.get("X-Cache") != "hit"
    assert "Minuten Lesen" in get(a, "/de/").text


def test_only_the_edited_locale_s_cached_pages_are_retired(app, german_site):
    client = app.test_client()
    get(client, "/en/")
    get(client, "/de/")
    save(app, JOURNAL, ["Gesundheitsmagazin"])
    assert get(client, "/en/").headers.get("X-Cache") == "hit"
    german = get(client, "/de/")
    assert german.headers.get("X-Cache") != "hit" and "Gesundheitsmagazin" in german.text


def test_a_site_s_own_wording_stays_on_that_site(app, create_site, german_site):
    create_site("beta", locales=("en", "de"))
    client = app.test_client()
    get(client, "/de/", "beta.localhost")
    get(client, "/de/")
    save(app, JOURNAL, ["Gesundheitsbibliothek"], site_id=german_site.id)
    assert "Gesundheitsbibliothek" in get(client, "/de/").text
    beta = get(client, "/de/", "beta.localhost")
    assert "Gesundheitsbibliothek" not in beta.text and beta.headers.get("X-Cache") == "hit"
    # an install-wide edit is overridden on alpha, shown on beta
    save(app, JOURNAL, ["Gesundheitsheft"])
    assert "Gesundheitsheft" in get(client, "/de/", "beta.localhost").text
    assert "Gesundheitsbibliothek" in get(client, "/de/").text


def test_a_fuzzy_edit_shows_the_source_text(app, german_site):
    save(app, JOURNAL, ["Gesundheitsmagazin"], fuzzy=True)
    page = get(app.test_client(), "/de/")
    assert "Gesundheitsmagazin" not in page.text and JOURNAL in page.text


def test_a_broken_placeholder_is_refused_at_its_plural_form(app, german_site):
    with pytest.raises(edits.Refused) as refused:
        save(app, MIN_READ, ["%(num)d Minute", "%(nummer)d Minuten"])
    assert list(refused.value.problems) == [1]
    assert "%(num)d" in refused.value.problems[1][0]
    with pytest.raises(edits.Refused):
        save(app, MIN_READ, ["%(num)d Minute"])  # German has two forms
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(CatalogEdit)) == 0


def test_a_stale_copy_is_refused_and_names_the_newer_text(app, german_site):
    _id, version = save(app, JOURNAL, ["Erste Fassung"])
    save(app, JOURNAL, ["Zweite Fassung"], version=version)
    with pytest.raises(edits.StaleEdit) as stale:
        save(app, JOURNAL, ["Dritte Fassung"], version=version)
    assert stale.value.current.strings == ["Zweite Fassung"]
    with pytest.raises(edits.StaleEdit):
        save(app, JOURNAL, ["Noch eine"], version=None)  # "there was none" is stale too


def test_deleting_a_site_removes_its_own_wording_and_keeps_the_install_wide(app, german_site):
    save(app, JOURNAL, ["Gesundheitsheft"])
    save(app, JOURNAL, ["Gesundheitsbibliothek"], site_id=german_site.id)
    with app.app_context():
        sess = db.session()
        delete_site(sess, sess.get(Site, german_site.id))
        sess.commit()
        rows = sess.scalars(select(CatalogEdit)).all()
        assert [(r.site_id, r.strings) for r in rows] == [(None, ["Gesundheitsheft"])]
        assert sess.scalar(select(func.count()).select_from(CatalogRevision)) == 1


def test_translate_update_marks_edits_whose_source_changed_fuzzy_and_drops_none(app, german_site):
    from babel.messages.catalog import Catalog

    from clinicjournal.i18n.transfer import mark_source_changes

    save(app, JOURNAL, ["Gesundheitsmagazin"])
    save(app, MIN_READ, ["%(num)d Minute", "%(num)d Minuten"])
    template = Catalog()
    template.add("Health Journals")  # the code's new wording
    template.add((MIN_READ, "%(num)d mins read"))  # the plural changed
    with app.app_context():
        sess = db.session()
        changed = dict(mark_source_changes(sess, "core", template))
        sess.commit()
        rows = {r.msgid: r for r in sess.scalars(select(CatalogEdit))}
    assert changed[JOURNAL].startswith("moved to 'Health Journals'")
    assert changed[MIN_READ] == "source changed: fuzzy"
    assert set(rows) == {JOURNAL, "Health Journals", MIN_READ}  # nothing dropped
    assert all(r.fuzzy for r in rows.values())
    assert rows["Health Journals"].strings == ["Gesundheitsmagazin"]
    with app.app_context():
        sess = db.session()
        assert mark_source_changes(sess, "core", template) == []  # once is enough


def test_translate_export_writes_the_po_with_the_browser_edits(app, german_site, cli, tmp_path):
    from babel.messages.pofile import read_po

    save(app, JOURNAL, ["Gesundheitsmagazin"])
    out = tmp_path / "de.po"
    result = cli("translate", "export", "de", "-o", out)
    assert result.exit_code == 0, result.output
    with out.open("rb") as fh:
        catalog = read_po(fh, locale="de")
    assert catalog.get(JOURNAL).string == "Gesundheitsmagazin"
    assert catalog.get(MIN_READ).string == ("%(num)d Min. Lesezeit", "%(num)d Min. Lesezeit")  # the file's


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>Journal",
    "<img src=x onerror=alert(1)>",
    'Journal" autofocus onfocus="alert(1)',  # leaves an attribute the text is put in
    "Journal >",
])
def test_a_translation_typed_in_the_browser_cannot_add_code_to_the_page(app, german_site, hostile):
    """Templates take translations as trusted markup (Jinja's i18n): the shipped catalogs are
    reviewed as code, a browser edit or an upload is not, and reaches every page of every site."""
    with pytest.raises(edits.Refused) as refused:
        save(app, JOURNAL, [hostile], site_id=german_site.id)
    assert "may not add it" in refused.value.problems[0][0]
    page = get(app.test_client(), "/de/").text
    assert "alert(1)" not in page
    save(app, JOURNAL, ["„Gesundheitsheft“ der Praxis"])  # typographic quotes are text
    assert "„Gesundheitsheft“ der Praxis" in get(app.test_client(), "/de/").text

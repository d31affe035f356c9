"""The Translations screens: who may edit what, the checks at the field, the
optimistic lock, revisions with revert, audit sentences, .po download and upload.
Real catalogs (translations/), real database, the real admin behind CSRF."""

from __future__ import annotations

import io
import shutil
import subprocess
from urllib.parse import urlencode

from admin_support import app, login, make_user, reader, sites  # noqa: F401  (fixtures)
from babel.messages.pofile import read_po
from sqlalchemy import select

from clinicjournal.i18n import edits
from clinicjournal.store import db
from clinicjournal.store.models import AuditEvent

JOURNAL = "Health Journal"
MIN_READ = "%(num)d min read"
BASE = "/admin/alpha/translations/core/de"


def message_url(msgid: str, scope: str = "shared") -> str:
    return f"{BASE}/message?" + urlencode({"scope": scope, "msgid": msgid, "ctx": ""})


def save(client, msgid, strings, scope="shared", version=0, fuzzy=False):
    data = {"version": str(version), "scope": scope, "msgid": msgid, "ctx": ""}
    data.update({f"s{i}": s for i, s in enumerate(strings)})
    if fuzzy:
        data["fuzzy"] = "1"
    return client.post(message_url(msgid, scope), data)


def test_a_network_admin_edits_the_shared_catalog_and_readers_see_it(app, sites, login):
    admin = login(sites.network)
    overview = admin.get("/admin/alpha/translations").get_data(as_text=True)
    assert "The journal itself" in overview and "Deutsch" in overview
    assert save(admin, JOURNAL, ["Gesundheitsmagazin"]).status_code == 302
    assert "Gesundheitsmagazin" in reader(app, "/de/").get_data(as_text=True)
    with app.app_context():
        event = db.session().scalar(select(AuditEvent).where(AuditEvent.action == "translation.changed"))
        assert event.target == JOURNAL and event.detail["locale"] == "de"
    log = admin.get("/admin/audit").get_data(as_text=True)
    assert "changed the German translation of" in log


def test_who_may_edit_which_scope(app, sites, login):
    translator = login("translator@alpha.test")
    assert translator.get(f"{BASE}?scope=site").status_code == 200  # its own site's wording
    assert translator.get(f"{BASE}?scope=shared").status_code == 403  # shared: needs a network admin's grant
    assert save(translator, JOURNAL, ["X"], scope="shared").status_code == 403
    assert login("editor@alpha.test").get(f"{BASE}?scope=site").status_code == 403
    assert login("site_admin@alpha.test").get(f"{BASE}?scope=site").status_code == 200
    assert login("site_admin@beta.test").get(f"{BASE}?scope=site").status_code == 404  # not their site
    assert translator.get("/admin/alpha/translations/core/fr?scope=site").status_code == 404  # not a site locale


def test_a_translator_granted_a_language_edits_the_shared_catalog(app, sites, login, cli):
    result = cli("translate", "grant", "translator@alpha.test", "de")
    assert result.exit_code == 0, result.output
    translator = login("translator@alpha.test")
    assert save(translator, JOURNAL, ["Gesundheitsheft"]).status_code == 302
    assert "Gesundheitsheft" in reader(app, "/de/").get_data(as_text=True)


def test_a_site_s_own_wording_is_shown_over_the_shared_text(app, sites, login):
    admin = login("site_admin@alpha.test")
    assert save(admin, JOURNAL, ["Gesundheitsbibliothek"], scope="site").status_code == 302
    assert "Gesundheitsbibliothek" in reader(app, "/de/").get_data(as_text=True)
    listing = admin.get(f"{BASE}?scope=site&filter=browser").get_data(as_text=True)
    assert "Gesundheitsbibliothek" in listing and "this site&#39;s own" in listing


def test_a_broken_placeholder_is_refused_next_to_its_field(app, sites, login):
    admin = login(sites.network)
    refused = save(admin, MIN_READ, ["%(num)d Minute", "%(anzahl)d Minuten"])
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="f-s1-error"' in page and "changes %(num)d to %(anzahl)d" in page and 'id="f-s0-error"' not in page
    assert "%(anzahl)d Minuten" in page  # what was typed stays in the field
    with app.app_context():
        assert edits.find(db.session(), "core", "de", None, MIN_READ, "") is None  # nothing saved


def test_plural_fields_are_labelled_with_cldr_categories(app, sites, login):
    page = login(sites.network).get(message_url(MIN_READ)).get_data(as_text=True)
    assert "Plural form 0: one (1)" in page and "Plural form 1: other (0, 2–1000, …)" in page
    assert '<code class="ph" dir="ltr">%(num)d</code>' in page


def test_the_second_saver_sees_the_first_s_text_and_decides(app, sites, login, cli):
    first = login(sites.network)
    cli("translate", "grant", "translator@alpha.test", "de")
    second = login("translator@alpha.test")
    assert save(first, JOURNAL, ["Erste Fassung"], version=0).status_code == 302
    clash = save(second, JOURNAL, ["Zweite Fassung"], version=0)  # opened before the first save
    assert clash.status_code == 409
    page = clash.get_data(as_text=True)
    assert "saved this message while you were editing it" in page and "Erste Fassung" in page
    assert "Zweite Fassung" in page  # the second translator's text is kept in the field
    assert 'name="version" value="1"' in page
    assert save(second, JOURNAL, ["Zweite Fassung"], version=1).status_code == 302  # they decided: theirs wins
    assert "Zweite Fassung" in reader(app, "/de/").get_data(as_text=True)


def test_every_change_is_a_revision_and_one_click_brings_one_back(app, sites, login):
    admin = login(sites.network)
    save(admin, JOURNAL, ["Eins"], version=0)
    save(admin, JOURNAL, ["Zwei"], version=1)
    page = admin.get(message_url(JOURNAL)).get_data(as_text=True)
    assert page.count("Bring this back") == 2  # "Eins" and the shipped text
    with app.app_context():
        edit = edits.find(db.session(), "core", "de", None, JOURNAL, "")
        shipped, first = sorted(edits.history(db.session(), edit), key=lambda r: r.id)[:2]
    revert = admin.post(f"{BASE}/revert", {"scope": "shared", "msgid": JOURNAL, "ctx": "", "revision": str(first.id)})
    assert revert.status_code == 302
    assert "Eins" in reader(app, "/de/").get_data(as_text=True)
    admin.post(f"{BASE}/revert", {"scope": "shared", "msgid": JOURNAL, "ctx": "", "revision": str(shipped.id)})
    assert "Gesundheitsjournal" in reader(app, "/de/").get_data(as_text=True) or \
        shipped.strings[0] in reader(app, "/de/").get_data(as_text=True)
    assert "brought back an earlier German translation" in admin.get("/admin/audit").get_data(as_text=True)


def test_filters_and_search(app, sites, login):
    admin = login(sites.network)
    save(admin, JOURNAL, ["Gesundheitsmagazin"])
    changed = admin.get(f"{BASE}?scope=shared&filter=browser").get_data(as_text=True)
    assert changed.count("<tr>") == 2  # the header and the one message
    found = admin.get(f"{BASE}?scope=shared&q=gesundheitsmagazin").get_data(as_text=True)
    assert JOURNAL in found and found.count("<tr>") == 2
    fuzzy = admin.get(f"{BASE}?scope=shared&filter=fuzzy").get_data(as_text=True)
    assert "Gesundheitsmagazin" not in fuzzy


def test_progress_figures_match_translate_stats(app, sites, login, cli):
    admin = login(sites.network)
    save(admin, JOURNAL, ["Gesundheitsmagazin"])
    page = admin.get(f"{BASE}?scope=shared").get_data(as_text=True)
    stats = cli("translate", "stats", "--plugin", "core")
    assert stats.exit_code == 0, stats.output
    cells = next(cells for line in stats.output.splitlines()
                 if (cells := [c.strip() for c in line.replace("┃", "│").split("│") if c.strip()])[:2] == ["core", "de"])
    translated, fuzzy, untranslated, percent = cells[2:6]
    assert f"{translated} translated, {fuzzy} fuzzy, {untranslated} untranslated: {percent}" in page


def test_download_is_a_po_msgfmt_accepts_with_the_edits(app, sites, login, tmp_path):
    admin = login(sites.network)
    save(admin, MIN_READ, ["%(num)d Minute Lesen", "%(num)d Minuten Lesen"])
    response = admin.get(f"{BASE}/download?scope=shared")
    assert response.status_code == 200 and response.mimetype == "text/x-gettext-translation"
    catalog = read_po(io.BytesIO(response.data), locale="de")
    assert catalog.get(MIN_READ).string == ("%(num)d Minute Lesen", "%(num)d Minuten Lesen")
    msgfmt = shutil.which("msgfmt")
    if msgfmt:
        po = tmp_path / "de.po"
        po.write_bytes(response.data)
        checked = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


def test_upload_takes_good_entries_and_refuses_bad_ones(app, sites, login):
    admin = login(sites.network)
    po = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
          f'msgid "{JOURNAL}"\nmsgstr "Hochgeladenes Journal"\n\n'
          'msgid "%(num)d min read"\nmsgid_plural "%(num)d min read"\nmsgstr[0] "%(n)d Minute"\nmsgstr[1] "%(num)d Minuten"\n\n'
          'msgid "A message nobody wrote"\nmsgstr "Niemand"\n')
    response = admin.post(f"{BASE}/upload?scope=shared", {"po": (io.BytesIO(po.encode()), "de.po")},
                          content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:500]
    assert "1 taken, 2 refused" in page
    assert "msgstr[0]" in page and "not one of this catalog" in page
    assert "Hochgeladenes Journal" in reader(app, "/de/").get_data(as_text=True)
    bad = admin.post(f"{BASE}/upload?scope=shared", {"po": (io.BytesIO(b'msgid "x"\nmsgstr'), "de.po")},
                     content_type="multipart/form-data")
    assert bad.status_code in (200, 422)

"""``clinicjournal translate``: extract, init, update, check and stats over every catalog.

Catalogs are copied into ``tmp_path`` before a test changes them.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from catalog_support import (  # noqa: F401  (fixtures)
    CATALOGS,
    SHIPPED_LOCALES,
    copy_catalog,
    messages,
    msgid,
    read,
    table_rows,
    tr_app,
    translate,
)
from conftest import REPO

from clinicjournal.cli.catalog_files import extract
from clinicjournal.i18n.catalogs import load_checked


@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_stats_shows_every_catalog_complete(translate, tr_app, name):
    from clinicjournal.cli.catalog_files import plugin_target

    result = translate("stats", "--plugin", name, "--fail-under", "100")
    assert result.exit_code == 0, result.output
    rows = {row[1]: row for row in table_rows(result.output) if row[0] == name}
    with tr_app.app_context():
        wanted = {msgid(m) for m in messages(extract(plugin_target(name)))}
    for locale in SHIPPED_LOCALES:
        po = CATALOGS[name] / locale / "LC_MESSAGES" / "messages.po"
        done = [m for m in messages(read(po, locale)) if msgid(m) in wanted and not m.fuzzy]
        assert len(done) == len(wanted) > 0
        assert rows[locale][2:6] == [str(len(wanted)), "0", "0", "100%"], result.output


def test_stats_fail_under_exits_non_zero_for_an_incomplete_catalog(translate, tmp_path):
    directory = make_plugin(tmp_path)
    assert translate("init", "de", "--dir", str(directory)).exit_code == 0
    result = translate("stats", "--dir", str(directory), "--fail-under", "100")
    assert result.exit_code != 0
    assert "0%" in result.output and "below 100%" in result.output


def break_entry(po: Path, original: str, translation: str) -> int:
    """Replace the translation of ``original`` in ``po``; return its msgid line number."""
    catalog = read(po, po.parent.parent.name)
    message = catalog[original]
    message.string = translation
    from clinicjournal.cli.catalog_files import _po_bytes

    po.write_bytes(_po_bytes(catalog))
    return read(po, po.parent.parent.name)[original].lineno


@pytest.mark.parametrize("translation, problem", [
    ("Von %(nom)s", "changes %(name)s to %(nom)s"),
    ("Von jemandem", "drops %(name)s"),
    ("Von %(name)s am %(date)s", "has %(date)s, which the original does not have"),
])
def test_compile_refuses_a_catalog_with_a_broken_placeholder(translate, tmp_path, translation, problem):
    directory = copy_catalog(REPO / "translations", tmp_path / "core-copy" / "translations")
    po = directory / "de" / "LC_MESSAGES" / "messages.po"
    lineno = break_entry(po, "By %(name)s", translation)

    result = translate("check", "--dir", str(directory))

    assert result.exit_code != 0
    assert f"messages.po:{lineno}:" in result.output
    assert 'msgid "By %(name)s"' in result.output
    assert problem in result.output
    assert not list(directory.glob("**/*.mo")), "check writes nothing"


def test_compile_checks_each_plural_form(translate, tmp_path):
    directory = copy_catalog(REPO / "translations", tmp_path / "core-copy" / "translations")
    po = directory / "ar" / "LC_MESSAGES" / "messages.po"
    catalog = read(po, "ar")
    message = next(m for m in messages(catalog) if m.pluralizable and "%(num)d" in m.string[3])
    forms = list(message.string)
    forms[3] = forms[3].replace("%(num)d", "%(n)d")
    message.string = tuple(forms)
    from clinicjournal.cli.catalog_files import _po_bytes

    po.write_bytes(_po_bytes(catalog))
    result = translate("check", "--dir", str(directory))
    assert result.exit_code != 0
    assert "msgstr[3] changes %(num)d to %(n)d" in result.output


def test_compile_skips_and_reports_fuzzy_entries(translate, tmp_path):
    directory = copy_catalog(REPO / "translations", tmp_path / "core-copy" / "translations")
    po = directory / "fr" / "LC_MESSAGES" / "messages.po"
    catalog = read(po, "fr")
    catalog["By %(name)s"].string = "Par %(auteur)s"  # broken, but fuzzy: not compiled, so not refused
    catalog["By %(name)s"].flags.add("fuzzy")
    from clinicjournal.cli.catalog_files import _po_bytes

    po.write_bytes(_po_bytes(catalog))
    result = translate("check", "--dir", str(directory))
    assert result.exit_code == 0, result.output
    assert "fuzzy, left out" in result.output and 'msgid "By %(name)s"' in result.output
    assert load_checked(po, "fr").translations.gettext("By %(name)s") == "By %(name)s"  # English until reviewed


def make_plugin(tmp_path: Path) -> Path:
    """A plugin package with one Python string and one template string; its catalog folder."""
    package = tmp_path / "clinicjournal_demo_tr"
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent('''\
        from flask_babel import gettext as _, lazy_gettext as _l

        DESCRIPTION = _l("Shows a demo box.")

        def box(count):
            return _("Demo for %(name)s", name="x")
        '''))
    (package / "templates" / "box.html").write_text('<p>{{ ngettext("%(num)d item", "%(num)d items", n) }}</p>\n')
    return package / "translations"


def test_extract_init_update_stats_compile_round(translate, tmp_path):
    directory = make_plugin(tmp_path)
    result = translate("extract", "--dir", str(directory))
    assert result.exit_code == 0, result.output
    template = read(directory / "messages.pot")
    assert {msgid(m) for m in messages(template)} == {"Shows a demo box.", "Demo for %(name)s", "%(num)d item"}
    assert ("clinicjournal_demo_tr/templates/box.html", 1) in template["%(num)d item"].locations

    assert translate("init", "ar", "--dir", str(directory)).exit_code == 0
    po = directory / "ar" / "LC_MESSAGES" / "messages.po"
    catalog = read(po, "ar")
    assert catalog.plural_forms == read(REPO / "translations/ar/LC_MESSAGES/messages.po", "ar").plural_forms
    assert not catalog.fuzzy and all(not m.fuzzy for m in messages(catalog))
    assert translate("init", "ar", "--dir", str(directory)).exit_code != 0  # already there
    assert translate("init", "xx_notalocale", "--dir", str(directory)).exit_code != 0

    # A developer adds a string; update brings it in without losing the work done.
    catalog["Demo for %(name)s"].string = "عرض تجريبي لـ %(name)s"
    from clinicjournal.cli.catalog_files import _po_bytes

    po.write_bytes(_po_bytes(catalog))
    init = directory.parent / "__init__.py"
    init.write_text(init.read_text() + '\nLATER = _l("A later string.")\n')
    stats = table_rows(translate("stats", "--dir", str(directory)).output)
    assert stats[0][1:6] == ["ar", "1", "0", "3", "25%"]
    assert "1 new in the code" in stats[0][6]

    result = translate("update", "--dir", str(directory))
    assert result.exit_code == 0, result.output
    catalog = read(po, "ar")
    assert "A later string." in catalog and catalog["Demo for %(name)s"].string == "عرض تجريبي لـ %(name)s"
    before = po.read_bytes()
    assert translate("update", "--dir", str(directory)).exit_code == 0
    assert po.read_bytes() == before, "an update with nothing new changes nothing"

    result = translate("check", "--dir", str(directory))
    assert result.exit_code == 0, result.output
    assert load_checked(po, "ar").translations.gettext("Demo for %(name)s") == "عرض تجريبي لـ %(name)s"


def test_unknown_plugin_is_an_error_that_says_what_exists(translate):
    result = translate("stats", "--plugin", "no_such_plugin")
    assert result.exit_code != 0
    assert "no plugin named 'no_such_plugin'" in result.output and "faq" in result.output


def test_compile_refuses_a_plural_rule_that_differs_from_the_cores(translate, tmp_path):
    """The merged catalogs of a language share one plural rule; another order of the
    Arabic forms (as some tools write it) would pick the wrong form for the core's strings."""
    directory = copy_catalog(REPO / "plugins/clinicjournal_faq/translations", tmp_path / "faq-copy" / "translations")
    po = directory / "ar" / "LC_MESSAGES" / "messages.po"
    catalog = read(po, "ar")
    catalog.mime_headers = [("Plural-Forms", "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
                                             "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);")]
    from clinicjournal.cli.catalog_files import _po_bytes

    po.write_bytes(_po_bytes(catalog))
    result = translate("check", "--dir", str(directory))
    assert result.exit_code != 0
    assert "differs from the core catalog's" in result.output


def test_compile_prints_entries_with_brackets_as_written(translate, tmp_path):
    """Problems are printed through rich: a msgid like "[@key]" must not be read as markup."""
    po = tmp_path / "p" / "translations" / "de" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    catalog = Catalog(locale="de")
    catalog.add("Cite [@key] or [bold]x[/bold] for %(name)s", "Zitieren Sie [@key] für %(nom)s",
                locations=[("p/templates/a.html", 1)])
    from clinicjournal.cli.catalog_files import _po_bytes

    po.write_bytes(_po_bytes(catalog))
    result = translate("check", "--dir", str(po.parents[2]))
    assert result.exit_code != 0
    assert 'msgid "Cite [@key] or [bold]x[/bold] for %(name)s": changes %(name)s to %(nom)s' in result.output


def test_a_confirmed_entry_loses_every_line_of_its_old_msgid(translate, tmp_path):
    """A long old msgid, written back as wrapped ``#|`` comments, leaves nothing
    behind once the translator confirms the fuzzy guess (not even the wrapped
    continuation lines, which need not start with ``|``); a translator's own
    comment stays."""
    directory = make_plugin(tmp_path)
    init = directory.parent / "__init__.py"
    long_text = ("Too many failed sign-in attempts. For your security, signing in is paused for a while. "
                 "If you forgot your password, ask your network administrator to set a new one.")
    init.write_text(init.read_text() + f'\nLONG = _l("{long_text}")\n')
    assert translate("extract", "--dir", str(directory)).exit_code == 0
    assert translate("init", "de", "--dir", str(directory)).exit_code == 0
    po = directory / "de" / "LC_MESSAGES" / "messages.po"
    from clinicjournal.cli.catalog_files import _po_bytes

    catalog = read(po, "de")
    catalog[long_text].string = "Zu viele Versuche."
    catalog[long_text].user_comments = ["checked with the clinic"]
    po.write_bytes(_po_bytes(catalog))
    init.write_text(init.read_text().replace("ask your network administrator to set a new one",
                                             "use the link on the sign-in page"))
    assert translate("update", "--dir", str(directory)).exit_code == 0
    catalog = read(po, "de")
    [guess] = [m for m in messages(catalog) if m.fuzzy]
    assert guess.string == "Zu viele Versuche."
    guess.flags.discard("fuzzy")  # the translator confirms it
    po.write_bytes(_po_bytes(catalog))
    for _ in range(2):
        assert translate("update", "--dir", str(directory)).exit_code == 0
    [entry] = [m for m in messages(read(po, "de")) if m.string == "Zu viele Versuche."]
    assert entry.user_comments == ["checked with the clinic"]
    assert "#| msgid" not in po.read_text() and "# | " not in po.read_text()

"""The shipped UI catalogs, and how the server reads them: straight from the .po files,
checked entry by entry, nothing written.

The shipped catalogs are read, never changed: a test that breaks a catalog works on a
copy in ``tmp_path``.
"""

from __future__ import annotations

from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from catalog_support import (  # noqa: F401  (fixtures)
    CATALOGS,
    PLUGIN_DIRS,
    SHIPPED_LOCALES,
    copy_catalog,
    messages,
    msgid,
    plugin_name,
    read,
    table_rows,
    tr_app,
    translate,
)
from flask import g

from clinicjournal import create_app, i18n
from clinicjournal.cli.catalog_files import extract
from clinicjournal.i18n.catalogs import load_checked
from clinicjournal.i18n.checks import check_catalog, count, placeholders


def test_every_catalog_exists_for_every_shipped_locale():
    for name, directory in CATALOGS.items():
        for locale in SHIPPED_LOCALES:
            po = directory / locale / "LC_MESSAGES" / "messages.po"
            assert po.is_file(), f"{name} has no {locale} catalog"


def test_freshly_extracted_strings_are_all_translated_in_every_shipped_catalog(tr_app):
    """No stale catalog: what the code marks today is what translators have done."""
    from clinicjournal.cli.catalog_files import core_target, plugin_target

    with tr_app.app_context():
        targets = [core_target()] + [plugin_target(plugin_name(d)) for d in PLUGIN_DIRS]
        for target in targets:
            template = extract(target)
            assert messages(template), f"{target.name}: no strings extracted"
            for locale in SHIPPED_LOCALES:
                catalog = read(target.po(locale), locale)
                have = {(msgid(m), m.context): m for m in messages(catalog)}
                for wanted in messages(template):
                    found = have.get((msgid(wanted), wanted.context))
                    where = f"{target.name}/{locale}: {msgid(wanted)!r}"
                    assert found is not None, f"{where} is missing: run `translate update --all`"
                    assert not found.fuzzy, f"{where} is fuzzy"
                    strings = found.string if isinstance(found.string, tuple) else (found.string,)
                    assert all(strings), f"{where} is untranslated"
                counts = count(catalog, template)
                assert counts.percent == 100 and counts.fuzzy == 0


def test_shipped_catalogs_pass_the_compile_checks():
    for directory in CATALOGS.values():
        for locale in SHIPPED_LOCALES:
            po = directory / locale / "LC_MESSAGES" / "messages.po"
            catalog = read(po, locale)
            assert not catalog.fuzzy, f"{po}: the header is fuzzy"
            assert check_catalog(catalog, po) == []


SAMPLE_NUMBERS = [*range(0, 250), 1000, 1_000_000, 1_000_001, 2_000_000, 10**9]


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_every_catalog_follows_the_plural_rules_of_the_babel_we_ship_with(locale):
    """CLDR changes plural rules between Babel releases (2.19 gave Spanish and French
    a "many" form): a catalog whose Plural-Forms disagrees with Babel's rule for its
    locale would pick the wrong form, so it fails here, naming the catalog."""
    expected = get_plural(locale)
    choose_expected = c2py(expected.plural_expr)
    for name, directory in CATALOGS.items():
        po = directory / locale / "LC_MESSAGES" / "messages.po"
        catalog = read(po, locale)
        assert catalog.num_plurals == expected.num_plurals, \
            f"{po}: nplurals={catalog.num_plurals}, Babel says {expected.plural_forms}"
        choose = c2py(catalog.plural_expr)
        wrong = [n for n in SAMPLE_NUMBERS if choose(n) != choose_expected(n)]
        assert not wrong, f"{po}: Plural-Forms picks another form than Babel's rule for n in {wrong[:5]}"
        for message in messages(catalog):
            if message.pluralizable:
                assert len(message.string) == expected.num_plurals and all(message.string), \
                    f"{po}: {msgid(message)!r} needs {expected.num_plurals} translated forms"


def test_catalogs_of_one_language_agree_on_plural_forms_and_shared_strings():
    """flask-babel merges the catalogs of a locale into one (the last one's plural rule
    wins, and a later catalog's translation of a msgid replaces an earlier one's)."""
    for locale in SHIPPED_LOCALES:
        rules, seen = {}, {}
        for name, directory in CATALOGS.items():
            catalog = read(directory / locale / "LC_MESSAGES" / "messages.po", locale)
            rules[name] = catalog.plural_forms
            for message in messages(catalog):
                first = seen.setdefault(msgid(message), (name, message.string))
                assert first[1] == message.string, \
                    f"{locale}: {msgid(message)!r} is {first[1]!r} in {first[0]} but {message.string!r} in {name}"
        assert len(set(rules.values())) == 1, rules


def test_the_running_app_serves_every_translation(tr_app):
    """Catalog folders are wired in: each shipped msgid comes back translated."""
    from flask_babel import gettext, ngettext, refresh

    for locale in SHIPPED_LOCALES:
        with tr_app.test_request_context(f"/{locale}/"):
            g.locale = locale
            refresh()
            for directory in CATALOGS.values():
                catalog = read(directory / locale / "LC_MESSAGES" / "messages.po", locale)
                plural = c2py(catalog.plural_expr)
                for message in messages(catalog):
                    if isinstance(message.id, tuple):
                        names = {p[2:p.index(")")] for p in placeholders(message.id[1]).named} - {"num"}
                        values = {name: "x" for name in names}
                        for n in (0, 1, 2, 5, 11, 100):
                            expected = message.string[plural(n)] % {**values, "num": n}
                            assert ngettext(*message.id, n, **values) == expected, (locale, message.id, n)
                    elif "%" not in message.id:
                        assert gettext(message.id) == message.string, (locale, message.id)


def test_reading_time_is_translated_with_the_languages_plural_forms(tr_app):
    from flask_babel import refresh

    for locale in SHIPPED_LOCALES:
        with tr_app.test_request_context(f"/{locale}/"):
            g.locale = locale
            refresh()
            texts = {n: i18n.reading_time(n * 250) for n in (1, 2, 5, 11)}
        assert all(text != f"{n} min read" for n, text in texts.items()), (locale, texts)
        if locale == "ar":
            assert len(set(texts.values())) == 4, texts  # one, two, few and many read differently


def test_reading_time_string_is_marked_for_extraction(tr_app):
    """reading_time must call ungettext with the literals, or extraction (and so `update`) drops the string."""
    from clinicjournal.cli.catalog_files import core_target

    with tr_app.app_context():
        assert "%(num)d min read" in extract(core_target())


@pytest.mark.parametrize("msgid_, translation, ok", [
    ("By %(name)s", "Von %(name)s", True),
    ("Page %(num)d of %(total)d", "%(total)d: Seite %(num)d", True),  # named: any order
    ("Page %(num)d of %(total)d", "Seite %(num)d", False),
    ("%s of %s", "%s von %s", True),
    ("%s of %d", "%d von %s", False),  # positional: same order
    ("Hello {name}", "Hallo {name}", True),
    ("Hello {name}", "Hallo {nom}", False),
    ("50%% off", "50 %% Rabatt", True),
    ("Up %(num)d%%", "Plus %(num)d %", False),  # a lone % breaks formatting
    ("Plain", "Rein %(x)s", False),
])
def test_placeholder_check(msgid_, translation, ok):
    catalog = Catalog(locale="de")
    catalog.add(msgid_, translation, locations=[("x.html", 1)])
    assert (check_catalog(catalog, Path("x.po")) == []) is ok


def test_plural_forms_used_for_one_number_may_leave_the_number_out():
    def problems(forms):
        catalog = Catalog(locale="ar")
        catalog.add(("%(num)d min", "%(num)d min"), tuple(forms))
        return [p.text for p in check_catalog(catalog, Path("x.po"))]

    forms = ["%(num)d دقيقة", "دقيقة واحدة", "دقيقتان", "%(num)d دقائق", "%(num)d دقيقة", "%(num)d دقيقة"]
    assert problems(forms) == []  # forms 1 and 2 are only ever n == 1 and n == 2
    forms[3] = "دقائق"  # 3..10, 103..110: the number is needed
    assert problems(forms) == ["msgstr[3] drops %(num)d"]
    assert problems(forms[:5]) == ["has 5 plural forms; this language needs 6 (see Plural-Forms in the header)",
                                   "msgstr[3] drops %(num)d"]


def test_placeholders_parse():
    found = placeholders("%(a)s %(b)i {c} %s %% {{d}}")
    assert found.named == {"%(a)s", "%(b)d"} and found.braces == {"{c}"}
    assert found.positional == ["%s"] and not found.stray_percent


def plugin_with_catalog(tmp_path, entries: dict[str, str]) -> tuple[Path, Path]:
    plugins = tmp_path / "plugins"
    # A name of its own per test: a plugin module, once imported, stays in sys.modules.
    package = plugins / f"clinicjournal_probe_{abs(hash(str(tmp_path)))}"
    (package / "translations" / "de" / "LC_MESSAGES").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    catalog = Catalog(locale="de")
    for source, translation in entries.items():
        catalog.add(source, translation, flags=["python-format"] if "%(" in source else [])
    from clinicjournal.cli.catalog_files import _po_bytes

    po = package / "translations" / "de" / "LC_MESSAGES" / "messages.po"
    po.write_bytes(_po_bytes(catalog))
    return plugins, po


def app_with_plugins(tmp_path, plugins):
    return create_app({"TESTING": True, "DATABASE_URL": "sqlite:///" + str(tmp_path / "t.sqlite"),
                       "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance"), "CHECK_SCHEMA": False,
                       "PLUGINS_FOLDER": str(plugins)})


def german(app, text: str, **values) -> str:
    from flask_babel import gettext, refresh

    with app.test_request_context("/de/"):
        g.locale = "de"
        refresh()
        return gettext(text, **values)


def test_a_server_started_with_an_edited_po_uses_it(tmp_path):
    plugins, po = plugin_with_catalog(tmp_path, {"Catalog probe": "Alte Fassung"})
    assert german(app_with_plugins(tmp_path, plugins), "Catalog probe") == "Alte Fassung"
    catalog = read(po, "de")
    catalog["Catalog probe"].string = "Neue Fassung"
    from clinicjournal.cli.catalog_files import _po_bytes

    po.write_bytes(_po_bytes(catalog))
    assert german(app_with_plugins(tmp_path, plugins), "Catalog probe") == "Neue Fassung"


def test_an_entry_with_a_broken_placeholder_is_left_out_with_a_warning_naming_file_and_line(tmp_path, caplog):
    """The server checks what it loads as `translate check` does: the broken entry falls
    back to the source text (no KeyError on the page), the sound one beside it is used."""
    plugins, po = plugin_with_catalog(tmp_path, {"Written by %(name)s": "Geschrieben von %(nam)s",
                                                 "Catalog probe": "Sonde"})
    lineno = read(po, "de")["Written by %(name)s"].lineno
    app = app_with_plugins(tmp_path, plugins)
    with caplog.at_level("WARNING", logger="clinicjournal.i18n"):
        assert german(app, "Written by %(name)s", name="Dr. Ana") == "Written by Dr. Ana"
    assert german(app, "Catalog probe") == "Sonde"
    assert f"messages.po:{lineno}" in caplog.text and "changes %(name)s to %(nam)s" in caplog.text


def test_a_catalog_with_another_plural_rule_keeps_its_plain_entries_only(tmp_path):
    plugins, po = plugin_with_catalog(tmp_path, {"Catalog probe": "Sonde"})
    catalog = read(po, "de")
    catalog.add(("%(num)d probe", "%(num)d probes"), ("%(num)d Sonde", "%(num)d Sonden", "%(num)d Sonden"),
                flags=["python-format"])
    catalog.mime_headers = [("Plural-Forms", "nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);")]
    from clinicjournal.cli.catalog_files import _po_bytes

    po.write_bytes(_po_bytes(catalog))
    loaded = load_checked(po, "de")
    assert loaded.translations.gettext("Catalog probe") == "Sonde"
    assert loaded.translations.ngettext("%(num)d probe", "%(num)d probes", 2) == "%(num)d probes"
    assert any("not this language's rule" in p.text for p in loaded.ignored)


def test_serving_every_locale_writes_nothing_beside_the_catalogs(tr_app):
    """The server never writes into the folders it runs from (a checkout stays clean,
    a wheel's site-packages untouched): every page in every language reads the .po."""
    def files():
        return {p: p.stat().st_mtime_ns for d in CATALOGS.values() for p in d.rglob("*")}

    before = files()
    with tr_app.test_request_context("/"):
        for locale in SHIPPED_LOCALES:
            tr_app.extensions["clinicjournal"].catalogs.translations(locale)
    assert files() == before

"""``clinicjournal content import / export``: files and folders, idempotent re-import,
all-or-nothing folders, errors that name file/line/field, lossless export → import."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from conftest import snapshot
from sqlalchemy import func, select

from clinicjournal.cli.demo import CONTENT, DEMO_SITES
from clinicjournal.content.authoring import parse_document
from clinicjournal.store import db
from clinicjournal.store.models import Article, Reference


def counts(app) -> tuple[int, int]:
    with app.app_context():
        sess = db.session()
        return (sess.scalar(select(func.count()).select_from(Article)),
                sess.scalar(select(func.count()).select_from(Reference)))


def articles(app) -> dict[tuple[str, str], Article]:
    with app.app_context():
        rows = db.session().scalars(select(Article)).all()
        return {(a.locale, a.slug): a for a in rows}


def report_counts(output: str) -> dict[str, int]:
    """The created / updated / unchanged numbers from the import table."""
    return {name: int(n) for name, n in re.findall(r"\b(created|updated|waiting|unchanged)\W+(\d+)", output)}


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().split("\n"), 1) if needle in line)


def comparable(article) -> dict:
    data = dict(article.__dict__)
    data.pop("source"), data.pop("body_line")
    return data


REFS = [{"key": "ref-a", "title": "Alpha study", "kind": "Cohort study", "year": 2021,
         "url": "https://example.org/alpha"},
        {"key": "ref-b", "title": "Beta review", "kind": "Peer-reviewed review", "year": 2019, "doi": "10.1000/beta"}]


def test_import_one_file(cli, create_site, write_article, client, app):
    create_site("alpha")
    path = write_article(slug="one", title="One article", category="immune-health", references=REFS,
                         body="Text [@ref-a] and [@ref-b].\n")
    result = cli("content", "import", path, "--site", "alpha")
    assert result.exit_code == 0, result.output
    assert report_counts(result.output) == {"created": 1, "updated": 0, "waiting": 0, "unchanged": 0}
    assert counts(app) == (1, 2)
    page = client.get("/en/one/", headers={"Host": "alpha.localhost"})
    assert page.status_code == 200 and "One article" in page.get_data(as_text=True)


def test_import_a_folder_recursively_then_reimport_is_idempotent(cli, create_site, write_article, app, tmp_path):
    create_site("alpha", locales=["en", "de"])
    folder = tmp_path / "folder"
    for i in range(3):
        write_article(folder / "en", slug=f"article-{i}", references=REFS[: i % 3], body="Text [@ref-a].\n" if i else "Text.\n")
    write_article(folder / "de" / "deep", slug="artikel", locale="de")
    (folder / "notes.txt").write_text("not an article")

    first = cli("content", "import", folder, "--site", "alpha")
    assert first.exit_code == 0, first.output
    assert report_counts(first.output) == {"created": 4, "updated": 0, "waiting": 0, "unchanged": 0}
    before_counts, before = counts(app), {k: a.id for k, a in articles(app).items()}

    second = cli("content", "import", folder, "--site", "alpha")
    assert second.exit_code == 0, second.output
    assert report_counts(second.output) == {"created": 0, "updated": 0, "waiting": 0, "unchanged": 4}
    assert counts(app) == before_counts
    assert {k: a.id for k, a in articles(app).items()} == before


def test_reimport_updates_in_place_by_site_locale_and_slug(cli, create_site, write_article, app, client):
    create_site("alpha")
    path = write_article(slug="evolving", title="First title", references=REFS, body="Cites [@ref-a; @ref-b].\n")
    cli("content", "import", path, "--site", "alpha")
    (old,) = articles(app).values()

    write_article(slug="evolving", title="Second title", references=REFS[:1], body="Cites [@ref-a] only.\n",
                  reviewer="Dr. R", reviewed="2025-03-01")  # signed off: it may replace the live text
    result = cli("content", "import", path, "--site", "alpha")
    assert result.exit_code == 0, result.output
    assert report_counts(result.output) == {"created": 0, "updated": 1, "waiting": 0, "unchanged": 0}
    (new,) = articles(app).values()
    assert new.id == old.id
    assert new.title == "Second title"
    assert counts(app) == (1, 1)
    assert "Second title" in client.get("/en/evolving/", headers={"Host": "alpha.localhost"}).get_data(as_text=True)


def test_windows_line_endings_and_a_byte_order_mark_are_fine(cli, create_site, tmp_path, app, client):
    create_site("alpha")
    path = tmp_path / "windows.md"
    text = ("---\nslug: windows\nlocale: en\ntitle: Saved on Windows\nsummary: S\npublished: 2025-01-01\n"
            "references:\n  - key: a\n    title: A\n---\n\nLine one [@a].\n\nLine two [@b].\n")
    path.write_bytes(("\ufeff" + text).replace("\n", "\r\n").encode("utf-8"))
    result = cli("content", "import", path, "--site", "alpha")
    assert result.exit_code == 1  # the unknown key is still found, on the right line
    assert f"{path}:{line_of(path, '[@b]')}: " in result.output
    path.write_bytes(("\ufeff" + text.replace("[@b]", "[@a]")).replace("\n", "\r\n").encode("utf-8"))
    assert cli("content", "import", path, "--site", "alpha").exit_code == 0
    (article,) = articles(app).values()
    assert article.title == "Saved on Windows" and "\r" not in article.body


def test_same_slug_in_two_sites_are_two_articles(cli, create_site, write_article, app):
    create_site("alpha")
    create_site("beta")
    path = write_article(slug="shared")
    for site in ("alpha", "beta", "alpha"):
        assert cli("content", "import", path, "--site", site).exit_code == 0
    assert counts(app)[0] == 2


def test_folder_with_one_bad_file_imports_nothing(cli, create_site, write_article, app, tmp_path):
    create_site("alpha")
    folder = tmp_path / "batch"
    for i in range(3):
        write_article(folder, slug=f"good-{i}")
    bad = write_article(folder, slug="bad", published="someday")
    result = cli("content", "import", folder, "--site", "alpha")
    assert result.exit_code != 0
    assert f"{bad}:{line_of(bad, 'published:')}" in result.output
    assert "published" in result.output
    assert "nothing was imported" in result.output
    assert counts(app) == (0, 0)


def test_every_problem_in_a_folder_is_listed(cli, create_site, write_article, app, tmp_path):
    create_site("alpha")
    folder = tmp_path / "many"
    bad_one = write_article(folder, slug="one", published="soon")
    bad_two = write_article(folder, slug="two", title=None)
    write_article(folder, slug="fine")
    result = cli("content", "import", folder, "--site", "alpha")
    assert result.exit_code != 0
    assert str(bad_one) in result.output and str(bad_two) in result.output
    assert "2 problem(s)" in result.output
    assert counts(app) == (0, 0)


def problem_lines(output: str) -> list[tuple[str, int | None, str]]:
    """(file, line, field) of each ``error FILE:LINE: FIELD: message`` line printed."""
    found = re.findall(r"^error (\S+?\.md):(?:(\d+):)?\s+([^\s:]+): ", output, re.MULTILINE)
    return [(file, int(line) if line else None, field) for file, line, field in found]


def test_one_run_lists_every_problem_of_every_file(cli, create_site, write_article, app, tmp_path):
    """Two files with several problems each and one good file: one run names them all
    (file, line, field or citation key), imports nothing; fixed, the folder imports."""
    create_site("alpha", locales=["en"])
    folder = tmp_path / "batch"
    good = write_article(folder, slug="good", references=REFS, body="Fine [@ref-a].\n")
    first = write_article(folder, slug="first", title=None, published="soon", category="c" * 101,
                          references=REFS, body="Intro [@ref-a].\n\nLater [@ref-z] and [@ref-b; @ref-y].\n")
    second = write_article(folder, slug="second", locale="fr", title="T" * 301, reviewed="2025-02-30",
                           references=[{"key": "ref-a", "title": "A", "year": "soon"}],
                           body="Text [@ref-a].\n\nMore [@missing].\n", filename="second.md")
    before = snapshot(app.config["DATABASE_URL"])

    result = cli("content", "import", folder, "--site", "alpha")

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    expected = [
        (first, 1, "title"),  # missing: reported where the front matter opens
        (first, line_of(first, "published:"), "published"),  # not a date
        (first, line_of(first, "category:"), "category"),  # longer than its column
        (first, line_of(first, "@ref-z"), "@ref-z"),
        (first, line_of(first, "@ref-y"), "@ref-y"),
        (second, line_of(second, "locale:"), "locale"),  # a site check, run although the file has problems
        (second, line_of(second, "title:"), "title"),
        (second, line_of(second, "reviewed:"), "reviewed"),  # an impossible date
        (second, line_of(second, "year:"), "references.0.year"),
        (second, line_of(second, "@missing"), "@missing"),
    ]
    assert problem_lines(result.output) == [(str(path), line, field) for path, line, field in expected], \
        result.output
    assert str(good) not in result.output
    assert "301 characters long; at most 300 fit, shorten it" in result.output
    assert "clinicjournal site add-locale alpha fr" in result.output
    assert "unknown citation key 'ref-z'; add it under 'references' or fix the spelling" in result.output
    assert f"{len(expected)} problem(s) found in 2 file(s); nothing was imported" in result.output
    assert snapshot(app.config["DATABASE_URL"]) == before  # not even the good file

    write_article(folder, slug="first", category="immune-health", references=REFS,
                  body="Intro [@ref-a].\n\nLater [@ref-b].\n")
    write_article(folder, slug="second", locale="en", title="Second", reviewed=dt.date(2025, 2, 28),
                  references=[{"key": "ref-a", "title": "A", "year": 2024}], body="Text [@ref-a].\n",
                  filename="second.md")
    fixed = cli("content", "import", folder, "--site", "alpha")
    assert fixed.exit_code == 0, fixed.output
    assert report_counts(fixed.output) == {"created": 3, "updated": 0, "waiting": 0, "unchanged": 0}
    assert set(articles(app)) == {("en", "good"), ("en", "first"), ("en", "second")}


def test_a_refused_field_is_not_reported_again_by_the_site_checks(cli, create_site, write_article, app, tmp_path):
    create_site("alpha", locales=["en"])
    folder = tmp_path / "twins"
    write_article(folder, slug="twin", filename="a.md")
    bad = write_article(folder, slug="twin", locale="klingon-tlh", category="c" * 101, filename="b.md")
    dup = write_article(folder, slug="twin", published="soon", filename="c.md")
    result = cli("content", "import", folder, "--site", "alpha")
    assert result.exit_code == 1
    assert problem_lines(result.output) == [
        (str(bad), line_of(bad, "locale:"), "locale"), (str(bad), line_of(bad, "category:"), "category"),
        (str(dup), line_of(dup, "slug:"), "slug"), (str(dup), line_of(dup, "published:"), "published"),
    ], result.output
    assert "is not a locale code" in result.output and "does not serve" not in result.output
    assert "is also used by" in result.output  # c.md's slug and locale are fine: still a duplicate
    assert counts(app) == (0, 0)


def import_error_cases(write_article, tmp_path):
    """(case, file, field or None, text on the reported line or None)"""
    tmp_path.mkdir(exist_ok=True)
    broken = tmp_path / "broken.md"
    broken.write_text("---\nslug: broken\nlocale: en\ntitle: [unclosed, list\nsummary: s\n---\n\nBody\n")
    yield "malformed yaml", broken, None, None
    yield "missing title", write_article(slug="untitled", title=None), "title", None
    yield "bad date", write_article(slug="dated", reviewed="last spring"), "reviewed", "reviewed:"
    yield "impossible date", write_article(slug="feb", published="2025-02-30"), "published", "published:"
    yield ("unknown reference field",
           write_article(slug="refs", references=[{"key": "a", "title": "A", "journal": "Not a field"}]),
           "references.0.journal", "journal:")
    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes("---\nslug: l\nlocale: en\ntitle: Café\nsummary: s\npublished: 2025-01-01\n---\n\nx\n"
                       .encode("latin-1"))
    yield "not utf-8", latin1, None, None
    yield ("reference url scheme",
           write_article(slug="scheme", references=[{"key": "a", "title": "A", "url": "javascript:alert(1)"}]),
           "references.0.url", "url:")


def test_import_errors_name_file_line_and_field(cli, create_site, write_article, app, tmp_path):
    create_site("alpha")
    for case, path, field, needle in import_error_cases(write_article, tmp_path / "cases"):
        result = cli("content", "import", path, "--site", "alpha")
        assert result.exit_code == 1, case
        assert "Traceback" not in result.output, case
        assert str(path) in result.output, case
        if needle:
            assert f"{path}:{line_of(path, needle)}: " in result.output, (case, result.output)
        if field:
            assert f"{field}:" in result.output, (case, result.output)
        if case == "malformed yaml":
            assert re.search(re.escape(str(path)) + r":\d+: invalid YAML", result.output), result.output
        if case == "not utf-8":
            assert "UTF-8" in result.output
        assert counts(app) == (0, 0), case


def test_unknown_citation_key_is_refused_with_key_and_line(cli, create_site, tmp_path, app):
    create_site("alpha")
    path = tmp_path / "cites.md"
    path.write_text("---\nslug: cites\nlocale: en\ntitle: T\nsummary: S\npublished: 2025-01-01\nreferences:\n"
                    "  - key: known\n    title: Known\n---\nFine [@known].\n\nBroken [@unknwon-key] here.\n")
    result = cli("content", "import", path, "--site", "alpha")
    assert result.exit_code != 0
    assert "unknwon-key" in result.output
    assert f"{path}:{line_of(path, '@unknwon-key')}: " in result.output
    assert counts(app) == (0, 0)


def test_site_dependent_errors_say_what_to_do(cli, create_site, write_article, app):
    create_site("alpha", locales=["en"])
    for front, advice in [({"locale": "fr"}, "clinicjournal site add-locale alpha fr"),
                          ({"category": "astrology"}, "immune-health")]:  # the known categories are listed
        path = write_article(slug="x", **front)
        result = cli("content", "import", path, "--site", "alpha")
        assert result.exit_code != 0, front
        assert advice in result.output and str(path) in result.output, (front, result.output)
        assert counts(app) == (0, 0)


def test_duplicate_slug_in_one_import_is_refused(cli, create_site, write_article, app, tmp_path):
    create_site("alpha")
    first = write_article(tmp_path / "d", slug="twin", filename="a.md")
    second = write_article(tmp_path / "d", slug="twin", filename="b.md", title="Other")
    result = cli("content", "import", tmp_path / "d", "--site", "alpha")
    assert result.exit_code != 0
    assert str(first) in result.output and str(second) in result.output
    assert counts(app) == (0, 0)


def test_import_into_unknown_site_or_empty_folder(cli, create_site, write_article, tmp_path):
    create_site("alpha")
    path = write_article(slug="x")
    result = cli("content", "import", path, "--site", "nosuch")
    assert result.exit_code != 0 and "clinicjournal site create" in result.output
    (tmp_path / "empty").mkdir()
    result = cli("content", "import", tmp_path / "empty", "--site", "alpha")
    assert result.exit_code != 0 and "no .md files" in result.output
    result = cli("content", "import", tmp_path / "missing", "--site", "alpha")
    assert result.exit_code == 2


# -- export → import ------------------------------------------------------------------------


@pytest.mark.parametrize("spec", DEMO_SITES, ids=[s["slug"] for s in DEMO_SITES])
def test_export_then_import_is_lossless(spec, cli, create_site, app, tmp_path):
    """The demo's own files, imported then exported, parse back to the same data."""
    source = CONTENT / spec["slug"]
    create_site("first", locales=spec["locales"])
    create_site("second", locales=spec["locales"])
    assert cli("content", "import", source, "--site", "first").exit_code == 0

    exported = tmp_path / "export-1"
    result = cli("content", "export", "--site", "first", exported)
    assert result.exit_code == 0, result.output

    originals = {(d.locale, d.slug): d for d in (parse_document(p.read_text(encoding="utf-8"), str(p))
                                                  for p in sorted(source.rglob("*.md")))}
    written = {(d.locale, d.slug): d for d in (parse_document(p.read_text(encoding="utf-8"), str(p))
                                                for p in sorted(exported.rglob("*.md")))}
    assert written.keys() == originals.keys()
    for key, original in originals.items():
        assert comparable(written[key]) == comparable(original), key
        assert (exported / key[0] / f"{key[1]}.md").is_file()

    # Re-importing the export changes nothing; importing it elsewhere and exporting again
    # gives the same files byte for byte.
    again = cli("content", "import", exported, "--site", "first")
    assert report_counts(again.output)["unchanged"] == len(originals), again.output
    assert cli("content", "import", exported, "--site", "second").exit_code == 0
    assert cli("content", "export", "--site", "second", tmp_path / "export-2").exit_code == 0
    files_1 = {p.relative_to(exported): p.read_bytes() for p in exported.rglob("*.md")}
    files_2 = {p.relative_to(tmp_path / "export-2"): p.read_bytes() for p in (tmp_path / "export-2").rglob("*.md")}
    assert files_1 == files_2


def test_export_keeps_drafts_pages_and_unknown_fields(cli, create_site, write_article, tmp_path):
    create_site("alpha")
    folder = tmp_path / "src"
    write_article(folder, slug="draft-one", status="draft", published=None, reviewer="Dr. R", reviewed="2025-02-01",
                  tags=["sleep", "kids"], audience={"age": [3, 12]})
    write_article(folder, slug="about", type="page", summary=None, translation_key="about")
    write_article(folder, slug="later", status="scheduled", published=dt.date(2099, 1, 1),
                  faq=[{"q": "Is it: tricky?", "a": "'Quotes' and \"more\""}])
    assert cli("content", "import", folder, "--site", "alpha").exit_code == 0
    assert cli("content", "export", "--site", "alpha", tmp_path / "out").exit_code == 0
    for path in folder.glob("*.md"):
        original = parse_document(path.read_text(), str(path))
        exported = tmp_path / "out" / original.locale / f"{original.slug}.md"
        assert comparable(parse_document(exported.read_text(), str(exported))) == comparable(original)


def test_export_of_unknown_site_fails(cli, tmp_path):
    result = cli("content", "export", "--site", "nosuch", tmp_path / "out")
    assert result.exit_code != 0
    assert "clinicjournal site create" in result.output


def test_unknown_field_with_a_date_round_trips(cli, create_site, write_article, tmp_path):
    create_site("alpha")
    path = write_article(slug="dated-extra", last_checked=dt.date(2025, 2, 2))
    result = cli("content", "import", path, "--site", "alpha")
    assert result.exit_code == 0, result.output
    assert cli("content", "export", "--site", "alpha", tmp_path / "out").exit_code == 0
    exported = tmp_path / "out" / "en" / "dated-extra.md"
    assert comparable(parse_document(exported.read_text(), "e")) == comparable(parse_document(path.read_text(), "o"))


@pytest.mark.parametrize("value", ["[tbd]", "[/tbd]"])
def test_error_messages_show_the_authors_text_verbatim(value, cli, create_site, write_article):
    create_site("alpha")
    path = write_article(slug="markup", published=value)
    result = cli("content", "import", path, "--site", "alpha")
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    assert value in result.output


def test_import_does_not_touch_the_source_files(cli, create_site, tmp_path):
    create_site("alpha", locales=DEMO_SITES[0]["locales"])
    copy = tmp_path / "copy"
    shutil.copytree(CONTENT / DEMO_SITES[0]["slug"], copy)
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}  # the articles and media/
    assert cli("content", "import", copy, "--site", "alpha").exit_code == 0
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before

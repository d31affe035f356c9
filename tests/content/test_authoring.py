"""The authoring format and pandoc-style citations, without a database."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import yaml

from clinicjournal.content.authoring import (
    AuthoringError,
    check_document,
    parse_document,
    uncited_keys,
)
from clinicjournal.content.citations import find_citations, number_references
from clinicjournal.content.writing import dump_document


def document(front: dict, body: str, blank_line: bool = True) -> str:
    return "---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n" + ("\n" if blank_line else "") + body


FRONT = {"slug": "x", "locale": "en", "title": "T", "summary": "S", "published": dt.date(2025, 3, 1),
         "references": [{"key": k, "title": f"Reference {k}"} for k in ("a", "b", "c", "d")]}


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line of ``text`` containing ``needle``."""
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


# -- citations ----------------------------------------------------------------------


@pytest.mark.parametrize("groups", [
    [["c"], ["a"], ["c"], ["b"]],
    [["b", "a"], ["a"], ["d", "c", "b"]],
    [["d"], ["d"], ["d"]],
])
def test_references_are_numbered_by_first_citation(groups):
    body = "\n\n".join(f"Paragraph {i} cites [{'; '.join('@' + k for k in keys)}]." for i, keys in enumerate(groups))
    expected_order = list(dict.fromkeys(itertools.chain.from_iterable(groups)))

    numbers = number_references(body)

    assert numbers == {key: i for i, key in enumerate(expected_order, 1)}
    assert [c.keys for c in find_citations(body)] == [tuple(g) for g in groups]


def test_grouped_citation_keeps_its_keys_in_order_and_line():
    body = "Intro line.\n\nA claim [@first-2024; @second:chapter-3 ;@third.2020].\n"
    (citation,) = find_citations(body)
    assert citation.keys == ("first-2024", "second:chapter-3", "third.2020")
    assert citation.line == line_of(body, "A claim")


def test_citations_in_code_spans_and_fences_are_ignored():
    body = ("Real [@a].\n\n"
            "Inline `[@b]` code.\n\n"
            "```\n[@c] in a backtick fence\n```\n\n"
            "~~~python\nx = '[@d]'\n~~~\n\n"
            "Last [@a; @e].\n")
    assert [c.keys for c in find_citations(body)] == [("a",), ("a", "e")]
    assert number_references(body) == {"a": 1, "e": 2}


def test_links_and_emails_are_not_citations():
    body = "See [the guide](https://example.org/@a) and write to [someone@example.org] or [@b](x)."
    assert find_citations(body) == []


def test_parse_accepts_citations_in_code_without_a_reference():
    text = document(FRONT, "Uses [@a].\n\nShows the syntax: `[@nokey]`.\n\n```\n[@alsono]\n```\n")
    article = parse_document(text, "ok.md")
    assert uncited_keys(article) == ["b", "c", "d"]


# -- errors name file, line and field --------------------------------------------------


def test_unknown_citation_key_is_named_with_its_line_when_body_follows_the_fence():
    text = document(FRONT, "First paragraph [@a].\n\nSecond paragraph [@missing-key].\n", blank_line=False)
    with pytest.raises(AuthoringError) as err:
        parse_document(text, "notes/cite.md")
    assert err.value.field == "@missing-key"
    assert err.value.line == line_of(text, "@missing-key")
    assert "missing-key" in str(err.value) and "notes/cite.md" in str(err.value)


def test_unknown_citation_key_line_with_blank_line_after_front_matter():
    text = document(FRONT, "First paragraph [@a].\n\nSecond paragraph [@missing-key].\n", blank_line=True)
    with pytest.raises(AuthoringError) as err:
        parse_document(text, "cite.md")
    assert err.value.line == line_of(text, "@missing-key")


@pytest.mark.parametrize("case, front_matter, field, needle", [
    ("malformed yaml", 'slug: x\nlocale: en\ntitle: T\nsummary: "quoted" trailing\npublished: 2025-01-01\n',
     None, '"quoted" trailing'),
    ("bad date", "slug: x\nlocale: en\ntitle: T\nsummary: S\npublished: next tuesday\n", "published", "published:"),
    ("unknown reference field",
     "slug: x\nlocale: en\ntitle: T\nsummary: S\npublished: 2025-01-01\nreferences:\n  - key: a\n    title: A\n"
     "    jornal: Typo Journal\n", "references.0.jornal", "jornal:"),
    ("reference year not a number",
     "slug: x\nlocale: en\ntitle: T\nsummary: S\npublished: 2025-01-01\nreferences:\n  - key: a\n    title: A\n"
     "    year: soon\n", "references.0.year", "year:"),
    ("bad status", "slug: x\nlocale: en\ntitle: T\nsummary: S\nstatus: live\npublished: 2025-01-01\n", "status",
     "status:"),
    ("bad slug", "slug: Not A Slug\nlocale: en\ntitle: T\nsummary: S\npublished: 2025-01-01\n", "slug", "slug:"),
    ("bad locale", "slug: x\nlocale: klingon-tlh\ntitle: T\nsummary: S\npublished: 2025-01-01\n", "locale",
     "locale:"),
    ("faq item without answer", "slug: x\nlocale: en\ntitle: T\nsummary: S\npublished: 2025-01-01\nfaq:\n"
     "  - q: Why?\n", "faq.0.a", "- q: Why?"),
    # longer than the database column: PostgreSQL would refuse it at commit, naming no file
    ("title too long", f"slug: x\nlocale: en\ntitle: {'T' * 301}\nsummary: S\npublished: 2025-01-01\n", "title",
     "title:"),
    ("category too long", f"slug: x\nlocale: en\ntitle: T\ncategory: {'c' * 101}\nsummary: S\npublished: 2025-01-01\n",
     "category", "category:"),
    ("reference doi too long",
     "slug: x\nlocale: en\ntitle: T\nsummary: S\npublished: 2025-01-01\nreferences:\n  - key: a\n    title: A\n"
     f"    doi: 10.1/{'9' * 300}\n", "references.0.doi", "doi:"),
    ("reference year out of range",
     "slug: x\nlocale: en\ntitle: T\nsummary: S\npublished: 2025-01-01\nreferences:\n  - key: a\n    title: A\n"
     "    year: 99999999999\n", "references.0.year", "year:"),
])
def test_errors_name_file_line_and_field(case, front_matter, field, needle):
    text = "---\n" + front_matter + "---\n\nBody.\n"
    with pytest.raises(AuthoringError) as err:
        parse_document(text, "folder/bad.md")
    error = err.value
    assert error.source == "folder/bad.md"
    assert error.line == line_of(text, needle), str(error)
    if field:
        assert error.field == field
    assert str(error).startswith(f"folder/bad.md:{error.line}: ")


@pytest.mark.parametrize("missing", ["title", "slug", "locale", "summary"])
def test_missing_required_field_is_named(missing):
    front = {k: v for k, v in FRONT.items() if k != missing}
    with pytest.raises(AuthoringError) as err:
        parse_document(document(front, "Body [@a].\n"), "m.md")
    assert err.value.field == missing
    assert "m.md" in str(err.value) and missing in str(err.value) and "required" in str(err.value)


def test_the_longest_text_that_fits_is_accepted():
    text = document({**FRONT, "title": "T" * 300, "category": "c" * 100}, "Body.\n")
    article = parse_document(text, "ok.md")
    assert len(article.title) == 300 and len(article.category) == 100
    too_long = document({**FRONT, "title": "T" * 301}, "Body.\n")
    with pytest.raises(AuthoringError, match="301 characters long; at most 300 fit"):
        parse_document(too_long, "long.md")


def test_published_date_is_required_for_published_articles_but_not_drafts_or_pages():
    front = {k: v for k, v in FRONT.items() if k != "published"}
    with pytest.raises(AuthoringError) as err:
        parse_document(document(front, "x [@a]\n"), "p.md")
    assert err.value.field == "published"
    assert parse_document(document({**front, "status": "draft"}, "x [@a]\n")).published is None
    assert parse_document(document({**front, "type": "page"}, "x [@a]\n")).kind == "page"


def test_front_matter_must_open_and_close():
    with pytest.raises(AuthoringError) as err:
        parse_document("slug: x\n", "a.md")
    assert err.value.line == 1
    with pytest.raises(AuthoringError) as err:
        parse_document("---\nslug: x\ntitle: y\n", "b.md")
    assert "not closed" in str(err.value)


def test_impossible_date_is_an_authoring_error():
    text = "---\nslug: x\nlocale: en\ntitle: T\nsummary: S\npublished: 2025-02-30\n---\n\nBody.\n"
    with pytest.raises(AuthoringError) as err:
        parse_document(text, "date.md")
    assert err.value.field == "published"
    assert err.value.line == line_of(text, "published:")


def test_every_problem_of_one_document_is_reported():
    text = ("---\n"
            "slug: Not A Slug\n"
            "locale: klingon-tlh\n"
            f"category: {'c' * 101}\n"
            "summary: S\n"
            "status: live\n"
            "published: next tuesday\n"
            "reviewed: 2025-02-30\n"
            "faq:\n"
            "  - q: Why?\n"
            "references:\n"
            "  - key: a\n"
            "    title: A\n"
            "    year: soon\n"
            "    jornal: Typo Journal\n"
            "  - title: No key\n"
            "    url: javascript:alert(1)\n"
            "---\n"
            "\n"
            "Cites [@a] and [@missing-one].\n"
            "\n"
            "Then [@a; @missing-two].\n")
    expected = [  # (field, the text on its line; None: a missing field, reported on line 1)
        ("title", None),
        ("slug", "slug:"), ("locale", "locale:"), ("category", "category:"), ("status", "status:"),
        ("published", "published:"), ("reviewed", "reviewed:"), ("faq.0.a", "- q: Why?"),
        ("references.0.year", "year:"), ("references.0.jornal", "jornal:"), ("references.1.key", "- title: No key"),
        ("references.1.url", "url:"), ("@missing-one", "[@missing-one]"), ("@missing-two", "@missing-two]"),
    ]

    with pytest.raises(AuthoringError) as err:
        parse_document(text, "folder/many.md")

    error = err.value
    found = [(p.field, p.line) for p in error.problems]
    assert found == [(fld, line_of(text, needle) if needle else 1) for fld, needle in expected], str(error)
    assert all(p.source == "folder/many.md" for p in error.problems)
    # the error itself is the first problem, and its text has a line for every problem
    assert (error.field, error.line, error.message) == ("title", 1, "is required")
    assert str(error).split("\n") == [str(p) for p in error.problems]
    assert str(error).startswith("folder/many.md:1: title: is required\n")
    # the messages are the ones a single problem gets
    by_field = {p.field: p.message for p in error.problems}
    assert by_field["category"] == "is 101 characters long; at most 100 fit, shorten it"
    assert by_field["published"] == "must be a date written YYYY-MM-DD, not 'next tuesday'"
    assert by_field["@missing-two"].startswith("unknown citation key 'missing-two'; add it under 'references'")


def test_check_document_keeps_the_fields_it_accepted():
    text = document({**FRONT, "title": "T" * 301, "published": "soon"}, "Body [@a] and [@zzz].\n")
    parsed = check_document(text, "part.md")
    assert [p.field for p in parsed.problems] == ["title", "published", "@zzz"]
    assert parsed.refused == {"title", "published"}  # an unknown citation refuses no field
    assert (parsed.doc.slug, parsed.doc.locale, parsed.doc.title, parsed.doc.published) == ("x", "en", "", None)
    assert parsed.line_of("locale") == line_of(text, "locale:")
    # a refused field is not reported a second time by the checks that depend on it
    assert not any("required when status" in p.message for p in parsed.problems)
    clean = check_document(document(FRONT, "Body [@a].\n"), "ok.md")
    assert clean.problems == [] and clean.refused == set()


def test_unreadable_front_matter_is_one_problem_on_its_line():
    text = ("---\nslug: x\nlocale: en\ntitle: [unclosed, list\nsummary: s\npublished: soon\n---\n\n"
            "Cites [@nowhere].\n")
    parsed = check_document(text, "broken.md")
    assert parsed.doc is None
    (problem,) = parsed.problems
    assert problem.message.startswith("invalid YAML") and problem.line is not None
    with pytest.raises(AuthoringError) as err:
        parse_document(text, "broken.md")
    assert err.value.problems == [err.value] and "\n" not in str(err.value)


def test_references_that_cannot_be_read_do_not_make_every_citation_unknown():
    front = {**FRONT, "references": "a, b"}
    with pytest.raises(AuthoringError) as err:
        parse_document(document(front, "Body [@a] and [@b].\n"), "refs.md")
    assert [p.field for p in err.value.problems] == ["references"]


def test_every_line_with_a_control_character_is_named():
    text = document(FRONT, "Fine [@a].\n\nBad\x00 one.\n\nAnd\x07 two.\n")
    with pytest.raises(AuthoringError) as err:
        parse_document(text, "ctl.md")
    assert [(p.field, p.line) for p in err.value.problems] == [("body", line_of(text, "Bad")),
                                                               ("body", line_of(text, "And"))]


# -- round trip ------------------------------------------------------------------------


def comparable(article):
    data = dict(article.__dict__)
    data.pop("source"), data.pop("body_line")
    return data


def test_dump_then_parse_is_lossless():
    front = {
        "slug": "full", "locale": "de", "translation_key": "full-key", "type": "article", "status": "scheduled",
        "title": "Schlaf: «ein Titel» mit 'Zeichen' & Co.", "category": "sleep-health",
        "summary": "Mehrzeilige\nZusammenfassung: mit Doppelpunkt", "published": dt.date(2026, 1, 2),
        "updated": dt.date(2026, 2, 3), "reviewed": dt.date(2025, 12, 24), "author": "Dr. Ä", "reviewer": "Dr. Ö",
        "takeaway": "Yes: really.", "faq": [{"q": "Why? #1", "a": "- because"}, {"q": "2", "a": "true"}],
        "references": [{"key": "k1", "title": "One", "authors": ["A B", "C D"], "container": "J", "kind": "Guideline",
                        "year": 2020, "doi": "10.1/x", "pmid": "123", "pmcid": "PMC9", "url": "https://e.org/x"},
                       {"key": "k2", "title": "Two"}],
        "tags": ["a", "b"], "custom": {"nested": [1, 2]},
    }
    body = "Intro [@k2; @k1].\n\n## Heading\n\n---\n\nText after a rule.\n"
    original = parse_document(document(front, body), "orig.md")
    again = parse_document(dump_document(original), "dumped.md")
    assert comparable(again) == comparable(original)
    assert original.extra == {"tags": ["a", "b"], "custom": {"nested": [1, 2]}}

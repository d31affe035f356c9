"""Citations in FAQ answers: one numbering with the body's, and unknown keys
reported by the authoring checks and by the editor (issue #15, item 8)."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from clinicjournal.admin.editing import citation_problems
from clinicjournal.content.authoring import (
    AuthoringError,
    ReferenceData,
    check_citations,
    check_document,
    parse_document,
    uncited_keys,
)
from clinicjournal.content.citations import (
    find_article_citations,
    find_text_citations,
    number_references,
)

REFERENCES = [{"key": k, "title": f"Reference {k}"} for k in ("a", "b", "c", "faq-only")]
FRONT = {"slug": "x", "locale": "en", "title": "T", "summary": "S", "published": dt.date(2025, 3, 1),
         "references": REFERENCES}


def document(front: dict, body: str) -> str:
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n" + body


def faq(*answers: str) -> list[dict[str, str]]:
    return [{"q": f"Question {i}?", "a": answer} for i, answer in enumerate(answers, 1)]


# -- one numbering ------------------------------------------------------------------------


def test_faq_answers_continue_the_bodys_numbering():
    body = "Claim [@b].\n\nAnother [@a; @b].\n"
    items = faq("Same source as the body [@a].", "New ones [@faq-only; @b] then [@c].")

    assert number_references(body, items) == {"b": 1, "a": 2, "faq-only": 3, "c": 4}
    assert number_references(body) == {"b": 1, "a": 2}  # the body alone, as before


def test_the_body_numbers_first_even_when_an_answer_comes_earlier_in_the_file():
    # The front matter (with the FAQ) precedes the body in the file, but readers
    # meet the body first: its citations take the first numbers.
    assert number_references("Body [@c].\n", faq("[@a] and [@c]")) == {"c": 1, "a": 2}


def test_unknown_keys_take_no_number_and_leave_no_gap():
    known = {"a", "b"}
    numbers = number_references("One [@a], a typo [@aa], two [@b].\n", faq("[@nope; @a]", "[@b]"), known=known)
    assert numbers == {"a": 1, "b": 2}


def test_answers_are_plain_text_so_backticks_hide_no_citation():
    answer = "First line.\nSecond [@a] and `[@b]`; not a link [@c](https://example.org)."
    assert [(c.keys, c.line) for c in find_text_citations(answer)] == [(("a",), 2), (("b",), 2)]


def test_article_citations_say_where_each_group_is():
    found = find_article_citations("Body [@a].\n", faq("No citation.", "Two [@b; @c].", "[@a]"))
    assert [(where, c.keys) for where, c in found] == [(None, ("a",)), (1, ("b", "c")), (2, ("a",))]


# -- authoring checks ---------------------------------------------------------------------


def test_unknown_key_in_an_answer_is_reported_with_its_faq_field():
    text = document({**FRONT, "faq": faq("Fine [@a].", "Typo [@faq-onyl] here.")}, "Body [@a] and [@missing].\n")

    parsed = check_document(text, "notes/faq.md")

    by_field = {p.field: p for p in parsed.problems}
    assert set(by_field) == {"@missing", "faq.1.a"}
    problem = by_field["faq.1.a"]
    # the same words as for the body, naming the key and what the references define
    assert problem.message == ("unknown citation key 'faq-onyl'; add it under 'references' or fix the spelling "
                               "(known keys: a, b, c, faq-only)")
    assert problem.message.replace("faq-onyl", "missing") == by_field["@missing"].message
    assert problem.source == "notes/faq.md"
    assert "faq.1.a: unknown citation key 'faq-onyl'" in str(problem)

    with pytest.raises(AuthoringError) as err:
        parse_document(text, "notes/faq.md")
    assert {p.field for p in err.value.problems} == {"@missing", "faq.1.a"}


def test_check_citations_covers_the_answers():
    doc = parse_document(document({**FRONT, "faq": faq("Uses [@a].")}, "Body [@b].\n"))
    check_citations(doc)  # every key known: no error

    doc.faq = faq("Uses [@a].", "And [@gone].")
    with pytest.raises(AuthoringError) as err:
        check_citations(doc)
    assert (err.value.field, err.value.problems) == ("faq.1.a", [err.value])
    assert "'gone'" in err.value.message


def test_a_key_cited_only_in_an_answer_is_not_reported_as_never_cited():
    doc = parse_document(document({**FRONT, "faq": faq("See [@faq-only].")}, "Body [@a] and [@b].\n"))
    assert uncited_keys(doc) == ["c"]


# -- the editor ---------------------------------------------------------------------------


def refs(*keys: str) -> list[ReferenceData]:
    return [ReferenceData(key=k, title=k) for k in keys]


def test_editor_reports_unknown_keys_in_answers_with_their_question():
    problems = citation_problems("Body [@a] and [@typo].\n", refs("a", "b"),
                                 faq=faq("Known [@b].", "Unknown [@nope; @a] and [@also-nope]."))

    assert [(p.field, p.line) for p in problems] == [("body", 1), ("faq", None), ("faq", None)]
    assert problems[0].message.startswith("Line 1: unknown citation key “typo”.")
    assert [p.message for p in problems[1:]] == [
        "Question 2: unknown citation key “nope”. Add it to the references or fix the spelling.",
        "Question 2: unknown citation key “also-nope”. Add it to the references or fix the spelling.",
    ]


def test_editor_check_without_the_faq_is_unchanged():
    # callers that pass only the body and the references get the body's problems, as before
    problems = citation_problems("Body [@a]\n\nand [@typo].\n", refs("a"))
    assert [(p.field, p.line, p.excerpt) for p in problems] == [("body", 3, "and [@typo].")]
    assert citation_problems("Body [@a].\n", refs("a"), faq=[]) == []

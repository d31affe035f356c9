"""The one YAML loader of the app (clinicjournal.content.safe_yaml): plain data only,
no anchors or aliases, bounded depth, size and numbers, and a line for every refusal."""

from __future__ import annotations

import re
import time
import tracemalloc

import pytest
from conftest import REPO

from clinicjournal.content import safe_yaml
from clinicjournal.content.safe_yaml import MAX_DEPTH, MAX_INT_DIGITS, BadYAML, line_index, load

#: the 449-byte upload of the report, one level above it: 9**9 strings once expanded
LAUGHS = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
          + "".join(f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi")))


def refused(text: str, **limits) -> BadYAML:
    with pytest.raises(BadYAML) as err:
        load(text, **limits)
    return err.value


def test_plain_data_is_read_as_safe_load_reads_it_but_dates_stay_text():
    text = "a: 1\nb: [x, 2.5, true, null]\nc: {d: e}\nwhen: 2025-01-15\nstamp: 2025-01-15 10:00:00\n"
    assert load(text) == {"a": 1, "b": ["x", 2.5, True, None], "c": {"d": "e"}, "when": "2025-01-15",
                          "stamp": "2025-01-15 10:00:00"}
    assert load("") is None and load("# only a comment\n") is None


def test_billion_laughs_is_refused_at_its_first_anchor_without_expanding():
    tracemalloc.start()
    started = time.perf_counter()
    try:
        problem = refused(LAUGHS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 1 and peak < 5_000_000
    assert problem.line == 1 and "the anchor &a is not accepted" in problem.problem


@pytest.mark.parametrize(("text", "line", "words"), [
    ("a: 1\nb: *a\n", 2, "the alias *a repeats a value written elsewhere"),
    ("a: &x 1\n", 1, "the anchor &x is not accepted"),
    ("loop: &l [*l]\n", 1, "the anchor &l"),
    ("base: {a: 1}\nother:\n  <<: *base\n", 3, "the alias *base"),
    ("- &r {key: k}\n- *r\n", 1, "the anchor &r"),
])
def test_anchors_and_aliases_are_refused_with_their_line(text, line, words):
    problem = refused(text)
    assert problem.line == line and words in problem.problem
    assert "write the value out in full" in problem.problem or "write out in full" in problem.problem


NESTED = {
    "flow lists": lambda depth: "[" * depth + "1" + "]" * depth,
    "flow mappings": lambda depth: "{a: " * depth + "1" + "}" * depth,
    "block lists": lambda depth: "".join("  " * i + "-\n" for i in range(depth)) + "  " * depth + "x\n",
}


@pytest.mark.parametrize("shape", NESTED)
def test_nesting_is_limited_and_thousands_deep_is_no_recursion_error(shape):
    nested = NESTED[shape]
    assert load(nested(MAX_DEPTH)) is not None
    for depth in (MAX_DEPTH + 1, 1000) if shape == "block lists" else (MAX_DEPTH + 1, 5000, 50_000):
        problem = refused(nested(depth))
        assert f"nested more than {MAX_DEPTH} levels deep" in problem.problem and problem.line is not None


def test_too_many_values_are_refused():
    assert len(load("[" + "1, " * 99 + "1]", max_nodes=101)) == 100
    problem = refused("[" + "1, " * 100 + "1]", max_nodes=101)
    assert "more than 101 values" in problem.problem


def test_the_default_node_limit_leaves_room_for_a_long_article():
    refs = "".join(f"- key: r{i}\n  title: T\n  authors: [A, B, C]\n  year: 2020\n  doi: 10.1/{i}\n"
                   for i in range(500))  # 500 references: about 7,000 values
    assert len(load(refs)) == 500


@pytest.mark.parametrize("number", ["9" * 5000, "0x" + "f" * 5000, "-" + "1" * MAX_INT_DIGITS, "1_0" * 60])
def test_long_integers_are_refused_before_python_converts_them(number):
    problem = refused(f"year:\n  {number}\n")
    assert problem.line == 2 and f"a number of {len(number)} characters" in problem.problem
    assert "put it in quotes if it is text" in problem.problem
    assert load(f"year: '{number}'") == {"year": number}


def test_integers_within_the_limit_are_numbers():
    assert load("a: " + "9" * MAX_INT_DIGITS) == {"a": int("9" * MAX_INT_DIGITS)}
    assert load("a: 0x1F\nb: 1_000\n") == {"a": 31, "b": 1000}


@pytest.mark.parametrize(("value", "tag"), [("!!binary aGVsbG8=", "!!binary"), ("!!set {a, b}", "!!set"),
                                            ("!!omap [a: 1]", "!!omap"), ("!!pairs [a: 1]", "!!pairs"),
                                            ("!!timestamp 2025-01-01", "!!timestamp")])
def test_types_plain_data_does_not_have_are_refused(value, tag):
    problem = refused(f"ok: 1\nx: {value}\n")
    assert problem.line == 2 and f"the type {tag} is not accepted" in problem.problem


@pytest.mark.parametrize("value", ["!!python/object/apply:os.system [ls]", "!custom x", "!!python/name:os.system"])
def test_other_tags_are_refused(value):
    assert refused(f"x: {value}\n").line == 1


def test_escaped_surrogate_pairs_become_the_character_and_halves_are_refused():
    assert load('a: "\\ud83d\\ude00"\n"\\ud83d\\ude00": b\n') == {"a": "\U0001F600", "\U0001F600": "b"}
    for text in ('a: "\\ud800"\n', 'a: "x\\udfffy"\n', '"\\ud83d": k\n', 'a: "\\ude00\\ud83d"\n'):
        problem = refused("ok: 1\n" + text)
        assert problem.line == 2 and "half a character" in problem.problem


@pytest.mark.parametrize(("char", "code"), [("\x00", "U+0000"), ("\x07", "U+0007"), ("\ud800", "U+D800"),
                                            ("\ufffe", "U+FFFE")])
def test_characters_yaml_refuses_are_named_with_their_line(char, code):
    problem = refused(f"a: 1\nb: 2\nc: x{char}y\n")
    assert problem.line == 3 and f"contains the character {code}" in problem.problem


@pytest.mark.parametrize(("text", "line"), [("a: [1, 2\n", 2), ("a: 1\n b: 2\n", 2), ("a: 'x\n", 2),
                                            ("? [a]\n: b\n", 1), ("- a\n---\n- b\n", 2)])
def test_invalid_yaml_is_bad_yaml_with_a_line(text, line):
    problem = refused(text)
    assert problem.line == line and problem.problem
    assert str(problem) == f"line {line}: {problem.problem}"


def test_line_index_maps_dotted_paths_to_lines():
    data, node = safe_yaml.load_with_node("a: 1\nrefs:\n  - key: k\n    title: T\n  - key: j\n")
    assert data["refs"][1] == {"key": "j"}
    assert line_index(node, offset=2) == {"a": 2, "refs": 3, "refs.0": 4, "refs.0.key": 4, "refs.0.title": 5,
                                          "refs.1": 6, "refs.1.key": 6}


YAML_CALL = re.compile(r"\byaml\.(?:(?:safe_|full_|unsafe_)?load(?:_all)?|compose(?:_all)?|parse|scan|"
                       r"\w*Loader|add_constructor|add_implicit_resolver)\b")


def test_safe_yaml_is_the_only_place_that_parses_yaml():
    """Every other module reads YAML through safe_yaml.load (dumping is fine)."""
    files = [*(REPO / "src").rglob("*.py"), *(REPO / "plugins").rglob("*.py")]
    calls = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
             for path in files if path.name != "safe_yaml.py"
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if YAML_CALL.search(line)]
    assert calls == []


def test_dump_writes_a_value_used_twice_in_full():
    shared = ["a", {"b": 1}]
    text = safe_yaml.dump({"x": shared, "y": shared, "ü": "ß"})
    assert "&" not in text and "*" not in text and "ü: ß" in text
    assert load(text) == {"x": shared, "y": shared, "ü": "ß"}

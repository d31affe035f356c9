"""Reading YAML that people write or upload, with nothing a hostile file can abuse.

Every YAML text the app parses (an authored file's front matter, the editor's
References field) is read by :func:`load`: PyYAML's ``SafeLoader`` that also
refuses

- anchors and aliases (``&a`` / ``*a``): a few hundred bytes of them expand to
  gigabytes ("billion laughs"), and an alias inside itself loops forever;
- lists and mappings nested more than :data:`MAX_DEPTH` deep, and more than
  :data:`MAX_NODES` values in all (PyYAML composes recursively: thousands of
  ``[`` are a RecursionError);
- integers longer than :data:`MAX_INT_DIGITS` characters (Python refuses to
  convert more than 4,300 digits);
- the types plain data does not have (``!!binary``, ``!!set``, ``!!omap``,
  ``!!pairs``, an explicit ``!!timestamp``), characters YAML does not allow,
  and a ``\\ud800`` escape that is half a character.

Dates are left as text (``2025-01-15`` is a string), so the caller checks them
and says which field is wrong. Whatever is wrong, :func:`load` raises
:class:`BadYAML` with the line and what to do, never another exception.
:func:`dump` writes YAML that :func:`load` reads back.
"""

from __future__ import annotations

from typing import Any

import yaml

#: lists and mappings inside each other (the authoring format needs 4)
MAX_DEPTH = 20
#: scalars, lists and mappings in one document (a long article has about a thousand)
MAX_NODES = 20_000
#: characters of one integer (a year has 4, a PubMed id 8)
MAX_INT_DIGITS = 100

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class BadYAML(ValueError):
    """A YAML text :func:`load` could not read or refused.

    ``problem`` says what is wrong (and, for what is refused, what to write
    instead); ``line`` is the 1-based line of the text, or None when unknown.
    """

    def __init__(self, problem: str, line: int | None = None) -> None:
        self.problem, self.line = problem, line
        super().__init__(f"line {line}: {problem}" if line else problem)


class _Refused(yaml.MarkedYAMLError):
    """Raised inside the loader; :func:`load` turns it into :class:`BadYAML`."""

    def __init__(self, problem: str, mark) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts nodes and nesting as it composes, and refuses what the module's docstring lists."""

    def __init__(self, stream: str, max_depth: int, max_nodes: int) -> None:
        super().__init__(stream)
        self.max_depth, self.max_nodes = max_depth, max_nodes
        self.depth = self.nodes = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(f"the alias *{event.anchor} repeats a value written elsewhere; anchors (&) and "
                           "aliases (*) are not accepted, write the value out in full", event.start_mark)
        if event.anchor is not None:
            raise _Refused(f"the anchor &{event.anchor} is not accepted (nor are aliases, *); remove it and "
                           "write out in full any value that repeats it", event.start_mark)
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise _Refused(f"more than {self.max_nodes} values in all; split the text or shorten its lists",
                           event.start_mark)
        nested = isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent))
        if nested:
            self.depth += 1
            if self.depth > self.max_depth:
                raise _Refused(f"lists and mappings are nested more than {self.max_depth} levels deep here; "
                               "flatten them", event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            if nested:
                self.depth -= 1

    def construct_yaml_int(self, node):
        if len(node.value) > MAX_INT_DIGITS:
            raise _Refused(f"a number of {len(node.value)} characters is longer than the {MAX_INT_DIGITS} "
                           "accepted; put it in quotes if it is text", node.start_mark)
        return super().construct_yaml_int(node)

    def construct_yaml_str(self, node):
        value = self.construct_scalar(node)
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            try:  # a "\ud83d\ude00" escape pair is one character, written the way JSON does
                value = value.encode("utf-16", "surrogatepass").decode("utf-16")
            except UnicodeDecodeError:
                raise _Refused("a \\u escape between \\ud800 and \\udfff is half a character; write the "
                               "character itself", node.start_mark) from None
        return value

    def construct_refused(self, node):
        raise _Refused(f"the type {node.tag.replace('tag:yaml.org,2002:', '!!')} is not accepted; write "
                       "text, numbers, lists and mappings", node.start_mark)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:str", _Loader.construct_yaml_str)
for _tag in ("binary", "set", "omap", "pairs", "timestamp"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _Loader.construct_refused)
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Any:
    """The data of one YAML document (None for an empty text).

    :raise BadYAML: for invalid YAML or anything refused (see the module's docstring).
    """
    return load_with_node(text, max_depth=max_depth, max_nodes=max_nodes)[0]


def load_with_node(text: str, *, max_depth: int = MAX_DEPTH,
                   max_nodes: int = MAX_NODES) -> tuple[Any, yaml.Node | None]:
    """The data of one YAML document and its node tree (for :func:`line_index`).

    :raise BadYAML: as :func:`load`.
    """
    try:
        loader = _Loader(text, max_depth, max_nodes)  # checks every character first
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as NUL
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise BadYAML(f"contains the character U+{code:04X}, which YAML does not allow; remove it",
                      text.count("\n", 0, exc.position) + 1) from None
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise BadYAML(exc.problem or str(exc), (mark.line + 1) if mark else None) from None
    finally:
        loader.dispose()


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:
        return True  # a value used twice is written twice: load() refuses aliases


def dump(data: Any) -> str:
    """``data`` as block-style YAML that :func:`load` reads back equal (never an anchor
    or alias, even for a list used twice; Unicode written as it is)."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def line_index(node: yaml.Node | None, offset: int = 1, prefix: str = "") -> dict[str, int]:
    """Map dotted paths (``references.2.title``) to lines: a node on the text's
    first line is on line ``offset``."""
    index: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = f"{prefix}{key_node.value}"
            index[path] = key_node.start_mark.line + offset
            index.update(line_index(value_node, offset, path + "."))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = f"{prefix}{i}"
            index[path] = item.start_mark.line + offset
            index.update(line_index(item, offset, path + "."))
    return index

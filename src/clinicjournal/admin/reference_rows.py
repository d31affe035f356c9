"""The editor's references as form rows, one per source, beside the YAML text
they stand for.

The form posts either the rows (``ref_<field>`` lists, one entry per row in the
order shown) or the YAML text (``references``), as ``references_mode`` says.
Rows are turned into the same list the YAML holds, so both reach the one
checker (``content.authoring``) and errors name the row and field. Pages work
without JavaScript: the server renders the rows, with one empty row to add a
source; the script only adds, removes and reorders rows in the browser.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..content import safe_yaml

#: The row's fields, in the order the form shows them (pmcid lives in the YAML only
#: when it is set, so a row keeps it in a hidden input).
ROW_FIELDS = ("key", "authors", "title", "container", "year", "kind", "doi", "pmid", "pmcid", "url")
AUTHOR_SEPARATOR = ";"
MODES = ("rows", "yaml")


def from_form(form) -> list[dict[str, Any]]:
    """The rows of a posted form as reference items (entirely empty rows left out)."""
    columns = {name: form.getlist(f"ref_{name}") for name in ROW_FIELDS}
    count = max((len(c) for c in columns.values()), default=0)
    items = []
    for i in range(count):
        row = {name: (columns[name][i] if i < len(columns[name]) else "").strip() for name in ROW_FIELDS}
        if not any(row.values()):
            continue
        item: dict[str, Any] = {}
        for name in ROW_FIELDS:
            value: Any = row[name]
            if name == "authors":
                value = [a.strip() for a in value.split(AUTHOR_SEPARATOR) if a.strip()]
            elif name == "year" and value.isdigit():
                value = int(value)
            if value not in ("", []):
                item[name] = value
        items.append(item)
    return items


def to_yaml(items: list[dict[str, Any]]) -> str:
    return yaml.safe_dump(items, allow_unicode=True, sort_keys=False, width=100) if items else ""


def rows_of(text: str) -> list[dict[str, str]] | None:
    """The rows that show the YAML ``text`` (None when it cannot be shown as rows:
    invalid YAML, or not a list of plain entries; the YAML box is shown then)."""
    if not text.strip():
        return []
    try:
        data = safe_yaml.load(text)
    except safe_yaml.BadYAML:
        return None
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        return None
    rows = []
    for item in data:
        if set(map(str, item)) - set(ROW_FIELDS):
            return None  # a field the rows have no box for: keep the YAML as written
        row = {}
        for name in ROW_FIELDS:
            value = item.get(name)
            if name == "authors" and isinstance(value, list):
                value = f"{AUTHOR_SEPARATOR} ".join(str(a) for a in value)
            row[name] = "" if value is None else str(value)
        rows.append(row)
    return rows


def references_text(form) -> tuple[str, str]:
    """``(mode, YAML text)`` of a posted editor form."""
    mode = form.get("references_mode") or ("rows" if "ref_key" in form else "yaml")
    if mode == "rows":
        return mode, to_yaml(from_form(form))
    return "yaml", (form.get("references") or "").replace("\r\n", "\n")

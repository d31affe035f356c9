"""What the editor template needs beyond the form's values: the references as
rows (and which of rows or YAML the form shows), each row's errors, and what
the editor's script shares with the server (words per minute, readability
target, the live preview's inline style)."""

from __future__ import annotations

from typing import Any

from ..content import readability
from ..content.render import WORDS_PER_MINUTE
from ..web.pagebits import theme_style
from ..web.security import allow_inline_style
from . import reference_rows
from .ui import site_view


def extras(site, values: dict[str, Any], errors) -> dict[str, Any]:
    rows = reference_rows.rows_of(values.get("references") or "")
    mode = values.get("references_mode") or "rows"
    if rows is None:
        mode, rows = "yaml", []  # the YAML cannot be shown as rows: the YAML box it is
    row_errors: dict[int, dict[str, list[str]]] = {}
    for problem in errors:
        if problem.field == "references" and problem.item:
            row_errors.setdefault(problem.item, {}).setdefault(problem.part or "key", []).append(problem.message)
    # The live preview is the reader's page in a sandboxed srcdoc frame, which keeps
    # this page's CSP: its one inline style (the site's colours) is allowed here too.
    allow_inline_style("body{" + theme_style(site_view(site)) + "}")
    return {"ref_rows": rows, "ref_mode": mode, "ref_row_errors": row_errors, "ref_fields": reference_rows.ROW_FIELDS,
            "words_per_minute": WORDS_PER_MINUTE, "target_grade": readability.target_grade(site),
            "author_separator": reference_rows.AUTHOR_SEPARATOR}

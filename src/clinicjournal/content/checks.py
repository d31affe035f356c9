"""Checking front-matter values, every problem recorded as an :class:`AuthoringError`.

:class:`Checker` holds the front matter of one file and checks its values one
field at a time: a refused value is recorded with its file, line and field and
replaced by a default, so the rest of the file is still checked (see
:func:`~clinicjournal.content.authoring.check_document`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..store.models import Article

# Control characters other than tab and line breaks: never meant as text (NUL cannot even be stored).
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: the longest text each field's column holds (PostgreSQL refuses more, at commit time and
#: without saying which file): checked here, so the error names the file, line and field
MAX_LENGTH = {column.name: column.type.length for column in Article.__table__.c if getattr(column.type, "length", None)}
#: the most of an author's value a message quotes
SHOWN = 80
#: the parts of a ``signoff:`` block: who signed, on which day, and the content hash it covers
SIGNOFF_FIELDS = ("reviewer", "date", "hash")


def shown(value: Any) -> str:
    """``repr(value)`` for a message, shortened to about :data:`SHOWN` characters."""
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"


class AuthoringError(ValueError):
    """A problem in an authored file. ``str()`` gives ``file:line: field: message``.

    ``problems`` lists every problem found in the document, each an
    :class:`AuthoringError` of its own; for a single problem it is ``[self]``.
    An error that stands for several (see :meth:`collect`) carries the first
    one's ``source``, ``line``, ``field`` and ``message``, and its ``str()``
    has one ``file:line: field: message`` line per problem.
    """

    def __init__(self, message: str, *, source: str = "", line: int | None = None,
                 field: str | None = None, problems: list[AuthoringError] | None = None) -> None:
        self.source, self.line, self.field, self.message = source, line, field, message
        self.problems: list[AuthoringError] = list(problems) if problems else [self]
        where = source + (f":{line}" if line else "")
        what = f"{field}: " if field else ""
        first = f"{where}: {what}{message}" if where else f"{what}{message}"
        super().__init__("\n".join([first, *(str(p) for p in self.problems[1:])]))

    @classmethod
    def collect(cls, problems: list[AuthoringError]) -> AuthoringError:
        """One error for all of ``problems`` (not empty): the first itself when it is alone."""
        if len(problems) == 1:
            return problems[0]
        first = problems[0]
        return cls(first.message, source=first.source, line=first.line, field=first.field, problems=problems)


class Checker:
    """Checks front-matter values and records every problem: a refused value is
    replaced by a default (``refuse`` returns it), so checking carries on."""

    def __init__(self, meta: dict, source: str, lines_of: dict[str, int]) -> None:
        self.meta, self.source, self.lines_of = meta, source, lines_of
        self.problems: list[AuthoringError] = []

    def line(self, path: str) -> int:
        """The line of ``path``, else of the nearest enclosing field that is written;
        a missing top-level field is reported on line 1, where the front matter opens."""
        while path:
            if path in self.lines_of:
                return self.lines_of[path]
            path = path.rpartition(".")[0]
        return 1

    def refuse(self, path: str, message: str, default: Any = None, line: int | None = None) -> Any:
        """Record the problem of field ``path``; return ``default`` to use in its place."""
        self.problems.append(AuthoringError(message, source=self.source, line=line or self.line(path),
                                            field=path))
        return default

    def refused(self, name: str) -> bool:
        """Whether the field ``name`` (or anything in it) has been refused."""
        return any(p.field == name or (p.field or "").startswith(name + ".") for p in self.problems)

    def text(self, path: str, value: Any, required: bool = False, max_length: int | None = None) -> str:
        if value is None or value == "":
            return self.refuse(path, "is required", "") if required else ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return self.refuse(path, f"must be text, not {type(value).__name__}", "")
        if not self.printable(path, value):
            return ""
        value = value.strip()
        if max_length is not None and len(value) > max_length:
            return self.refuse(path, f"is {len(value)} characters long; at most {max_length} fit, shorten it", "")
        return value

    def field(self, name: str, required: bool = False) -> str:
        """The front-matter text field ``name``, within its column's length."""
        return self.text(name, self.meta.get(name), required, MAX_LENGTH.get(name))

    def printable(self, path: str, value: str) -> bool:
        bad = CONTROL_RE.search(value)
        if bad:
            return self.refuse(path, f"contains the control character U+{ord(bad.group()):04X}; remove it", False)
        return True

    def date(self, path: str, value: Any) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            return self.refuse(path, f"must be a date written YYYY-MM-DD, not {shown(value)}")

    def moment(self, path: str, value: Any) -> dt.datetime | None:
        """A date and time with its time zone, as naive UTC (how the database keeps times)."""
        if value is None or value == "":
            return None
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            return self.refuse(path, f"must be a date and time written YYYY-MM-DDTHH:MM:SS+HH:MM, not {shown(value)}")
        if moment.tzinfo is None:
            return self.refuse(path, f"{shown(value)} has no time zone; add it, e.g. {moment.isoformat()}+00:00 "
                                     "for UTC")
        return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def signoff(self, path: str, value: Any) -> dict[str, Any] | None:
        """A ``signoff`` block {reviewer, date, hash}; None when absent or refused."""
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            return self.refuse(path, "must be a mapping with reviewer, date and hash")
        unknown = sorted(str(k) for k in value if k not in SIGNOFF_FIELDS)
        if unknown:
            return self.refuse(path, f"has unknown field(s) {', '.join(unknown)}; it takes reviewer, date and hash")
        block = {"reviewer": self.text(f"{path}.reviewer", value.get("reviewer"), required=True,
                                       max_length=MAX_LENGTH["reviewer"]),
                 "date": self.date(f"{path}.date", value.get("date")),
                 "hash": self.text(f"{path}.hash", value.get("hash"), required=True, max_length=80)}
        if block["date"] is None and not self.refused(f"{path}.date"):
            self.refuse(f"{path}.date", "is required")
        return None if self.refused(path) else block

    def choice(self, path: str, value: Any, choices: tuple[str, ...], default: str) -> str:
        value = self.text(path, value) or default
        if value not in choices:
            return self.refuse(path, f"must be one of {', '.join(choices)}, not {shown(value)}", default)
        return value


def is_unknown_citation(problem: AuthoringError) -> bool:
    """Whether ``problem`` is an unknown citation key (in the body: field ``@key``;
    in an FAQ answer: ``faq.N.a``), which stops review and publishing, not the
    saving of a draft."""
    field = problem.field or ""
    return field.startswith("@") or (re.fullmatch(r"faq\.\d+\.a", field) is not None
                                     and problem.message.startswith("unknown citation key"))

"""Problems that stop the app from starting: configuration or database state
that an operator must fix. Each message says what is wrong and the command or
setting that fixes it; the CLI prints it as one line and exits non-zero, and a
WSGI worker prints it instead of a traceback (:mod:`clinicjournal.wsgi`).
"""

from __future__ import annotations

import re


class StartupError(RuntimeError):
    """The app cannot start as configured; ``str()`` is the whole explanation."""


_PASSWORD = re.compile(r"(://[^:/@]+:)[^@]*@")


def shown_url(url: str) -> str:
    """``url`` with its password masked, for messages (even a URL too broken to parse)."""
    return _PASSWORD.sub(r"\1***@", url or "")

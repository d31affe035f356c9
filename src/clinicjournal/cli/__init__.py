"""The ``clinicjournal`` command: Flask's CLI bound to the app factory.

One module per command group, each registering on :data:`main` from
:mod:`.base` (which no command module imports back through this package).
Output meant for people is aligned tables (rich); long work shows a progress
bar; every error says what to do next and exits non-zero.
"""

from . import (  # noqa: F401  (each registers its commands)
    backup,
    content,
    database,
    plugins,
    reminders,
    retire,
    sites,
    translate,
    translate_live,
    users,
)
from .base import console, fail, main, progress, table

__all__ = ["main", "console", "fail", "progress", "table"]

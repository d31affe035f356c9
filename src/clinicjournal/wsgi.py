"""The WSGI entry point of every install: ``gunicorn clinicjournal.wsgi:application``.

Importing it builds the app from ``instance/config.py`` and ``CLINICJOURNAL_*``
variables; WhiteNoise wraps it inside the factory. A problem an operator must
fix (a schema behind the code, an unreachable database, a bad setting) stops
the worker with one sentence saying what to do, not a traceback: the exit
status 3 is gunicorn's "worker failed to boot", which stops the server.
"""

import sys

from . import create_app
from .store.startup import StartupError

try:
    application = create_app()
except StartupError as exc:
    print(f"clinicjournal: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(3) from None

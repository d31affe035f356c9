"""A checkout's shortcut: ``gunicorn wsgi:application`` is ``clinicjournal.wsgi:application``."""

from clinicjournal.wsgi import application  # noqa: F401

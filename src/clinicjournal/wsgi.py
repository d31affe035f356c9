"""The WSGI entry point of every install: ``gunicorn clinicjournal.wsgi:application``.

Importing it builds the app from ``instance/config.py`` and ``CLINICJOURNAL_*``
variables; WhiteNoise wraps it inside the factory. A schema behind the code
stops the worker with one line that says to run ``clinicjournal db upgrade``.
"""

from . import create_app

application = create_app()

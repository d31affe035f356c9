"""clinicjournal: a plugin-based, multi-site, multilingual journal server for health clinics."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from ._moved import install_old_import_paths
from .api import *  # noqa: F403  (the plugin API, re-exported at the root)
from .api import __all__ as _api_names
from .store.startup import StartupError

__all__ = ["create_app", *_api_names]
__version__ = "0.1.0"

__getattr__ = install_old_import_paths(__name__)


def _trace_to_stderr() -> None:
    import logging

    logger = logging.getLogger("clinicjournal.plugins")
    logger.setLevel(logging.INFO)
    if not any(getattr(h, "clinicjournal_trace", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.clinicjournal_trace = True
        handler.setFormatter(logging.Formatter("%(asctime)s [trace] %(message)s"))
        logger.addHandler(handler)


def create_app(test_config: dict | None = None, *, check_schema: bool | None = None) -> Flask:
    """Build the app: config, database, plugins, i18n, views and CLI.

    Pass ``test_config`` to replace the instance file and environment (tests do).

    :raise StartupError: for configuration the app cannot start with (a bad
        database URL or cache type, an unwritable instance folder, a missing
        shared secret), and, when ``check_schema`` (by default the
        ``CHECK_SCHEMA`` setting), for a database that cannot be reached or
        whose schema is not the code's (:class:`~.store.db.SchemaOutOfDate`).
    """
    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "CLINICJOURNAL_INSTANCE_PATH", str(Path.cwd() / "instance"))
    app = Flask(__name__, instance_path=str(Path(instance).resolve()), instance_relative_config=True,
                static_folder=None)  # WhiteNoise serves static files (see web.assets)

    from . import admin, config, i18n, mail
    from .platform import routes
    from .platform.health import HealthRecorder
    from .platform.manager import Plugins
    from .store import db
    from .web import assets, cache, errors, fragments, reader, security, sites

    config.configure(app, test_config)
    state = SimpleNamespace()
    app.extensions["clinicjournal"] = state
    state.plugins = Plugins(app.config["DISABLED_PLUGINS"], trace=app.config["TRACE_PLUGINS"])
    if app.config["TRACE_PLUGINS"]:
        _trace_to_stderr()
    state.plugins.discover(app.config["PLUGINS_FOLDER"])

    db.init_app(app)
    state.plugins.health = HealthRecorder(state.engine)  # plugin failures are rows every worker sees
    sites.init_app(app)
    i18n.init_app(app)
    cache.init_app(app)  # inside WhiteNoise: static files never reach the page cache
    assets.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    fragments.init_app(app)
    reader.init_app(app)
    routes.init_app(app)
    mail.init_app(app)
    admin.init_app(app)  # last: its ProxyFix (PROXY_FIX) must wrap every other WSGI layer
    if check_schema if check_schema is not None else app.config["CHECK_SCHEMA"]:
        try:
            db.check_schema(state.engine)
        except SQLAlchemyError as exc:
            state.engine.dispose()
            raise StartupError(db.describe_write_error(exc, retry="try again")) from None
        except StartupError:
            state.engine.dispose()
            raise
    return app

"""Configuration: defaults, then ``instance/config.py``, then ``CLINICJOURNAL_*`` env vars."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

DEFAULTS = {
    # Filled in by configure() once the instance folder is known.
    "DATABASE_URL": None,
    "PLUGINS_FOLDER": None,
    "DISABLED_PLUGINS": [],
    "DEFAULT_SITE": None,
    "PER_PAGE": 10,
    "TRACE_PLUGINS": False,
    "CHECK_SCHEMA": True,
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
}

SECRET_FILE = "secret_key"


def configure(app: Flask, test_config: dict | None) -> None:
    """Load configuration in the order defaults → instance file → environment.

    A test config replaces the instance file and environment entirely so tests
    never pick up a developer's local settings.
    """
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CLINICJOURNAL")
    else:
        app.config.from_mapping(test_config)

    instance = Path(app.instance_path)
    if not app.config["DATABASE_URL"]:
        instance.mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'clinicjournal.sqlite'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)
    if app.config["PLUGINS_FOLDER"] is None:
        app.config["PLUGINS_FOLDER"] = _default_plugins_folder(app)
    if isinstance(app.config["DISABLED_PLUGINS"], str):
        app.config["DISABLED_PLUGINS"] = app.config["DISABLED_PLUGINS"].split(",")
    if os.environ.get("CLINICJOURNAL_TRACE_PLUGINS"):
        app.config["TRACE_PLUGINS"] = os.environ["CLINICJOURNAL_TRACE_PLUGINS"] not in ("0", "")


def _instance_secret(instance: Path) -> str:
    """Return the secret stored in the instance folder, creating it on first run.

    The file is private to the owner: the key signs session cookies.
    """
    path = instance / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


def _default_plugins_folder(app: Flask) -> str | None:
    """The project's ``plugins/`` beside ``instance/``, when running from a checkout."""
    candidate = Path(app.instance_path).parent / "plugins"
    return str(candidate) if candidate.is_dir() else None

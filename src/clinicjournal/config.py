"""Configuration: defaults, then ``instance/config.py``, then ``CLINICJOURNAL_*`` env vars."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import Flask

from .store.startup import StartupError

DEFAULTS = {
    # Filled in by configure() once the instance folder is known.
    "DATABASE_URL": None,
    "PLUGINS_FOLDER": None,
    "DISABLED_PLUGINS": [],
    "DEFAULT_SITE": None,
    # <slug>.localhost (and *.<slug>.localhost) reaches the site <slug>: for
    # development, so off unless set; `clinicjournal run` and `clinicjournal demo`
    # switch it on (cli.base). Off, a site answers only the host names it claims.
    "LOCALHOST_SITES": False,
    "PER_PAGE": 10,
    "TRACE_PLUGINS": False,
    "CHECK_SCHEMA": True,
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    # The largest request body accepted, in bytes: a larger one is answered 413
    # before it is read (Flask and Werkzeug check it against Content-Length, and
    # stop reading a body without one at this size). Four times the largest upload
    # (ADMIN_UPLOAD_MAX_BYTES): the article editor posts URL-encoded, up to three
    # bytes per byte of text. Werkzeug's own limits on multipart forms (the upload)
    # stay as Flask sets them: MAX_FORM_MEMORY_SIZE (500 kB per field that is not
    # a file) and MAX_FORM_PARTS (1000).
    "MAX_CONTENT_LENGTH": 4_000_000,
    # E-mail (mail/, Flask-Mailman). "eml" writes each message as a .eml file into
    # MAIL_FILE_PATH (by default the instance folder's mail/), so a demo or a test
    # needs no mail server; "smtp" sends through MAIL_SERVER. docs/deploy.md has
    # the SMTP setup.
    "MAIL_BACKEND": "eml",
    "MAIL_FILE_PATH": None,  # filled in by configure(): <instance>/mail
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 587,
    "MAIL_USE_TLS": False,  # STARTTLS after connecting (the usual with port 587)
    "MAIL_USE_SSL": False,  # TLS from the first byte (the usual with port 465)
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_TIMEOUT": 15,  # seconds; a mail server that hangs must not hang a worker for long
    "MAIL_DEFAULT_SENDER": "Clinic journal <no-reply@localhost>",
    # Where links in mail point when it is sent outside a web request (the CLI,
    # cron), e.g. "https://journal.example.org". Unset: the site's first host name.
    "MAIL_BASE_URL": None,
    "INVITATION_DAYS": 7,  # how long an invitation link can be used
    "PASSWORD_RESET_MINUTES": 60,  # how long a password-reset link can be used
    # "Forgot your password?" requests within the window: past the first limit an
    # address gets no more mail (the page says the same), past the second a client
    # address is answered 429, whatever it asks for.
    "PASSWORD_RESET_WINDOW_MINUTES": 60,
    "PASSWORD_RESET_MAX_PER_ACCOUNT": 3,
    "PASSWORD_RESET_MAX_PER_ADDRESS": 20,
    # `clinicjournal reminders send`: reviewers hear of a review this many days before it is due.
    "REVIEW_REMINDER_DAYS": 14,
}

MAIL_BACKENDS = {"eml": "clinicjournal.mail.eml_folder", "smtp": "smtp"}

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
        _make_instance_folder(instance)
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'clinicjournal.sqlite'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance, shared=not app.config["DATABASE_URL"].startswith("sqlite"))
    if app.config["PLUGINS_FOLDER"] is None:
        app.config["PLUGINS_FOLDER"] = _default_plugins_folder(app)
    if isinstance(app.config["DISABLED_PLUGINS"], str):
        app.config["DISABLED_PLUGINS"] = app.config["DISABLED_PLUGINS"].split(",")
    if os.environ.get("CLINICJOURNAL_TRACE_PLUGINS"):
        app.config["TRACE_PLUGINS"] = os.environ["CLINICJOURNAL_TRACE_PLUGINS"] not in ("0", "")
    switch = app.config["LOCALHOST_SITES"]
    if switch not in (True, False):  # from the environment: JSON, so true, false, 1 or 0
        raise StartupError(f"LOCALHOST_SITES is {switch!r}, not on or off; set it to true or false, "
                           "e.g. CLINICJOURNAL_LOCALHOST_SITES=true (for development only).")
    app.config["LOCALHOST_SITES"] = bool(switch)
    _check_mail(app, instance)
    limit = app.config["MAX_CONTENT_LENGTH"]
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise StartupError(f"MAX_CONTENT_LENGTH is {limit!r}, not a number of bytes; set it to the largest "
                           "request body to accept, e.g. CLINICJOURNAL_MAX_CONTENT_LENGTH=4000000 (4 MB).")


def _check_mail(app: Flask, instance: Path) -> None:
    """Fill in the mail folder and refuse mail settings that cannot work.

    :raise StartupError: for an unknown backend, or TLS and SSL both on.
    """
    cfg = app.config
    if not cfg["MAIL_FILE_PATH"]:
        cfg["MAIL_FILE_PATH"] = str(instance / "mail")
    backend = cfg["MAIL_BACKEND"]
    if not isinstance(backend, str) or (backend not in MAIL_BACKENDS and "." not in backend):
        raise StartupError(f"MAIL_BACKEND is {backend!r}; set it to \"smtp\" to send through MAIL_SERVER, or "
                           "\"eml\" to write each message into the instance folder's mail/ (the default).")
    if cfg["MAIL_USE_TLS"] and cfg["MAIL_USE_SSL"]:
        raise StartupError("MAIL_USE_TLS and MAIL_USE_SSL are both on; use MAIL_USE_TLS (STARTTLS) for port 587 "
                           "or MAIL_USE_SSL for port 465, not both.")


def _make_instance_folder(instance: Path) -> None:
    """:raise StartupError: when the folder cannot be made or written to."""
    try:
        instance.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(instance, exc) from None
    if not os.access(instance, os.W_OK | os.X_OK):
        raise _unwritable(instance, PermissionError("permission denied"))


def _unwritable(instance: Path, exc: OSError) -> StartupError:
    return StartupError(f"the instance folder {instance} cannot be written to ({exc.strerror or exc}); "
                        "make it writable by the user running clinicjournal, or set "
                        "CLINICJOURNAL_INSTANCE_PATH to a folder that is.")


def _instance_secret(instance: Path, shared: bool) -> str:
    """Return the secret stored in the instance folder, creating it on first run.

    The file is private to the owner: the key signs session cookies. With a
    shared database (``shared``) every host must sign with the same key, so a
    host without one refuses to make its own.

    :raise StartupError: when the key cannot be stored, or must be configured.
    """
    path = instance / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    if shared:
        raise StartupError(
            "CLINICJOURNAL_SECRET_KEY is not set and this install uses a shared database: each host would "
            "make a key of its own, and a session signed on one host would not open on another. Set "
            "CLINICJOURNAL_SECRET_KEY to the same random value on every host, e.g. the output of "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'`.")
    _make_instance_folder(instance)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker starting at the same moment is writing it
        for _ in range(100):
            if key := path.read_text().strip():
                return key
            time.sleep(0.01)
        raise StartupError(f"{path} is empty; delete it and start again (a new key is made)") from None
    except OSError as exc:
        raise _unwritable(instance, exc) from None
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


def _default_plugins_folder(app: Flask) -> str | None:
    """The project's ``plugins/`` beside ``instance/``, when running from a checkout."""
    candidate = Path(app.instance_path).parent / "plugins"
    return str(candidate) if candidate.is_dir() else None

"""E-mail to staff: invitations, password resets, review notifications, reminders
and the weekly digest.

Sending is Flask-Mailman's (``MAIL_*`` settings, config.py); by default each
message becomes a ``.eml`` file in the instance folder's ``mail/``
(:mod:`.eml_folder`), so nothing needs a mail server until SMTP is configured.
Every message is written in its recipient's language (:mod:`.compose`).

Modules: ``compose`` (a :class:`~.compose.Letter` → a localised text + HTML
message, and sending it), ``links`` (absolute admin URLs, in or out of a
request), ``preferences`` (language and notification choices per user),
``accounts`` (invitation and reset messages), ``notify`` (review workflow
messages) and ``reminders`` (the cron command's work).
"""

from __future__ import annotations

from flask import Flask
from flask_mailman import Mail


def init_app(app: Flask) -> None:
    """Set Flask-Mailman up from the ``MAIL_*`` settings (one ``Mail`` per app)."""
    from ..config import MAIL_BACKENDS

    mail = Mail()
    mailman = mail.init_app(app)  # app.extensions["mailman"], where Flask-Mailman looks
    mailman.backend = MAIL_BACKENDS.get(app.config["MAIL_BACKEND"], app.config["MAIL_BACKEND"])
    app.extensions["clinicjournal"].mail = mail

"""A message as words (:class:`Letter`) → a localised e-mail with a plain-text
and an HTML part, and sending it.

The words are built inside ``force_locale(recipient's language)``, so every
``gettext`` in a builder answers in that language whatever language the admin
who caused the message reads; the templates (``templates/mail/``) only lay the
words out and hold no text of their own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives

from ..i18n import text_direction

log = logging.getLogger("clinicjournal.mail")


@dataclass
class Section:
    """A heading and its lines (text, and a link or None): the digest's lists."""

    heading: str
    lines: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class Letter:
    subject: str
    greeting: str = ""
    paragraphs: list[str] = field(default_factory=list)
    action: tuple[str, str] | None = None  # (button words, absolute URL)
    sections: list[Section] = field(default_factory=list)
    footer: str = ""  # why the recipient gets this, and how to stop it


def compose(to: str, locale: str, build: Callable[[], Letter]) -> EmailMultiAlternatives:
    """The message ``build()`` words, written in ``locale``, for the address ``to``."""
    with force_locale(locale):
        letter = build()
        text = render_template("mail/message.txt", letter=letter)
        html = render_template("mail/message.html", letter=letter, lang=locale.replace("_", "-"),
                               direction=text_direction(locale))
    message = EmailMultiAlternatives(
        subject=letter.subject, body=text, from_email=current_app.config["MAIL_DEFAULT_SENDER"], to=[to],
        # RFC 3834: written by a program, so vacation responders stay quiet
        headers={"Auto-Submitted": "auto-generated", "Content-Language": locale.replace("_", "-")})
    message.attach_alternative(html, "text/html")
    return message


def send(messages: list[EmailMultiAlternatives]) -> int:
    """Send ``messages`` over one connection; returns how many went.

    :raise OSError, smtplib.SMTPException: when the mail server (or the mail
        folder) refuses; callers that must not fail on it catch and log.
    """
    if not messages:
        return 0
    mail = current_app.extensions["clinicjournal"].mail
    with mail.get_connection() as connection:
        return connection.send_messages(messages) or 0


def send_quietly(messages: list[EmailMultiAlternatives], what: str) -> int:
    """:func:`send`, logging a failure instead of raising: a notification that
    cannot go out must not undo the editor's step that caused it."""
    try:
        return send(messages)
    except Exception as exc:  # noqa: BLE001 - any transport error: smtplib, socket, TLS, disk
        log.error("could not send %s (%d message(s)): %s", what, len(messages), exc)
        return 0


def send_in_background(messages: list[EmailMultiAlternatives], what: str) -> None:
    """Send ``messages`` in a thread of their own, so that a slow mail server
    never delays the click that caused them. Not a close callback of the
    response: a server need not run those when the browser hangs up first (the
    development server skips them on a reset connection). Call after the step
    that the messages tell of is committed. The thread is not a daemon, so a
    worker that is shutting down still hands them over (within ``MAIL_TIMEOUT``)."""
    if not messages:
        return
    app = current_app._get_current_object()

    def deliver() -> None:
        with app.app_context():
            send_quietly(messages, what)
    threading.Thread(target=deliver, name=f"mail: {what}"[:60]).start()

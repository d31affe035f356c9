"""A real SMTP server on loopback for the mail tests, and the app wired to it.

``smtp`` starts aiosmtpd's ``Controller`` on 127.0.0.1 at a free port; every
message it receives is kept, parsed, in ``smtp.messages``. The ``app`` fixture
here sends through it (``MAIL_BACKEND = "smtp"``), with cheap password hashing.

    from mail_support import app, smtp  # noqa: F401  (pytest fixtures)
"""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from dataclasses import dataclass

import pytest
from admin_support import FAST_ARGON2
from aiosmtpd.controller import Controller
from http_support import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()

    def link(self, part: str) -> str:
        """The first link in the text part whose path contains ``part``."""
        found = re.search(r"https?://\S*" + re.escape(part) + r"\S*", self.text)
        assert found, self.text
        return found.group(0)


class Inbox:
    """What the server received, in order."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.recipients]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """At least ``count`` messages, waiting for ones a request sends in the background."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)

    def clear(self) -> None:
        self.messages.clear()


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def app(make_app, smtp):
    """The app sending through the test's SMTP server (overrides conftest's ``app``)."""
    return make_app(ARGON2_PARAMETERS=FAST_ARGON2, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                    MAIL_PORT=smtp.port, MAIL_DEFAULT_SENDER="Journal <journal@clinic.test>")

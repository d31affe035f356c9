"""A Flask-Mailman backend that writes each message as one ``.eml`` file.

The default backend (``MAIL_BACKEND = "eml"``): the demo, a laptop and the tests
need no mail server, and a message can be opened in any mail program. The
folder is ``MAIL_FILE_PATH``, the instance folder's ``mail/`` unless set, so the
server never writes into its own code. Files are private to their owner: an
invitation or reset link in them opens an account.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from flask_mailman.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def __init__(self, *args, file_path: str | None = None, **kwargs) -> None:
        kwargs.pop("username", None)  # SMTP options Flask-Mailman passes to every backend
        kwargs.pop("password", None)
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path or self.mailman.file_path)

    def send_messages(self, messages) -> int:
        if not messages:
            return 0
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        sent = 0
        for message in messages:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
            path = self.folder / f"{stamp}-{secrets.token_hex(4)}.eml"
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(message.message().as_bytes(linesep="\r\n"))
            except OSError:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent

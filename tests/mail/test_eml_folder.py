"""The default mail backend: one .eml file per message, inside the instance folder."""

from __future__ import annotations

import email
import email.policy
import stat

import pytest
from admin_support import FAST_ARGON2, sites  # noqa: F401  (fixtures)
from conftest import REPO

from clinicjournal import create_app
from clinicjournal.store.startup import StartupError


@pytest.fixture
def app(make_app):
    return make_app(ARGON2_PARAMETERS=FAST_ARGON2)  # no MAIL_* settings: the defaults


def test_messages_are_files_in_the_instance_folder(app, sites, cli, tmp_path, monkeypatch):
    monkeypatch.delenv("CLINICJOURNAL_NEW_PASSWORD", raising=False)
    before = {p for p in REPO.rglob("*.eml")}
    result = cli("user", "invite", "file@clinic.test", "--site", "alpha", "--role", "editor")
    assert result.exit_code == 0, result.output
    assert "No mail server is configured" in result.output and str(tmp_path / "mail") in result.output
    [path] = (tmp_path / "mail").glob("*.eml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the link in it opens an account
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "file@clinic.test"
    assert message["Subject"] == "You are invited to the journal of Alpha Clinic"
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}
    assert {p for p in REPO.rglob("*.eml")} == before  # nothing written into the checkout


@pytest.mark.parametrize("settings, words", [
    ({"MAIL_BACKEND": "pigeon"}, "MAIL_BACKEND is 'pigeon'"),
    ({"MAIL_BACKEND": "smtp", "MAIL_USE_TLS": True, "MAIL_USE_SSL": True}, "both on"),
])
def test_mail_settings_that_cannot_work_stop_the_start(app_config, settings, words):
    with pytest.raises(StartupError, match=words):
        create_app({**app_config, **settings})

"""``clinicjournal reminders send``: review reminders and weekly digests, for cron."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext
from rich.markup import escape

from ..mail import reminders
from .base import console, fail, main, session


@main.group("reminders")
def reminders_group() -> None:
    """Scheduled e-mail to staff: review reminders and the weekly digest."""


@reminders_group.command("send")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as if it were this day (UTC), e.g. to catch up after an outage. Default: today.")
@with_appcontext
def reminders_send(today: dt.datetime | None) -> None:
    """Send the review reminders and weekly digests that are due and not sent yet.

    Safe to run as often as you like (e.g. daily from cron): whatever was sent
    before is not sent again. A message the mail server refuses is tried again
    at the next run, and the command exits non-zero.
    """
    try:
        report = reminders.send_all(session(), today.date() if today else None)
    except LookupError:
        fail("there is no address to put in the messages' links: set MAIL_BASE_URL to where staff reach the "
             "admin (e.g. CLINICJOURNAL_MAIL_BASE_URL=https://journal.example.org), or give each site a host name.")
    for line in report.sent:
        console.print(f"sent  {escape(line)}")
    if not report.sent and not report.failed:
        console.print("Nothing to send: every reminder and digest that is due went out before.")
    if report.failed:
        fail(f"{len(report.failed)} message(s) could not be sent and will be tried at the next run:\n"
             + "\n".join(report.failed))

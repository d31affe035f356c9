"""`clinicjournal reminders send`: review reminders and the weekly digest, each sent once."""

from __future__ import annotations

import datetime as dt

from admin_support import make_user, sites, today  # noqa: F401  (fixtures)
from mail_support import app, smtp  # noqa: F401  (fixtures)
from sqlalchemy import select

from clinicjournal.mail import preferences
from clinicjournal.store import db
from clinicjournal.store.models import Article, PluginHealth, User, utcnow


def set_dates(app, article_id: int, **values) -> None:
    with app.app_context():
        sess = db.session()
        article = sess.get(Article, article_id)
        for name, value in values.items():
            setattr(article, name, value)
        sess.commit()


def send(cli, *args):
    result = cli("reminders", "send", *args)
    assert result.exit_code == 0, result.output
    return result.output


def test_reminders_are_sent_once(app, sites, cli, smtp):
    day = today()
    set_dates(app, sites.alpha_article, next_review=day + dt.timedelta(days=5))  # due soon
    set_dates(app, sites.alpha_de, next_review=day - dt.timedelta(days=3))  # overdue
    set_dates(app, sites.beta_article, next_review=day + dt.timedelta(days=200))  # not yet
    output = send(cli)
    assert "reviewer@alpha.test" in output
    to_reviewer = smtp.to("reviewer@alpha.test")
    assert [m.subject for m in to_reviewer] == ["Medical reviews due on Alpha Clinic"]
    text = to_reviewer[0].text
    assert "Overdue" in text and "Gut schlafen (German): review was due on" in text
    assert "Due soon" in text and "Sleep well (English): review due on" in text
    assert to_reviewer[0].link("/admin/alpha/review").startswith("http://alpha.localhost:5000/")
    assert smtp.to("reviewer@beta.test") == []  # beta's only article is far from due (beta's draft is no live one)
    digest = smtp.to("site_admin@alpha.test")
    assert [m.subject for m in digest] == ["This week on Alpha Clinic"]
    assert "Medical review overdue" in digest[0].text
    first = len(smtp.messages)

    assert "Nothing to send" in send(cli)  # a second run sends nothing again
    assert len(smtp.messages) == first

    # a week later the overdue review is mentioned again, the due-soon one (same date) is not
    smtp.clear()
    send(cli, "--today", (day + dt.timedelta(days=7)).isoformat())
    [again] = smtp.to("reviewer@alpha.test")
    assert "Gut schlafen" in again.text and "Sleep well (English): review due" not in again.text


def test_reminders_follow_each_persons_choices_and_language(app, sites, cli, smtp):
    set_dates(app, sites.alpha_article, next_review=today() - dt.timedelta(days=1))
    make_user(app, "deutsch@alpha.test", site="alpha", roles=["reviewer"])
    with app.app_context():
        sess = db.session()
        find = lambda email: sess.scalar(select(User).where(User.email == email))  # noqa: E731
        preferences.save(sess, find("reviewer@alpha.test"), "", set())  # turned everything off
        preferences.save(sess, find("deutsch@alpha.test"), "de", {"review_reminders"})
        sess.commit()
    send(cli)
    assert smtp.to("reviewer@alpha.test") == []
    [german] = smtp.to("deutsch@alpha.test")
    assert german.message["Content-Language"] == "de" and "(Englisch)" in german.text


def test_the_digest_lists_plugin_failures(app, sites, cli, smtp):
    with app.app_context():
        sess = db.session()
        sess.add(PluginHealth(plugin="references", site_slug="beta", failures=3,
                              last_error="KeyError: 'style'\nTraceback ...", last_failure_at=utcnow()))
        sess.commit()
    send(cli)
    [digest] = smtp.to("site_admin@beta.test")
    assert "Plugin failures" in digest.text and "references failed 3 times; last error: KeyError: 'style'" \
        in digest.text
    assert smtp.to("site_admin@alpha.test") == [] or "references" not in smtp.to("site_admin@alpha.test")[0].text

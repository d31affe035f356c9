"""The review workflow's messages reach the right people, in their language."""

from __future__ import annotations

from admin_support import form_of, login, make_user, sites, version  # noqa: F401  (fixtures)
from mail_support import app, smtp  # noqa: F401  (fixtures)
from sqlalchemy import select

from clinicjournal.mail import notify, preferences
from clinicjournal.store import db
from clinicjournal.store.models import Article, Membership, Revision, Site, User


def in_request(app, run):
    """Run ``run(sess)`` as a view would, on the alpha host."""
    with app.test_request_context("/admin/", base_url="http://alpha.localhost"):
        return run(db.session())


def user(sess, email: str) -> User:
    return sess.scalar(select(User).where(User.email == email))


def test_review_requested_reaches_the_reviewers_of_that_site_only(app, sites, smtp):
    make_user(app, "second.reviewer@alpha.test", site="alpha", roles=["reviewer"], name="Second Reviewer")
    make_user(app, "german.reviewer@alpha.test", site="alpha", roles=["reviewer"])
    make_user(app, "quiet.reviewer@alpha.test", site="alpha", roles=["reviewer"])

    def run(sess):
        german = user(sess, "german.reviewer@alpha.test")
        sess.scalar(select(Membership).where(Membership.user_id == german.id)).locales = ["de"]
        preferences.save(sess, user(sess, "quiet.reviewer@alpha.test"), "", set(preferences.NOTIFICATIONS) -
                         {"review_requested"})
        preferences.save(sess, user(sess, "second.reviewer@alpha.test"), "de", set(preferences.NOTIFICATIONS))
        sess.commit()
        site = sess.scalar(select(Site).where(Site.slug == "alpha"))
        article = sess.get(Article, sites.alpha_draft)
        return notify.review_requested(site, article, user(sess, "editor@alpha.test"))

    assert in_request(app, run) == 2
    assert sorted(r for m in smtp.messages for r in m.recipients) == ["reviewer@alpha.test",
                                                                      "second.reviewer@alpha.test"]
    english = smtp.to("reviewer@alpha.test")[0]
    assert english.subject == "Waiting for your review: Draft one"
    assert "Editor of alpha sent “Draft one” on Alpha Clinic for medical review." in english.text
    link = english.link(f"/admin/alpha/articles/{sites.alpha_draft}/review")
    assert link.startswith("http://alpha.localhost/")
    assert "/admin/notifications" in english.text
    german = smtp.to("second.reviewer@alpha.test")[0]
    assert german.message["Content-Language"] == "de"
    assert "Englisch" in german.text  # the article's language named in the reader's own


def test_the_actor_is_not_told_of_their_own_step(app, sites, smtp):
    def run(sess):
        site = sess.scalar(select(Site).where(Site.slug == "beta"))
        return notify.review_requested(site, sess.get(Article, sites.beta_draft), user(sess, "reviewer@beta.test"))

    assert in_request(app, run) == 0 and smtp.messages == []


def test_changes_requested_goes_back_to_the_author(app, sites, smtp):
    def run(sess):
        article = sess.get(Article, sites.alpha_draft)
        revision = sess.get(Revision, article.latest_revision_id)
        revision.saved_by = user(sess, "translator@alpha.test").id  # who wrote the working copy
        sess.commit()
        site = sess.scalar(select(Site).where(Site.slug == "alpha"))
        return notify.changes_requested(site, article, user(sess, "reviewer@alpha.test"),
                                        note="Please cite the 2024 guideline.")

    assert in_request(app, run) == 1
    [mail] = smtp.messages
    assert mail.recipients == ["translator@alpha.test"]
    assert mail.subject == "Changes requested: Draft one"
    assert "Their note: Please cite the 2024 guideline." in mail.text
    assert "Please cite the 2024 guideline." in mail.html
    mail.link(f"/admin/alpha/articles/{sites.alpha_draft}")


def test_a_refusing_mail_server_does_not_break_the_step(app, sites, smtp):
    app.config["MAIL_PORT"] = 1  # nothing listens there
    app.extensions["mailman"].port = 1

    def run(sess):
        site = sess.scalar(select(Site).where(Site.slug == "alpha"))
        return notify.review_requested(site, sess.get(Article, sites.alpha_draft), None)

    assert in_request(app, run) == 0


def test_the_admins_workflow_buttons_send_the_messages(app, sites, login, smtp):
    """Send for review (both buttons) tells the reviewer; sending back tells the
    author, with the note; both after the response, once each."""
    editor, reviewer = login("editor@alpha.test"), login("reviewer@alpha.test")
    draft = sites.alpha_draft
    saved = editor.post(f"/admin/alpha/articles/{draft}", {**form_of(editor, draft, summary="A new summary."), "action": "submit"},
                        buffered=True)
    assert saved.status_code == 302
    [first] = smtp.wait_for(1)
    assert first.recipients == ["reviewer@alpha.test"] and first.subject == "Waiting for your review: Draft one"
    back = reviewer.post(f"/admin/alpha/articles/{draft}/send-back",
                         {"version": version(app, draft), "note": "Cite the 2024 guideline."}, buffered=True)
    assert back.status_code == 302
    second = smtp.wait_for(2)[1]
    assert second.recipients == ["editor@alpha.test"] and "Their note: Cite the 2024 guideline." in second.text
    again = editor.post(f"/admin/alpha/articles/{draft}/submit", {"version": version(app, draft)}, buffered=True)
    assert again.status_code == 302
    assert [m.recipients for m in smtp.wait_for(3)] == [["reviewer@alpha.test"], ["editor@alpha.test"],
                                                        ["reviewer@alpha.test"]]
    # a refused step sends nothing
    stale = editor.post(f"/admin/alpha/articles/{draft}/send-back", {"version": "0"}, buffered=True)
    assert stale.status_code == 302 and len(smtp.wait_for(4, timeout=0.5)) == 3

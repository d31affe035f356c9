"""Recent activity and the audit log in sentences (admin/activity.py): who did
what to which article, plugin or account, with the time, for every action the
code records; names and titles are shown as text, isolated in <bdi>."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from admin_support import add_article, app, login, make_user, sites, step  # noqa: F401  (fixtures)
from conftest import parse_html
from sqlalchemy import event, update

from clinicjournal.admin.activity import SENTENCES
from clinicjournal.store import audit, db, manage
from clinicjournal.store.models import AuditEvent

SOURCE = Path(__file__).resolve().parents[2]


def recent(client, site: str = "alpha") -> list:
    doc = parse_html(client.get(f"/admin/{site}/").get_data(as_text=True))
    return doc.one("ul", cls="activity").find_all("li")


def record(app, action: str, target: str = "", actor=audit.CLI, site: str = "alpha", **detail) -> None:
    with app.app_context():
        sess = db.session()
        audit.record(sess, actor, action, site=manage.get_site(sess, site), target=target, **detail)
        sess.commit()


def test_workflow_steps_read_as_sentences_linking_the_article(app, sites, login):
    editor = login("editor@alpha.test")
    assert step(editor, sites.alpha_draft, "submit").status_code == 200
    [line] = recent(login("site_admin@alpha.test"))
    assert re.fullmatch(r"Editor of alpha sent “Draft one” for review 1 minute ago", line.text())
    link = line.one("a")
    assert link.get("href") == f"/admin/alpha/articles/{sites.alpha_draft}"
    assert link.one("bdi").get("lang") == "en" and link.text() == "Draft one"
    time = line.one("time")
    assert time.get("datetime").endswith("Z") and time.get("title").endswith("UTC")


def test_plugins_and_settings_changed_in_the_admin_and_on_the_command_line(app, sites, login, cli):
    admin = login("site_admin@alpha.test")
    assert admin.post("/admin/alpha/plugins/faq/toggle", {"enabled": "0"}).status_code == 302
    assert admin.post("/admin/alpha/plugins/references", {"style": "apa"}).status_code == 302
    assert cli("plugins", "enable", "faq", "--site", "alpha").exit_code == 0
    texts = [li.text() for li in recent(admin)]
    assert texts[0].startswith("Someone on the server (command line) turned on the plugin FAQ")
    assert texts[1].startswith("Site Admin of alpha changed the settings of References")
    assert texts[2].startswith("Site Admin of alpha turned off the plugin FAQ")


def test_hostile_and_right_to_left_names_and_titles_are_text(app, sites, login):
    hostile = '<script>alert("name")</script> أمينة'
    make_user(app, "odd@alpha.test", site="alpha", roles=["editor"], name=hostile)
    title = "<img src=x onerror=alert(1)> النوم الجيد"
    article_id = add_article(app, "alpha", "odd-one", status="draft", title=title)
    assert step(login("odd@alpha.test"), article_id, "submit").status_code == 200
    response = login("site_admin@alpha.test").get("/admin/alpha/")
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    [line] = parse_html(page).one("ul", cls="activity").find_all("li")
    who, what = line.find_all("bdi")
    assert who.text() == hostile and what.text() == title and what.parent.tag == "a"


def test_a_person_without_a_name_an_unknown_action_and_a_deleted_article(app, sites, login):
    make_user(app, "nameless@alpha.test", site="alpha", roles=["editor"])
    step(login("nameless@alpha.test"), sites.alpha_draft, "submit")
    record(app, "plugin.frobnicated", "gadget<b>")
    record(app, "article.deleted", "en/gone-now", articles=1)
    record(app, "article.saved", "en/no-such-article")
    lines = recent(login("site_admin@alpha.test"))
    texts = [li.text() for li in lines]
    assert texts[0].startswith("Someone on the server (command line) saved “en/no-such-article”")
    assert texts[1].startswith("Someone on the server (command line) deleted “en/gone-now”")
    assert not lines[0].find("a") and not lines[1].find("a")
    assert texts[2].startswith("Someone on the server (command line): plugin.frobnicated, gadget<b>")
    assert lines[2].one("code").text() == "plugin.frobnicated"
    assert texts[3].startswith("nameless@alpha.test sent “Draft one” for review")
    assert lines[3].find("bdi").get("dir") == "ltr"


def test_older_events_show_their_day(app, sites, login):
    record(app, "site.locale_added", "de")
    with app.app_context():
        sess = db.session()
        sess.execute(update(AuditEvent).values(at=dt.datetime(2025, 3, 12, 9, 30)))
        sess.commit()
    [line] = recent(login("site_admin@alpha.test"))
    assert line.text() == "Someone on the server (command line) added the language German Mar 12, 2025"
    arabic = login("site_admin@alpha.test")
    doc = parse_html(arabic.get("/admin/alpha/", headers={"Accept-Language": "ar"}).get_data(as_text=True))
    assert "German" not in doc.one("ul", cls="activity").text()  # the language is named in Arabic


def test_article_titles_cost_one_query_however_many_rows(app, sites, login):
    admin = login("site_admin@alpha.test")
    engine = app.extensions["clinicjournal"].engine
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    def article_queries() -> int:
        seen.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert admin.get("/admin/alpha/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return sum(1 for s in seen if re.search(r"FROM article\b(?! JOIN)", s) and "audit_event" not in s)

    record(app, "article.saved", "en/sleep-well")
    one = article_queries()
    for slug in ("draft-one", "sleep-well", "no-such", "draft-one", "sleep-well", "draft-one", "sleep-well"):
        record(app, "article.saved", f"en/{slug}")
    assert article_queries() == one
    assert len(recent(admin)) == 8


def test_the_audit_log_has_the_sentence_beside_the_code(app, sites, login):
    step(login("editor@alpha.test"), sites.alpha_draft, "submit")
    for client, path in ((login("site_admin@alpha.test"), "/admin/alpha/audit"),
                         (login(sites.network), "/admin/audit")):
        doc = parse_html(client.get(path).get_data(as_text=True))
        headers = [th.text() for th in doc.one("table").find_all("th")]
        assert "What happened" in headers and "Action" in headers
        row = next(tr for tr in doc.one("tbody").find_all("tr") if "article.submitted" in tr.text())
        sentence = row.one("td", cls="sentence")
        assert sentence.text() == "Editor of alpha sent “Draft one” for review"
        assert sentence.one("a").get("href") == f"/admin/alpha/articles/{sites.alpha_draft}"


def recorded_actions() -> set[str]:
    """Every action a call in src/ or plugins/ records: the literals on lines that
    call audit.record, name a workflow step, or pass ``action=`` on."""
    found = set()
    literal = re.compile(r'"((?:article|user|site|member|plugin|setting|redirect|content|install)\.[a-z_]+)"')
    for path in [*SOURCE.glob("src/**/*.py"), *SOURCE.glob("plugins/**/*.py")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"audit\.record\(|workflow_step\(|action=\"|, \"article\.", line):
                found.update(literal.findall(line))
    return found


def test_every_recorded_action_has_a_sentence():
    actions = recorded_actions()
    assert {"article.submitted", "plugin.disabled", "user.locked_out", "install.restored",
            "article.archived", "user.invitation_accepted"} <= actions  # the scan finds them all
    assert actions - {"content.imported"} <= {key.split("/")[0] for key in SENTENCES}


def test_an_import_on_the_command_line_counts_its_articles(app, sites, login, publish, tmp_path):
    publish("alpha", {"slug": "one"}, {"slug": "two"})
    publish("alpha", {"slug": "three"}, {"slug": "two"})  # one new, one unchanged
    texts = [li.text() for li in recent(login("site_admin@alpha.test"))]
    assert texts[0].startswith(f"Someone on the server (command line) imported 1 article from {tmp_path}/publish-1")
    assert texts[1].startswith(f"Someone on the server (command line) imported 2 articles from {tmp_path}/publish-0")


def test_members_and_accounts(app, sites, login):
    admin = login(sites.network)
    record(app, "member.granted", "new@alpha.test", role="reviewer")
    record(app, "user.invited", "friend@alpha.test", role="translator")
    record(app, "site.host_added", "journal.alpha.test")
    texts = [li.text() for li in recent(admin)]
    assert texts[0].startswith("Someone on the server (command line) added the host name journal.alpha.test")
    assert texts[1].startswith("Someone on the server (command line) invited friend@alpha.test as translator")
    assert texts[2].startswith("Someone on the server (command line) gave new@alpha.test the role medical reviewer")


def test_a_sentence_not_translated_yet_is_marked_as_english(app, sites, login):
    """Left to the page's direction, an English sentence on a right-to-left page
    would be reordered; marked, it reads as written until translators catch up."""
    app.config["UI_LOCALES"] = [*app.config["UI_LOCALES"], "he"]  # a right-to-left language with no catalog
    step(login("editor@alpha.test"), sites.alpha_draft, "submit")
    client = login("site_admin@alpha.test")
    doc = parse_html(client.get("/admin/alpha/", headers={"Accept-Language": "he"}).get_data(as_text=True))
    assert doc.one("html").get("dir") == "rtl"
    what = doc.one("ul", cls="activity").one("span", cls="activity__what")
    assert (what.get("lang"), what.get("dir")) == ("en", "ltr")
    assert what.text() == "Editor of alpha sent “Draft one” for review"
    english = parse_html(client.get("/admin/alpha/").get_data(as_text=True))
    assert english.one("span", cls="activity__what").get("lang") is None

"""``content archive``, ``content delete`` and ``site delete`` from the CLI, and
old addresses and archived articles carried by export → import."""

from __future__ import annotations

from sqlalchemy import func, select

from clinicjournal.store import db
from clinicjournal.store.models import Article, AuditEvent, Site, SlugRedirect


def status(app, path: str, host: str = "alpha.localhost") -> int:
    return app.test_client().get(path, base_url=f"http://{host}").status_code


def test_archive_then_delete_asks_for_the_slug(app, cli, create_site, publish):
    create_site("alpha")
    publish("alpha", {"slug": "flu-jabs"}, {"slug": "sleep-well"})
    refused = cli("content", "delete", "en/flu-jabs", "--site", "alpha", "--confirm", "flu-jabs")
    assert refused.exit_code != 0 and "content archive --site alpha en/flu-jabs" in refused.output

    assert cli("content", "archive", "en/flu-jabs", "--site", "alpha").exit_code == 0
    assert status(app, "/en/flu-jabs/") == 410
    unconfirmed = cli("content", "delete", "en/flu-jabs", "--site", "alpha", input="")
    assert unconfirmed.exit_code != 0 and "--confirm flu-jabs" in unconfirmed.output
    wrong = cli("content", "delete", "en/flu-jabs", "--site", "alpha", "--confirm", "sleep-well")
    assert wrong.exit_code != 0 and "nothing was deleted" in wrong.output

    done = cli("content", "delete", "en/flu-jabs", "--site", "alpha", "--confirm", "flu-jabs")
    assert done.exit_code == 0, done.output
    assert "en/flu-jabs" in done.output and "revisions" in done.output
    assert status(app, "/en/flu-jabs/") == 404 and status(app, "/en/sleep-well/") == 200
    with app.app_context():
        sess = db.session()
        actions = list(sess.scalars(select(AuditEvent.action).where(AuditEvent.actor == "cli")))
        assert "article.archived" in actions and "article.deleted" in actions
    unknown = cli("content", "delete", "flu-jabs", "--site", "alpha")
    assert unknown.exit_code != 0 and "LOCALE/SLUG" in unknown.output


def test_site_delete_hints_at_a_backup_and_needs_the_slug(app, cli, create_site, publish):
    create_site("alpha", hosts=("journal.alpha.test",))
    create_site("beta")
    publish("alpha", {"slug": "flu-jabs"})
    refused = cli("site", "delete", "alpha", "--confirm", "beta")
    assert refused.exit_code != 0 and "clinicjournal backup" in refused.output
    assert cli("site", "delete", "alpha", "--confirm", "alpha").exit_code == 0
    with app.app_context():
        sess = db.session()
        assert sess.scalar(select(Site.slug).where(Site.slug == "alpha")) is None
        assert sess.scalar(select(func.count()).select_from(Article)) == 0
    # the host name is free again for another site
    assert cli("site", "add-host", "beta", "journal.alpha.test").exit_code == 0


def test_old_addresses_and_archived_articles_survive_export_and_import(app, cli, create_site, publish,
                                                                      write_article, tmp_path):
    create_site("alpha")
    publish("alpha", {"slug": "winter-flu", "aliases": ["flu-jabs", "flu-2024"]},
            {"slug": "old-advice", "status": "archived"})
    assert status(app, "/en/flu-jabs/") == 301 and status(app, "/en/old-advice/") == 410
    folder = tmp_path / "export"
    assert cli("content", "export", "--site", "alpha", folder).exit_code == 0
    text = (folder / "en" / "winter-flu.md").read_text()
    assert "aliases:\n- flu-2024\n- flu-jabs\n" in text
    assert "status: archived" in (folder / "en" / "old-advice.md").read_text()

    create_site("copy")
    assert cli("content", "import", folder, "--site", "copy").exit_code == 0
    for path, expected in (("/en/flu-jabs/", 301), ("/en/flu-2024/", 301), ("/en/old-advice/", 410),
                           ("/en/winter-flu/", 200)):
        assert status(app, path, "copy.localhost") == expected, path


def test_an_alias_where_another_article_answers_is_reported_not_taken(app, cli, create_site, publish,
                                                                      write_article, tmp_path):
    create_site("alpha")
    publish("alpha", {"slug": "sleep-well"})
    folder = tmp_path / "more"
    write_article(folder, slug="winter-flu", aliases=["sleep-well"])
    result = cli("content", "import", folder, "--site", "alpha")
    assert result.exit_code == 0 and "1 old address(es) not taken" in result.output
    assert status(app, "/en/sleep-well/") == 200
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(SlugRedirect)) == 0
    bad = tmp_path / "bad"
    path = write_article(bad, slug="x", aliases=["Not a slug", "x"])
    result = cli("content", "import", bad, "--site", "alpha")
    assert result.exit_code != 0
    assert f"{path}" in result.output and "aliases.0" in result.output and "aliases.1" in result.output

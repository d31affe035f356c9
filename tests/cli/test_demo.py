"""``clinicjournal demo``: two demo clinics with real articles, safe to run twice."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from clinicjournal.cli.demo import DEMO_SITES
from clinicjournal.store import db
from clinicjournal.store.models import Article, Site


def snapshot(app) -> dict[str, dict]:
    with app.app_context():
        sites = db.session().scalars(select(Site).order_by(Site.slug)).all()
        result = {}
        for site in sites:
            rows = db.session().scalars(select(Article).where(Article.site_id == site.id)
                                        .options(selectinload(Article.references))).all()
            result[site.slug] = {
                "name": site.name, "appearance": dict(site.appearance), "locales": list(site.locales),
                "articles": {(a.locale, a.slug): (a.id, a.kind, a.category, len(a.references), len(a.faq or []),
                                                  bool(a.takeaway), a.title) for a in rows},
            }
        return result


def test_demo_creates_two_complete_clinic_sites_and_is_idempotent(cli, app, get_page, html):
    result = cli("demo")
    assert result.exit_code == 0, result.output
    first = snapshot(app)
    slugs = [spec["slug"] for spec in DEMO_SITES]
    assert sorted(first) == sorted(slugs)
    names = {first[s]["name"] for s in slugs}
    assert len(names) == len(slugs)  # different names
    assert len({first[s]["appearance"].get("primary") for s in slugs}) == len(slugs)  # and colours

    for slug in slugs:
        assert f"{slug}.localhost" in result.output
        articles = {k: v for k, v in first[slug]["articles"].items() if v[1] == "article"}
        complete = [k for k, v in articles.items() if v[3] and v[4] and v[5]]  # references, FAQ, takeaway
        assert len(complete) >= 4, slug
        assert len({articles[k][2] for k in complete if articles[k][2]}) >= 2, slug

        # The journal lists the site's articles in its default locale, each page works.
        default = first[slug]["locales"][0]
        doc = get_page(f"{slug}.localhost", f"/{default}/")
        listed = {html.local_path(doc, card.one("h2").one("a").get("href"))
                  for card in doc.find_all("article", cls="card")}
        expected = {f"/{default}/{s}/" for (loc, s), v in articles.items() if loc == default}
        assert listed == expected or len(listed) == app.config["PER_PAGE"]
        for path in sorted(listed):
            page = get_page(f"{slug}.localhost", path)
            title = next(v[6] for (loc, s), v in articles.items() if path == f"/{loc}/{s}/")
            assert page.one("h1").text() == title

    again = cli("demo")
    assert again.exit_code == 0, again.output
    assert snapshot(app) == first  # same sites, same article ids: nothing duplicated or re-created

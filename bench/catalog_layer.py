"""What the browser-translation layer (issue 17) costs per request, in process.

    /work/main/.venv/bin/python bench/catalog_layer.py            # ~30 s
    /work/main/.venv/bin/python bench/catalog_layer.py --quick    # a smoke run, a few seconds

Three figures, each the median of several rounds, with and without browser edits
(200 install-wide German edits and 50 of one site's own), on a temp SQLite
database with one German site and a few articles:

* **cached page**: the page cache's key for a request (web/cache.py) with the
  scoped generations of page_scopes (two stat calls for the stamp-file cache)
  against the install-wide generation alone: the whole extra cost on a cache hit;
* **uncached page**: a full GET of /de/ through Flask with the page cache off,
  no edits vs 250 edits (the layer: one dict lookup per request after the first);
* **reload**: what one worker pays once after a save (read every edit again and
  lay them over the catalog).

The goal in the issue: nothing measurable on a cached page, under 3 % on an
uncached one. Only the process itself and a temp folder are used.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "plugins")]

from clinicjournal import create_app  # noqa: E402
from clinicjournal.content.authoring import parse_document  # noqa: E402
from clinicjournal.content.documents import import_documents  # noqa: E402
from clinicjournal.i18n.checks import messages_of  # noqa: E402
from clinicjournal.i18n.extraction import extracted  # noqa: E402
from clinicjournal.store import db, manage  # noqa: E402
from clinicjournal.store.catalog_models import CatalogEdit  # noqa: E402
from clinicjournal.web.cache import Generation, PageCache, page_scopes  # noqa: E402

ARTICLE = """---
slug: artikel-{n}
locale: de
title: "Artikel {n}"
summary: "Zusammenfassung {n}."
published: 2025-01-15
---
{body}
"""


def median_us(fn, repeat: int, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        times.append((time.perf_counter() - start) / repeat * 1e6)
    return statistics.median(times)


def build(folder: Path):
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    db.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder),
                      "LOCALHOST_SITES": True, "CACHE_TYPE": "null"})
    with app.app_context():
        sess = db.session()
        site = manage.create_site(sess, "alpha", "Alpha Clinic", ["en", "de"], [], None)
        import_documents(sess, site, [parse_document(ARTICLE.format(n=n, body="Wort " * 300)) for n in range(10)])
        sess.commit()
        return app, site.id


def add_edits(app, site_id: int) -> None:
    state = app.extensions["clinicjournal"]
    template = extracted("core", state.catalogs.directories["core"])
    plain = [m for m in messages_of(template) if not m.pluralizable and "%" not in m.id and "{" not in m.id]
    with app.app_context():
        sess = db.session()
        for n, message in enumerate(plain[:250]):
            own = n >= 200
            sess.add(CatalogEdit(catalog="core", locale="de", site_id=site_id if own else None,
                                 scope=site_id if own else 0, msgctxt=message.context or "", msgid=message.id,
                                 strings=[f"[{n}] {message.id}"], fuzzy=False))
        db.bump_config_generation(sess)
        sess.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke run")
    args = parser.parse_args()
    repeat, rounds = (50, 3) if args.quick else (300, 7)
    with tempfile.TemporaryDirectory(prefix="cj-bench-layer-") as tmp:
        folder = Path(tmp)
        app, site_id = build(folder)
        client = app.test_client()

        def page():
            response = client.get("/de/", headers={"Host": "alpha.localhost"})
            assert response.status_code == 200, response.status

        page()
        add_edits(app, site_id)
        layer = app.extensions["clinicjournal"].catalog_layer
        page()  # the one reload after the change
        loaded, results = layer.layers, layer._results
        start = time.perf_counter()
        with app.test_request_context():
            layer.generation = object()
            layer.sync(layer.generation, db.session())  # not the registry's: the next page reads them again
            layer.translations("de", site_id)
        reload_ms = (time.perf_counter() - start) * 1000
        page()
        loaded, results = layer.layers, layer._results
        # Alternate rounds with and without the edits in the same process, so that the
        # machine's other load falls on both sides alike.
        without_times, with_times = [], []
        for _ in range(rounds):
            layer.layers, layer._results = {}, {}
            page()
            without_times.append(median_us(page, repeat // 10 or 5, 1))
            layer.layers, layer._results = loaded, results
            with_times.append(median_us(page, repeat // 10 or 5, 1))
        without, with_edits = statistics.median(without_times), statistics.median(with_times)
        # The layer's own work in a request: the generation check and the (site, locale) lookup.
        domain = app.extensions["babel"].instance.domain_instance if "babel" in app.extensions else None
        with app.test_request_context("/de/", headers={"Host": "alpha.localhost"}):
            from flask import g

            from clinicjournal.web.sites import resolve_site
            resolve_site()
            g.locale = "de"
            lookup = median_us(domain.get_translations, repeat * 10, rounds) if domain else float("nan")

        cache = PageCache(store=None, generation=Generation(stamp=folder / "cache-generation"), ttl=60)
        cache.generation.bump()  # as on a running install: the stamp exists
        cache.generation.bump_scope("de")  # German edited install-wide, not on this host
        identity = ("alpha.localhost", "http", "", "/de/artikel-1/", "")
        plain_key = median_us(lambda: cache.generation.current(), repeat * 10, rounds)
        scoped_key = median_us(lambda: cache.generation.scoped(page_scopes(identity)), repeat * 10, rounds)

    extra = (with_edits - without) / without * 100
    print("Browser translations: cost per request (medians; in process, temp SQLite)")
    print(f"  cached page   cache key, install-wide generation only   {plain_key:8.1f} µs")
    print(f"                cache key with locale + host scopes       {scoped_key:8.1f} µs"
          f"   (+{scoped_key - plain_key:.1f} µs per hit)")
    print(f"  uncached page GET /de/, no browser edits                {without / 1000:8.2f} ms")
    print(f"                GET /de/, 250 edits (200 shared, 50 site) {with_edits / 1000:8.2f} ms   ({extra:+.1f} %)")
    print(f"                the layer's own lookup per request        {lookup:8.1f} µs"
          f"   ({lookup / without * 100:.2f} % of the page without edits)")
    print(f"  after a save  one worker's reload of every edit         {reload_ms:8.2f} ms (once)")


if __name__ == "__main__":
    main()

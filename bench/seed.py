"""Seed a fresh benchmark database: N sites × M articles, each in English and German.

``M`` counts translation keys: every one of the M articles of a site is stored
twice (an ``en`` row and a ``de`` row sharing ``translation_key``, which is the
English slug, as the authoring format defaults it; slugs end in the article's
number, so keys are unique within a site and almost never shared across sites, except for
the About page, whose key is ``about`` on every site), so a site
has 2 × M article rows, plus one "About" page per language. 100 × 1,000 is
200,000 article rows and about 1.3 million references.

``word_count`` is ``len(body.split())`` (within a few percent of the app's
``count_words``, which costs 70 s at 200,000 bodies).

Schema: ``clinicjournal db upgrade`` (the real migrations, so the FTS5 table
and its triggers exist). Sites: ``manage.create_site`` (the CLI's code path).
Articles and references: SQLAlchemy Core ``executemany`` with explicit ids (so
references need no round trip), one transaction per site; the FTS triggers fire
on every insert, as they would for an import. Then ``config_generation`` is
bumped and the page-cache stamp touched, as any committed change does.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, event, text

import textgen

VENV_BIN = Path(sys.executable).parent
#: Settings of the caller's environment the benchmark keeps (for ``--cache redis``).
PASSED_THROUGH = ("CLINICJOURNAL_CACHE_REDIS_URL", "CLINICJOURNAL_CACHE_KEY_PREFIX")
#: One key for every process of a run: on a shared database the app refuses to make one per host.
RUN_SECRET_KEY = os.urandom(32).hex()


@dataclass
class SeedInfo:
    sites: list[str]
    articles_per_site: int
    article_rows: int = 0
    reference_rows: int = 0
    seconds: float = 0.0
    db_bytes: int = 0
    # Sample pages on the first site (en): what the benchmark loads.
    site: str = ""
    article_slug: str = ""
    category: str = "immune-health"
    search_query: str = "vitamin sleep"
    # en slugs of the first site's article with the fewest and the most references.
    fewest_refs_slug: str = ""
    most_refs_slug: str = ""
    refs_range: tuple[int, int] = (0, 0)
    # en slug → translation key of every article of the first site (soak picks from these).
    first_site_slugs: list[str] = field(default_factory=list)
    first_site_de_slugs: list[str] = field(default_factory=list)  # same order as first_site_slugs
    # site → [(locale, slug)] of its first 30 articles (the mixed loads spread over these).
    samples: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def app_env(instance: Path, db_url: str, cache_type: str = "simple") -> dict[str, str]:
    """Environment for the app (CLI, gunicorn, in-process) on the benchmark instance."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICJOURNAL_") or k in PASSED_THROUGH}
    env.update({
        "CLINICJOURNAL_INSTANCE_PATH": str(instance),
        "CLINICJOURNAL_DATABASE_URL": db_url,
        "CLINICJOURNAL_CACHE_TYPE": cache_type,
        "CLINICJOURNAL_STATIC_BUILD_DIR": str(instance / "static-build"),
        "CLINICJOURNAL_LOCALHOST_SITES": "true",  # the loads ask for each site as <slug>.localhost
        "CLINICJOURNAL_SECRET_KEY": RUN_SECRET_KEY,
    })
    return env


def apply_env(env: dict[str, str]) -> None:
    for key in [k for k in os.environ if k.startswith("CLINICJOURNAL_") and k not in PASSED_THROUGH]:
        del os.environ[key]
    os.environ.update({k: v for k, v in env.items() if k.startswith("CLINICJOURNAL_")})


def _fast_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=OFF")
    cur.execute("PRAGMA cache_size=-262144")  # 256 MB
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA foreign_keys=OFF")  # ids are consistent by construction
    cur.close()


def seed(instance: Path, db_url: str, n_sites: int, m_articles: int, *, rnd_seed: int = 7,
         console=None, quiet: bool = False) -> SeedInfo:
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn

    started = time.perf_counter()
    instance.mkdir(parents=True, exist_ok=True)
    env = app_env(instance, db_url)
    subprocess.run([str(VENV_BIN / "clinicjournal"), "db", "upgrade"], env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=300)
    if db_url.startswith("sqlite"):
        _check_fts_triggers(db_url)

    # Sites through the same code path as `clinicjournal site create`.
    apply_env(env)
    from clinicjournal import create_app
    from clinicjournal.store.manage import create_site
    from clinicjournal.store.models import Article, Reference

    app = create_app()
    slugs = [f"clinic-{i:03d}" for i in range(1, n_sites + 1)]
    with app.app_context():
        state = app.extensions["clinicjournal"]
        with state.sessionmaker() as sess:
            site_ids = {}
            for slug in slugs:
                site = create_site(sess, slug, f"Benchmark Clinic {slug[-3:]}", ["en", "de"],
                                   appearance={"primary": "#1f5f8b", "accent": "#2f8f6f",
                                               "tagline": "Health notes from our clinicians"})
                site_ids[slug] = site.id
            sess.commit()
    state.engine.dispose()

    engine = create_engine(db_url)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        event.listen(engine, "connect", _fast_pragmas)
    articles_t, refs_t = Article.__table__, Reference.__table__
    rnd = random.Random(rnd_seed)
    pools = textgen.make_pools(rnd)
    info = SeedInfo(sites=slugs, articles_per_site=m_articles, site=slugs[0])
    today = dt.date.today()
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    article_id = ref_id = 0
    with engine.connect() as conn:
        article_id = conn.scalar(text("SELECT coalesce(max(id), 0) FROM article")) or 0
        ref_id = conn.scalar(text("SELECT coalesce(max(id), 0) FROM reference")) or 0
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn()]
    with Progress(*columns, console=console, disable=quiet, transient=False) as bar:
        task = bar.add_task(f"Seeding {n_sites} site(s) × {m_articles} article(s) × 2 locales",
                            total=n_sites * m_articles)
        for s_index, slug in enumerate(slugs):
            site_id = site_ids[slug]
            art_rows, ref_rows = [], []
            ref_counts = []
            for i in range(m_articles):
                titles = {locale: textgen.title(rnd, locale) for locale in ("en", "de")}
                slugs_of = {locale: f"{textgen.slugify(t)}-{i}" for locale, t in titles.items()}
                key = slugs_of["en"]  # as in the authoring format: the key defaults to the slug
                refs = textgen.references(rnd, pools["en"], f"s{s_index}a{i}r")
                keys = [r.key for r in refs]
                published = today - dt.timedelta(days=rnd.randint(1, 1800))
                updated = min(today, published + dt.timedelta(days=rnd.randint(0, 90)))
                reviewed = published - dt.timedelta(days=rnd.randint(1, 20))
                changed = dt.datetime.combine(updated, dt.time(9, 30))
                category = textgen.CATEGORIES[rnd.randrange(len(textgen.CATEGORIES))]
                author, reviewer = textgen.person(rnd), textgen.person(rnd)
                for locale in ("en", "de"):
                    pool = pools[locale]
                    article_id += 1
                    title, slug_text = titles[locale], slugs_of[locale]
                    body = textgen.body(rnd, pool, keys, sections=6, per_paragraph=4)
                    art_rows.append({
                        "id": article_id, "site_id": site_id, "locale": locale, "slug": slug_text,
                        "translation_key": key, "kind": "article", "status": "published", "title": title,
                        "summary": " ".join(rnd.choices(pool.sentences, k=2)), "body": body,
                        "category": category, "published": published, "updated": updated, "reviewed": reviewed,
                        "author": author, "reviewer": reviewer,
                        "takeaway": " ".join(rnd.choices(pool.sentences, k=2)),
                        "faq": [{"q": q, "a": " ".join(rnd.choices(pool.sentences, k=rnd.randint(2, 3)))}
                                for q in rnd.sample(pool.questions, 3)],
                        "word_count": len(body.split()), "extra": {}, "modified": now,
                        "content_changed": changed, "next_review": reviewed + dt.timedelta(days=365),
                        "version": 1,
                    })
                    for position, ref in enumerate(refs):
                        ref_id += 1
                        ref_rows.append({
                            "id": ref_id, "article_id": article_id, "position": position, "key": ref.key,
                            "title": ref.title, "authors": ref.authors, "container": ref.container,
                            "kind": ref.kind, "year": ref.year, "url": ref.url, "doi": ref.doi,
                            "pmid": ref.pmid, "pmcid": ""})
                    if i < 30:
                        info.samples.setdefault(slug, []).append((locale, slug_text))
                    if s_index == 0 and locale == "de":
                        info.first_site_de_slugs.append(slug_text)
                    if s_index == 0 and locale == "en":
                        ref_counts.append((len(refs), slug_text))
                        info.first_site_slugs.append(slug_text)
                if (i + 1) % 250 == 0:
                    bar.advance(task, 250)
            for locale, page_slug, page_title in (("en", "about", "About this clinic"),
                                                  ("de", "ueber-uns", "Über diese Praxis")):
                article_id += 1
                art_rows.append({
                    "id": article_id, "site_id": site_id, "locale": locale, "slug": page_slug,
                    "translation_key": "about", "kind": "page", "status": "published", "title": page_title,
                    "summary": "", "body": "\n\n".join(" ".join(rnd.choices(pools[locale].sentences, k=4))
                                                       for _ in range(3)) + "\n",
                    "category": None, "published": today - dt.timedelta(days=2000), "updated": None,
                    "reviewed": None, "author": "", "reviewer": "", "takeaway": "", "faq": [],
                    "word_count": 150, "extra": {}, "modified": now, "content_changed": now,
                    "next_review": None, "version": 1})
            with engine.begin() as conn:
                for start in range(0, len(art_rows), 1000):
                    conn.execute(articles_t.insert(), art_rows[start:start + 1000])
                for start in range(0, len(ref_rows), 5000):
                    conn.execute(refs_t.insert(), ref_rows[start:start + 5000])
            info.article_rows += len(art_rows)
            info.reference_rows += len(ref_rows)
            bar.update(task, completed=(s_index + 1) * m_articles)
            if s_index == 0:
                ref_counts.sort()
                info.fewest_refs_slug, info.most_refs_slug = ref_counts[0][1], ref_counts[-1][1]
                info.refs_range = (ref_counts[0][0], ref_counts[-1][0])
                info.article_slug = info.first_site_slugs[len(info.first_site_slugs) // 2]
    if engine.dialect.name == "postgresql":
        # Explicit ids do not move PostgreSQL's sequences; without this the first import
        # (the soak's editor re-writes references) would collide with a seeded id.
        with engine.begin() as conn:
            for table in ("article", "reference"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    with engine.begin() as conn:
        updated = conn.execute(text("UPDATE install_state SET value = value + 1 WHERE key = 'config_generation'"))
        if not updated.rowcount:
            conn.execute(text("INSERT INTO install_state (key, value) VALUES ('config_generation', 1)"))
    first_word = textgen.slugify(info.search_query.split()[0])
    with engine.connect() as conn:
        if sqlite:
            fts = conn.scalar(text("SELECT count(*) FROM article_fts WHERE article_fts MATCH :q"), {"q": first_word})
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:  # PostgreSQL: the search vector is a generated column, there is nothing to trigger
            fts = conn.scalar(text("SELECT count(*) FROM article WHERE search_vector @@ plainto_tsquery('simple', :q)"),
                              {"q": first_word})
            info.db_bytes = conn.scalar(text("SELECT pg_database_size(current_database())"))
    engine.dispose()
    if not fts:
        raise RuntimeError("the search index finds nothing after seeding: the search triggers did not fire")
    stamp = instance / "cache-generation"
    stamp.touch()
    info.seconds = time.perf_counter() - started
    if sqlite:
        db_path = Path(db_url.removeprefix("sqlite:///"))
        info.db_bytes = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))
    return info


def _check_fts_triggers(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            names = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    finally:
        engine.dispose()
    missing = {"article_fts_insert", "article_fts_delete", "article_fts_update"} - names
    if missing:
        raise RuntimeError(f"search triggers missing after `db upgrade`: {sorted(missing)}")

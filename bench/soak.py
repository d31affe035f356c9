"""Soak: hold the server at saturation with readers while an editor saves, then
check that nothing was lost (issue 8, item 6).

    /tmp/venv/bin/python bench/soak.py                       # 5 minutes, 20 sites × 200 articles
    /tmp/venv/bin/python bench/soak.py --duration 20 --sites 2 --articles 20    # a smoke run
    # the deployment shape of a multi-host install: PostgreSQL, the shared Redis page cache,
    # two gunicorn servers (each its own master and workers, as two hosts would run them)
    .venv/bin/python bench/soak.py --database-url postgresql://postgres@127.0.0.1:5432/test \
        --cache redis --servers 2

- Database: SQLite in a temp folder, or with ``--database-url`` a fresh database the
  soak creates on that PostgreSQL server and drops afterwards (the named database is
  only used to connect). ``--cache redis`` uses ``CLINICJOURNAL_CACHE_REDIS_URL`` (or
  redis://127.0.0.1:6379/0) under a key prefix of the run's own, deleted afterwards.
- Servers: ``--servers`` gunicorn masters on their own ports, each with ``--workers``
  sync workers, sharing the database and (with redis) the page cache.
- Readers: one ``wrk`` per server (``-t2 -c32`` each, 127.0.0.1 only) with a Lua script that picks
  each request at random from a mix of article pages (both languages, several
  sites, including the articles being edited), journal index pages, category
  pages, feeds and searches, and counts responses by status class (2xx/3xx/4xx/5xx).
- Editor: a separate process that, every ``--save-interval`` seconds (0.5),
  appends a paragraph with a unique marker to one article of the first site
  (rotating over ``--edited`` articles in both languages) through
  ``clinicjournal.content.documents.import_documents``, the code path of
  ``clinicjournal content import``, and commits. Right after each commit it
  fetches the article from every server and checks the marker is served by each
  (a stale page on any of them would be a cache bug).
- Memory: VmRSS and VmHWM of each gunicorn worker every few seconds. "Start" is
  taken after ``--warmup`` seconds under load (caches filled), "end" at the end.
- Afterwards: every save's marker must be in its article's served page (markers
  accumulate, so the last page shows them all) and in an ``article_revision`` row.

PASS needs: zero 5xx, no socket errors, no worker restarts, memory growth per
worker ≤ 10 % from start to end, every save committed, served right after its
commit and present at the end.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import common  # noqa: E402
import seed as seeding  # noqa: E402
from common import LOCAL, ROOT, WRK, Server, fetch, mb, proc_status_kb  # noqa: E402
from soak_readers import LUA, lua_paths  # noqa: E402

console = Console(width=None if sys.stdout.isatty() else 140)
GROWTH_LIMIT = 0.10


# -- the editor (a separate process) ----------------------------------------------------

def editor_main(cfg: dict) -> None:
    """Save one article every ``interval`` seconds until ``deadline``; one JSON line per save."""
    import datetime as dt
    import secrets
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle; it ends this process
    seeding.apply_env(cfg["env"])
    from sqlalchemy import select

    from clinicjournal import create_app
    from clinicjournal.content.documents import import_documents, to_data
    from clinicjournal.content.fingerprint import content_hash
    from clinicjournal.content.revisions import snapshot_of
    from clinicjournal.store.manage import get_site
    from clinicjournal.store.models import Article

    app = create_app()
    state = app.extensions["clinicjournal"]
    out = open(cfg["out"], "a", buffering=1, encoding="utf-8")
    edited = [tuple(x) for x in cfg["edited"]]
    deadline, interval = cfg["deadline"], cfg["interval"]
    max_saves = int((deadline - time.time()) / interval) + 5
    host = f"{cfg['site']}.localhost"

    def check_served(record: dict) -> None:
        """Fetch the article from every server just after its commit (in a thread, so
        a slow response under load does not hold up the next save)."""
        if record.get("ok"):
            record["fresh"], record["status"] = True, []
            for port in cfg["ports"]:
                try:
                    started = time.perf_counter()
                    got = fetch(port, f"/{record['locale']}/{record['slug']}/", host, timeout=30)
                    record["fetch_s"] = max(record.get("fetch_s", 0.0), time.perf_counter() - started)
                    record["status"].append(got.status)
                    record["fresh"] = record["fresh"] and record["marker"].encode() in got.body
                except OSError as exc:
                    record["status"].append(None)
                    record["fresh"] = False
                    record["fetch_error"] = str(exc)
        with lock:
            out.write(json.dumps(record) + "\n")

    lock = threading.Lock()
    with app.app_context(), ThreadPoolExecutor(max_workers=4) as pool:
        for number in range(max_saves):
            tick = time.time()
            if tick >= deadline:
                break
            locale, slug = edited[number % len(edited)]
            marker = f"soakmark{number:05d}x{secrets.token_hex(4)}"
            record = {"n": number, "locale": locale, "slug": slug, "marker": marker, "at": tick}
            try:
                with state.sessionmaker() as sess:
                    site = get_site(sess, cfg["site"])
                    article = sess.scalar(select(Article).where(Article.site_id == site.id,
                                                                Article.locale == locale, Article.slug == slug))
                    doc = to_data(article)
                    doc.body = doc.body.rstrip("\n") + f"\n\nSoak revision {number}: {marker}.\n"
                    doc.updated = dt.date.today()
                    # A live article only takes text that is signed off (issue 15): sign this
                    # text, as a reviewer's sign-off block in an imported file would.
                    doc.signoff = {"hash": content_hash(snapshot_of(doc)), "reviewer": "Soak Reviewer",
                                   "date": dt.date.today()}
                    started = time.perf_counter()
                    report = import_documents(sess, site, [doc])
                    sess.commit()
                    record["save_s"] = time.perf_counter() - started
                    record["ok"] = bool(report.updated)
                    if not record["ok"]:
                        record["error"] = f"not published: {vars(report)}"[:500]
            except Exception as exc:  # record and go on: the report counts failures
                record["ok"], record["error"] = False, f"{type(exc).__name__}: {exc}"[:500]
            pool.submit(check_served, record)
            time.sleep(max(0.0, interval - (time.time() - tick)))
    out.close()
    state.engine.dispose()


# -- main ------------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=int, default=300, help="seconds at saturation (default 300)")
    p.add_argument("--sites", type=int, default=20, help="sites to seed (default 20)")
    p.add_argument("--articles", type=int, default=200, help="articles per site, each in en + de (default 200)")
    p.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--save-interval", type=float, default=0.5, help="seconds between saves (default 0.5)")
    p.add_argument("--edited", type=int, default=20,
                   help="articles of the first site the editor rotates over, each in en and de (default 20)")
    p.add_argument("--cache", choices=("simple", "null", "redis"), default="simple",
                   help="page cache of the server under test (default simple)")
    p.add_argument("--database-url", help="a PostgreSQL server to soak on (e.g. postgresql://postgres@127.0.0.1:5432/"
                   "test): the soak creates a database of its own there and drops it; default: SQLite")
    p.add_argument("--servers", type=int, default=1, help="gunicorn servers sharing the database (default 1)")
    p.add_argument("--workers", type=int, default=2, help="sync workers per server (default 2)")
    p.add_argument("--warmup", type=int, help="seconds under load before the 'start' memory sample "
                   "(default: a tenth of --duration, at most 30)")
    p.add_argument("--sample-every", type=float, default=5.0, help="seconds between memory samples")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    p.add_argument("--keep", action="store_true", help="keep the temp folder (database, logs, saves)")
    args = p.parse_args(argv)
    if args.warmup is None:
        args.warmup = min(30, max(2, args.duration // 10))
    if args.duration < 5 or args.warmup >= args.duration:
        p.error("--duration must be at least 5 s and longer than --warmup")
    if args.servers < 1 or args.workers < 1:
        p.error("--servers and --workers must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    common.install_cleanup()
    common.keep_temp(args.keep)
    try:
        return soak(args)
    except KeyboardInterrupt:
        console.print("[red]interrupted; cleaning up")
        return 130
    finally:
        common.cleanup()


def soak(args) -> int:
    tmp = common.make_temp_dir("cjsoak-")
    instance = tmp / "instance"
    db_url = (common.temp_database(args.database_url) if args.database_url
              else f"sqlite:///{instance / 'bench.sqlite'}")
    if args.cache == "redis":
        redis_url = os.environ.setdefault("CLINICJOURNAL_CACHE_REDIS_URL", "redis://127.0.0.1:6379/0")
        os.environ["CLINICJOURNAL_CACHE_KEY_PREFIX"] = common.redis_prefix(redis_url)
    info = seeding.seed(instance, db_url, args.sites, args.articles, console=console)
    console.print(f"seeded {info.article_rows:,} article rows in {info.seconds:.1f} s")
    env = seeding.app_env(instance, db_url, args.cache)
    host = f"{info.site}.localhost"
    # The editor rotates over articles of the first site in both languages.
    count = max(1, min(args.edited, len(info.first_site_slugs)))
    edited = [pair for i in range(count) for pair in (("en", info.first_site_slugs[i]),
                                                      ("de", info.first_site_de_slugs[i]))]
    servers = [Server(f"soak{i + 1}", "wsgi:application", env, ROOT, tmp, workers=args.workers)
               for i in range(args.servers)]
    for server in servers:
        server.wait_ready("/en/", host)
    script = tmp / "mix.lua"
    mix = lua_paths(info, edited, info.search_query)
    script.write_text(LUA % ",\n".join(f'  {{"{h}", "{p}"}}' for h, p in mix))
    for server in servers:
        for h, p in sorted(set(mix)):  # every path of the mix answers 200 on every server before the soak
            status = fetch(server.port, p, h).status
            if status != 200:
                raise RuntimeError(f"{h}{p}: HTTP {status} from {server.name} before the soak")

    saves_file = tmp / "saves.jsonl"
    deadline = time.time() + args.duration
    database = "PostgreSQL" if db_url.startswith("postgresql") else "SQLite"
    console.rule(f"[bold]soak: {args.duration} s on {database}, cache {args.cache}, {args.servers} server(s) × "
                 f"{args.workers} worker(s), wrk -t{args.threads} -c{args.connections} per server over "
                 f"{len(set(mix))} URLs, a save every {args.save_interval} s")
    import subprocess

    readers = [common.track(subprocess.Popen(
        [WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "--timeout=10s",
         "-s", str(script), f"http://{LOCAL}:{server.port}/"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)) for server in servers]
    ctx = multiprocessing.get_context("spawn")
    editor = ctx.Process(target=editor_main, name="soak-editor", daemon=True, kwargs={"cfg": {
        "env": env, "out": str(saves_file), "edited": edited, "deadline": deadline,
        "interval": args.save_interval, "site": info.site, "ports": [server.port for server in servers]}})
    editor.start()

    samples: list[dict] = []  # {"t": seconds, pid: (rss_mb, hwm_mb)}
    started = time.time()
    def all_workers() -> list[int]:
        return [pid for server in servers for pid in server.workers()]

    workers_seen: set[int] = set(all_workers())
    while time.time() < deadline + 1 and any(reader.poll() is None for reader in readers):
        row = {"t": round(time.time() - started, 1)}
        for pid in all_workers():
            workers_seen.add(pid)
            row[pid] = (mb(proc_status_kb(pid, "VmRSS")), mb(proc_status_kb(pid, "VmHWM")))
        samples.append(row)
        elapsed = time.time() - started
        saves = sum(1 for _ in open(saves_file)) if saves_file.exists() else 0
        rss = ", ".join(f"{v[0]:.0f}" for k, v in row.items() if k != "t" and v[0])
        console.print(f"  {elapsed:5.0f} s  workers RSS {rss} MB  saves {saves}")
        time.sleep(min(args.sample_every, max(0.1, deadline - time.time())))
    outputs = []
    for reader in readers:
        try:
            outputs.append(reader.communicate(timeout=60)[0])
        except subprocess.TimeoutExpired:
            common.stop_process(reader)
            outputs.append("")
    editor.join(timeout=120)
    if editor.is_alive():
        editor.terminate()
        editor.join(timeout=10)
    final_workers = all_workers()
    final = {pid: (mb(proc_status_kb(pid, "VmRSS")), mb(proc_status_kb(pid, "VmHWM"))) for pid in final_workers}
    runs = [common.parse_wrk(out) for out in outputs]
    classes: dict[str, int] = {}
    for out in outputs:
        if "STATUS " not in out:
            classes = {}  # a wrk that printed no count: the status rows say "?" and fail
            break
        for kv in out.split("STATUS ", 1)[1].split()[:5]:
            name, value = kv.split("=")
            classes[name] = classes.get(name, 0) + int(value)

    # -- after: every save present ---------------------------------------------------------
    saves = [json.loads(line) for line in open(saves_file)] if saves_file.exists() else []
    served: dict[tuple[int, str, str], bytes] = {}
    for save in saves:
        for server in servers:
            key = (server.port, save["locale"], save["slug"])
            if key not in served:
                got = fetch(server.port, f"/{key[1]}/{key[2]}/", host)
                served[key] = got.body if got.status == 200 else b""
    revisions = revision_bodies(db_url, info.site, edited)
    for save in saves:
        key = (save["locale"], save["slug"])
        save["served_after"] = all(save["marker"].encode() in served[(server.port, *key)] for server in servers)
        save["in_revision"] = any(save["marker"] in body for body in revisions.get(key, []))
    for server in servers:
        server.stop()

    # -- report ------------------------------------------------------------------------------
    warm = next((s for s in samples if s["t"] >= args.warmup), samples[0] if samples else {"t": 0})
    table = Table(title="Soak", title_justify="left")
    for name in ("figure", "value", "result"):
        table.add_column(name, justify="right" if name == "value" else "left")
    checks = []

    def add(label, value, ok=None):
        table.add_row(label, value, "" if ok is None else "[green]PASS" if ok else "[red]FAIL")
        if ok is not None:
            checks.append(ok)

    for server, wrk in zip(servers, runs):
        label = f" on {server.name}" if len(servers) > 1 else ""
        add(f"requests (wrk){label}", f"{wrk.requests:,} in {wrk.seconds:.0f} s = {wrk.rps:,.0f} req/s")
        add(f"latency p50 / p99{label}", f"{run_fmt(wrk.p50_ms)} / {run_fmt(wrk.p99_ms)}")
    socket_errors = sum(wrk.socket_errors for wrk in runs)
    add("responses 2xx / 3xx / 4xx", " / ".join(str(classes.get(k, "?")) for k in ("2xx", "3xx", "4xx")),
        classes.get("4xx", 1) == 0 if classes else None)
    add("5xx responses", str(classes.get("5xx", "?")), classes.get("5xx", 1) == 0)
    add("socket errors (connect/read/write/timeout)",
        f"{socket_errors} ({sum(wrk.timeouts for wrk in runs)} timeouts)", socket_errors == 0)
    restarted = sorted(workers_seen - set(final_workers))
    add("worker restarts", "none" if not restarted else f"gone: {restarted}, now {final_workers}", not restarted)
    for pid in final_workers:
        start = warm.get(pid, (None, None))[0]
        end = final.get(pid, (None, None))[0]
        if start and end:
            growth = (end - start) / start
            add(f"worker {pid} RSS at {warm['t']:.0f} s → end (peak)",
                f"{start:.0f} → {end:.0f} MB ({growth:+.1%}; peak {final[pid][1]:.0f} MB)", growth <= GROWTH_LIMIT)
        else:
            add(f"worker {pid} RSS", "no sample", False)
    ok_saves = [s for s in saves if s.get("ok")]
    failed = [s for s in saves if not s.get("ok")]
    lat = sorted(s["save_s"] for s in ok_saves)
    add("saves committed", f"{len(ok_saves)} of {len(saves)} attempted"
        + (f"; first error: {failed[0].get('error')}" if failed else ""), bool(saves) and not failed)
    if lat:
        add("save time p50 / p99 / max",
            f"{lat[len(lat) // 2] * 1000:.0f} / {lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000:.0f} / "
            f"{lat[-1] * 1000:.0f} ms")
    stale = [s for s in ok_saves if not s.get("fresh")]
    add("served right after its commit" + (" by every server" if len(servers) > 1 else ""),
        f"{len(ok_saves) - len(stale)} of {len(ok_saves)}"
        + (f"; first stale: {stale[0]['locale']}/{stale[0]['slug']} ({stale[0].get('status')})" if stale else ""),
        not stale)
    missing = [s for s in ok_saves if not (s["served_after"] and s["in_revision"])]
    add("every save present afterwards (served page + revision)", f"{len(ok_saves) - len(missing)} of {len(ok_saves)}",
        not missing)
    console.print(table)
    console.print(f"[dim]{args.sites} site(s) × {args.articles} article(s) × 2 locales, {database}, "
                  f"{args.servers} server(s) × {args.workers} worker(s), cache {args.cache}, "
                  f"load average now {os.getloadavg()[0]:.2f}")
    ok = all(checks)
    if args.json:
        args.json.write_text(json.dumps({
            "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "wrk": [{k: v for k, v in vars(wrk).items() if k != "raw"} for wrk in runs], "status_classes": classes,
            "memory_samples": [{str(k): v for k, v in s.items()} for s in samples],
            "final_memory": {str(k): v for k, v in final.items()}, "saves": saves, "pass": ok}, indent=1))
    return 0 if ok else 1


def run_fmt(value):
    return "—" if value is None else f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"


def revision_bodies(db_url: str, site_slug: str, edited) -> dict[tuple[str, str], list[str]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    found: dict[tuple[str, str], list[str]] = {}
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT a.locale, a.slug, r.data FROM article_revision r JOIN article a ON a.id = r.article_id "
                "JOIN site s ON s.id = a.site_id WHERE s.slug = :site"), {"site": site_slug})
            for locale, slug, data in rows:
                body = (json.loads(data) if isinstance(data, str) else data or {}).get("body", "")
                found.setdefault((locale, slug), []).append(body)
    finally:
        engine.dispose()
    return found


if __name__ == "__main__":
    sys.exit(main())

"""clinicjournal benchmark: seed N sites × M articles, load the reader pages with wrk
under gunicorn (2 sync workers) with the page cache on and off, and compare with
two ceilings measured in the same run: the same article bytes as a WhiteNoise
static file, and a bare Flask + Jinja page of those bytes.

    /tmp/venv/bin/python bench/run.py --quick            # 2 sites × 20 articles, 3 s per load
    /tmp/venv/bin/python bench/run.py                    # 100 sites × 1,000 articles, 10 s per load
    /tmp/venv/bin/python bench/run.py --scale            # also 1 × 20, and latency ratios big/small

See bench/README.md for what each figure means. Only 127.0.0.1 is contacted;
every process and temp folder is removed at exit (also on Ctrl+C).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rich.console import Console  # noqa: E402

import common  # noqa: E402
import seed as seeding  # noqa: E402
from common import BENCH, ROOT, Server, fetch, mb, proc_status_kb, run_wrk  # noqa: E402
from report import (PAGES, SCALE_PAGES, Row, ScaleResult, context_lines, fmt_ms, results_table,  # noqa: E402
                    scale_table, targets_table)

STATIC_PATH = "/static/bench/article.html"
#: the compressed loads (issue 20, item 4): the same server and path as their plain mode,
#: asked with the Accept-Encoding browsers send; WhiteNoise answers from a pre-compressed sibling
ENCODED_MODES = {"cached-br": "cached", "static-br": "static"}
ACCEPT_ENCODING = "gzip, deflate, br, zstd"

console = Console(width=None if sys.stdout.isatty() else 150)


def page_paths(info: seeding.SeedInfo) -> dict[str, str]:
    return {
        "article": f"/en/{info.article_slug}/",
        "index": "/en/",
        "category": f"/en/category/{info.category}/",
        "feed": "/en/feed.xml",
        "search": "/en/search?q=" + quote_plus(info.search_query),
        "mix": "/",  # wrk script: a random article of up to 30 per site, both locales, every site
    }


MIX_LUA = r"""
local paths = {
%s
}
local count = 0
function setup(thread)
  count = count + 1
  thread:set("id", count)
end
function init(args)
  math.randomseed(os.time() + (id or 0) * 7919)
end
function request()
  local p = paths[math.random(#paths)]
  return wrk.format("GET", p[2], {["Host"] = p[1]})
end
"""


def mix_urls(info: seeding.SeedInfo) -> list[tuple[str, str]]:
    return [(f"{site}.localhost", f"/{locale}/{slug}/") for site, pairs in info.samples.items()
            for locale, slug in pairs]


# -- SQL per request, in process -------------------------------------------------------

def measure_sql(env_for, paths: dict[str, str], host: str, info: seeding.SeedInfo, cache: str = "simple"
                ) -> tuple[dict[tuple[str, str], int], dict, bytes]:
    """Queries per request for each page, cached and uncached, counted with a
    ``before_cursor_execute`` listener on the app's engine. Each page is requested
    once to warm up (site registry, fragment memo, page cache), then counted on
    the next request. Returns counts, per-article detail, and the article page's bytes."""
    from sqlalchemy import event

    counts: dict[tuple[str, str], int] = {}
    inproc: dict[tuple[str, str], float] = {}
    detail: dict = {}
    article_bytes = b""
    variants = {"fewest refs": f"/en/{info.fewest_refs_slug}/", "median": paths["article"],
                "most refs": f"/en/{info.most_refs_slug}/"}
    for mode, cache_type in (("uncached", "null"), ("cached", cache)):
        seeding.apply_env(env_for(cache_type))
        from clinicjournal import create_app

        app = create_app()
        engine = app.extensions["clinicjournal"].engine
        statements: list[str] = []

        def listener(_conn, _cursor, statement, *_args, _seen=statements):
            _seen.append(statement)

        event.listen(engine, "before_cursor_execute", listener)
        client = app.test_client()
        try:
            def count(path: str) -> tuple[int, int, bytes]:
                client.get(path, headers={"Host": host})  # warm
                statements.clear()
                resp = client.get(path, headers={"Host": host})
                return len(statements), resp.status_code, resp.data

            def timed(path: str, times: int = 15, budget_s: float = 3.0) -> float:
                """Median wall time of one request in process (no server, no concurrency), ms:
                ``times`` requests, fewer (at least one) when they take longer than ``budget_s`` in all."""
                spent: list[float] = []
                while len(spent) < times and (not spent or sum(spent) < budget_s * 1000):
                    t0 = time.perf_counter()
                    client.get(path, headers={"Host": host})
                    spent.append((time.perf_counter() - t0) * 1000)
                return median(spent)

            for page, path in paths.items():
                if page == "mix":
                    continue
                n, status, data = count(path)
                if status != 200:
                    console.print(f"[yellow]in-process {mode} {page} {path}: HTTP {status}")
                counts[(page, mode)] = n
                inproc[(page, mode)] = timed(path)
                if page == "article" and mode == "uncached":
                    article_bytes = data
            per_variant = {}
            for label, path in variants.items():
                n, status, _ = count(path)
                per_variant[label] = n if status == 200 else f"HTTP {status}"
            detail[mode] = per_variant
            numeric = [v for v in per_variant.values() if isinstance(v, int)]
            counts[("article", mode)] = max([counts[("article", mode)], *numeric])
        finally:
            event.remove(engine, "before_cursor_execute", listener)
            engine.dispose()
    detail["refs_range"] = list(info.refs_range)
    detail["inproc_ms"] = {f"{page}/{mode}": ms for (page, mode), ms in inproc.items()}
    return counts, detail, article_bytes


# -- loading -------------------------------------------------------------------------

@dataclass
class Prepared:
    """One seeded scale, its servers and its rows."""

    result: ScaleResult
    instance: Path
    db_url: str
    host: str
    paths: dict[str, str]
    article_bytes: bytes
    cache: str = "simple"  # CACHE_TYPE of the cached server and of the in-process count
    mix_script: Path | None = None
    mix_first: tuple[str, str] | None = None
    servers: dict[str, Server] = field(default_factory=dict)  # mode → server
    rounds: dict[tuple[str, str], list] = field(default_factory=dict)  # (page, mode) → WrkResults

    def env_for(self, cache_type: str) -> dict[str, str]:
        return seeding.app_env(self.instance, self.db_url, cache_type)


def prepare(n_sites: int, m_articles: int, pages: tuple[str, ...], cache: str = "simple") -> Prepared:
    """Seed, count SQL in process, and write the static file and the bare page's body."""
    tmp = common.make_temp_dir()
    instance = tmp / "instance"
    db_url = f"sqlite:///{instance / 'bench.sqlite'}"
    console.rule(f"[bold]{n_sites} site(s) × {m_articles} article(s) (× 2 locales)")
    info = seeding.seed(instance, db_url, n_sites, m_articles, console=console)
    console.print(f"seeded {info.article_rows:,} article rows and {info.reference_rows:,} references in "
                  f"{info.seconds:.1f} s; database {info.db_bytes / 1e6:,.0f} MB")
    result = ScaleResult(n_sites, m_articles, seed={k: v for k, v in asdict(info).items()
                                                     if k not in ("first_site_slugs", "first_site_de_slugs", "sites", "samples")})
    host = f"{info.site}.localhost"
    paths = {k: v for k, v in page_paths(info).items() if k in pages}
    prep = Prepared(result, instance, db_url, host, paths, b"", cache=cache)
    counts, result.sql_detail, prep.article_bytes = measure_sql(prep.env_for, paths, host, info, cache)
    if not prep.article_bytes:
        raise RuntimeError("the article page did not render in process")
    result.page_bytes = len(prep.article_bytes)
    result.sql_counts = {f"{page}/{mode}": n for (page, mode), n in counts.items()}
    static_file = instance / "static-build" / STATIC_PATH.removeprefix("/static/")
    static_file.parent.mkdir(parents=True, exist_ok=True)
    static_file.write_bytes(prep.article_bytes)  # before gunicorn starts: WhiteNoise indexes files at start
    import brotli

    static_file.with_name(static_file.name + ".br").write_bytes(brotli.compress(prep.article_bytes))
    (tmp / "bare-body.html").write_bytes(prep.article_bytes)
    if "mix" in paths:
        urls = mix_urls(info)
        prep.mix_script, prep.mix_first = tmp / "mix.lua", urls[0]
        prep.mix_script.write_text(MIX_LUA % ",\n".join(f'  {{"{h}", "{p}"}}' for h, p in urls))
        result.mix_urls = len(urls)
    return prep


def start_servers(prep: Prepared, ceilings: bool) -> None:
    tmp = prep.instance.parent
    label = f"{prep.result.sites}x{prep.result.articles}"
    prep.servers["cached"] = Server(f"{label}-cached", "wsgi:application", prep.env_for(prep.cache), ROOT, tmp)
    prep.servers["uncached"] = Server(f"{label}-uncached", "wsgi:application", prep.env_for("null"), ROOT, tmp)
    if ceilings:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICJOURNAL_")}
        env["BENCH_BARE_BODY"] = str(tmp / "bare-body.html")
        prep.servers["bare"] = Server(f"{label}-bare", "bare_app:app", env, BENCH, tmp)
        prep.servers["static"] = prep.servers["cached"]  # WhiteNoise in front of the same app
    for mode, server in prep.servers.items():
        if mode == "bare":
            server.wait_ready("/", "localhost")
            if fetch(server.port, "/", "localhost").body != prep.article_bytes:
                raise RuntimeError("the bare page's bytes differ from the article's")
        elif mode == "static":
            got = fetch(server.port, STATIC_PATH, prep.host)
            if got.status != 200 or got.body != prep.article_bytes:
                raise RuntimeError(f"static file: HTTP {got.status}, {len(got.body)} bytes "
                                   f"(expected 200 and the article's {len(prep.article_bytes)} bytes)")
        else:
            server.wait_ready(prep.paths["article"], prep.host)


def target_of(prep: Prepared, page: str, mode: str) -> tuple[Server, str, str]:
    mode = ENCODED_MODES.get(mode, mode)
    server = prep.servers[mode]
    if mode == "static":
        return server, STATIC_PATH, prep.host
    if mode == "bare":
        return server, "/", "localhost"
    return server, prep.paths[page], prep.host


def get_row(prep: Prepared, page: str, mode: str) -> Row:
    row = prep.result.row(page, mode)
    if row is None:
        _, path, _ = target_of(prep, page, mode)
        sql = prep.result.sql_counts.get(f"{page}/{mode}") if mode in ("cached", "uncached") else None
        row = Row(page, mode, path, sql=sql,
                  inproc_ms=prep.result.sql_detail.get("inproc_ms", {}).get(f"{page}/{mode}"))
        prep.result.rows.append(row)
    return row


def load(prep: Prepared, page: str, mode: str, args) -> None:
    """One wrk load of (page, mode), after a warm-up the first time; adds to the row."""
    server, path, host = target_of(prep, page, mode)
    row = get_row(prep, page, mode)
    results = prep.rounds.setdefault((page, mode), [])
    script = prep.mix_script if page == "mix" else None
    check_host, check_path = prep.mix_first if page == "mix" else (host, path)
    headers = {"Accept-Encoding": ACCEPT_ENCODING} if mode in ENCODED_MODES else {}
    extra = ["-H", f"Accept-Encoding: {ACCEPT_ENCODING}"] if headers else []
    if not results:
        before = safe_fetch(server.port, check_path, check_host, headers)
        row.status_before, row.bytes = before.status, len(before.body)  # on the wire: compressed or not
        row.encoding = before.headers.get("content-encoding", "")
        if args.warmup and page != "mix":  # the mix starts cold on purpose: first renders included
            warm = run_wrk(server.port, path, host, args.warmup, args.connections, args.threads, args.wrk_timeout,
                           script=script, extra=extra)
            row.warmup_non2xx, row.warmup_socket_errors = warm.non2xx, warm.socket_errors
        if mode in ("cached", "cached-br") and page != "mix":
            row.cache_hit = safe_fetch(server.port, path, host, headers).headers.get("x-cache") == "hit"
    result = run_wrk(server.port, path, host, args.duration, args.connections, args.threads, args.wrk_timeout,
                     script=script, extra=extra)
    results.append(result)
    row.status_after = safe_fetch(server.port, check_path, check_host, headers).status
    row.rps = median([r.rps for r in results])
    row.rps_rounds = [r.rps for r in results]
    for name in ("p50_ms", "p99_ms", "avg_ms"):
        values = [getattr(r, name) for r in results if getattr(r, name) is not None]
        setattr(row, name, median(values) if values else None)
    for name in ("requests", "non2xx", "socket_errors", "timeouts"):
        setattr(row, name, sum(getattr(r, name) for r in results))
    peak = worker_peak_mb(server)
    row.rss_mb = max(filter(None, (row.rss_mb, peak)), default=None)
    scale = f"{prep.result.sites}×{prep.result.articles}"
    console.print(f"  {scale:>9} {page:9} {mode:9} {result.rps:9.1f} req/s  p50 {fmt_ms(result.p50_ms):>8}  "
                  f"p99 {fmt_ms(result.p99_ms):>8}  non-2xx {result.non2xx}  socket errors {result.socket_errors}")


def safe_fetch(port: int, path: str, host: str, headers: dict | None = None) -> common.Fetched:
    """A check request; a slow page (behind the requests wrk abandoned) gets a minute,
    and a failure is a status of 0 rather than a crash."""
    try:
        return fetch(port, path, host, timeout=60, headers=headers)
    except OSError as exc:
        console.print(f"[red]GET {host}{path}: {exc}")
        return common.Fetched(0, {}, b"")


def median(values: list[float]) -> float | None:
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def worker_peak_mb(server: Server) -> float | None:
    values = [mb(proc_status_kb(pid, "VmHWM")) for pid in server.workers()]
    values = [v for v in values if v is not None]
    return max(values) if values else None


#: what each measured mode is compared with, in the same round
CEILING_OF = {"cached": "static", "uncached": "bare", "cached-br": "static-br"}


def run_loads(big: Prepared, small: Prepared | None, args) -> None:
    """Interleave the loads whose results are compared, round after round, so a
    change in background load between them moves both sides of each ratio."""
    compared: list[tuple[Prepared, str, str]] = [(big, "article", "static"), (big, "article", "cached"),
                                                 (big, "article", "bare"), (big, "article", "uncached"),
                                                 (big, "article", "static-br"), (big, "article", "cached-br")]
    if small is not None:
        for page in SCALE_PAGES:
            for mode in ("cached", "uncached"):
                if page in small.paths:
                    for prep in (small, big):
                        if (prep, page, mode) not in compared:
                            compared.append((prep, page, mode))
    for number in range(args.rounds):
        console.print(f"[bold]round {number + 1} of {args.rounds}")
        for prep, page, mode in compared:
            load(prep, page, mode, args)
            if prep is big and page == "article" and mode in CEILING_OF:
                ceiling = big.rounds.get(("article", CEILING_OF[mode]))
                if ceiling and len(ceiling) == len(big.rounds[("article", mode)]):
                    get_row(big, "article", mode).ratio_rounds.append(
                        big.rounds[("article", mode)][-1].rps / ceiling[-1].rps if ceiling[-1].rps else 0.0)
    console.print("[bold]other pages (once)")
    # Search last: when it is slow, the requests wrk abandons still occupy the sync
    # workers after the load ends, and would slow whatever came next on that server.
    for mode in ("cached", "uncached"):
        for page in sorted(big.paths, key=lambda p: p == "search"):
            if (big, page, mode) not in compared:
                load(big, page, mode, args)
    static, bare = big.result.row("article", "static"), big.result.row("article", "bare")
    for row in big.result.rows:
        if row.ratio_rounds:  # the article: median of same-round ratios
            row.ratio = median(row.ratio_rounds)
        elif row.mode == "cached" and static and static.rps:
            row.ratio = row.rps / static.rps
        elif row.mode == "uncached" and bare and bare.rps:
            row.ratio = row.rps / bare.rps
        row.ratio_to = CEILING_OF.get(row.mode, "")


# -- reporting -----------------------------------------------------------------------

# -- main ----------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sites", type=int, help="sites to seed (default 100; --quick: 2)")
    p.add_argument("--articles", type=int, help="articles per site, each in en + de (default 1000; --quick: 20)")
    p.add_argument("--duration", type=int, help="seconds per wrk load (default 10; --quick: 3)")
    p.add_argument("--warmup", type=int, help="seconds of wrk warm-up before each load (default 2; --quick: 1)")
    p.add_argument("--rounds", type=int, help="rounds of the compared loads, interleaved; medians are "
                   "reported (default 3; --quick: 2)")
    p.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--wrk-timeout", type=int, default=10, help="wrk per-request timeout, seconds (default 10)")
    p.add_argument("--cache", choices=("simple", "redis"), default="simple",
                   help="page cache of the cached server (default simple; redis uses "
                   "CLINICJOURNAL_CACHE_REDIS_URL, or redis://127.0.0.1:6379/0)")
    p.add_argument("--quick", action="store_true", help="small and short: 2 sites × 20 articles, 3 s per load")
    p.add_argument("--scale", action="store_true",
                   help="also run 1 site × 20 articles and compare index/category/article latency")
    p.add_argument("--pages", default=",".join(PAGES), help=f"comma-separated subset of {','.join(PAGES)}")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    p.add_argument("--keep", action="store_true", help="keep the temp folders (database, logs)")
    args = p.parse_args(argv)
    q = args.quick
    args.sites = args.sites or (2 if q else 100)
    args.articles = args.articles or (20 if q else 1000)
    args.duration = args.duration or (3 if q else 10)
    args.warmup = args.warmup if args.warmup is not None else (1 if q else 2)
    args.rounds = args.rounds or (2 if q else 3)
    args.pages = tuple(p for p in PAGES if p in args.pages.split(","))
    if "article" not in args.pages:
        p.error("--pages must include article (the ratios are measured on it)")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    common.install_cleanup()
    common.keep_temp(args.keep)
    started, load_before = time.monotonic(), os.getloadavg()
    small_prep = None
    try:
        if args.scale:
            small_prep = prepare(1, 20, tuple(p for p in SCALE_PAGES if p in args.pages), args.cache)
        big_prep = prepare(args.sites, args.articles, args.pages, args.cache)
        console.rule("[bold]load")
        if small_prep is not None:
            start_servers(small_prep, ceilings=False)
        start_servers(big_prep, ceilings=True)
        run_loads(big_prep, small_prep, args)
    except KeyboardInterrupt:
        console.print("[red]interrupted; cleaning up")
        return 130
    finally:
        common.cleanup()
    big, small = big_prep.result, small_prep.result if small_prep else None
    console.print()
    console.print(results_table(big))
    rounds = {mode: big.row("article", mode) for mode in ("static", "cached", "bare", "uncached")}
    console.print("[dim]article, req/s per round: " + "; ".join(
        f"{mode} " + " ".join(f"{v:,.0f}" for v in row.rps_rounds) for mode, row in rounds.items() if row)
        + " — ratio column for the article: median of the same-round ratios ("
        + "; ".join(f"{mode}: " + " ".join(f"{v:.2f}" for v in row.ratio_rounds)
                    for mode, row in rounds.items() if row and row.ratio_rounds) + ")")
    if small is not None:
        console.print(scale_table(small, big))
    table, ok = targets_table(big, small, full_scale=args.sites >= 100 and args.articles >= 1000)
    console.print(table)
    for line in context_lines(args, started, load_before):
        console.print(f"[dim]{line}")
    if args.json:
        payload = {"args": {k: (list(v) if isinstance(v, tuple) else str(v) if isinstance(v, Path) else v)
                            for k, v in vars(args).items()},
                   "big": asdict(big), "small": asdict(small) if small else None, "all_targets_pass": ok}
        args.json.write_text(json.dumps(payload, indent=1, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

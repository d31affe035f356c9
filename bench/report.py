"""What bench/run.py reports: the rows it measures, the targets of issue 7, and the
tables it prints (results, targets, latency at scale, context)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from dataclasses import dataclass, field

from rich.table import Table

from common import ROOT

PAGES = ("article", "index", "category", "feed", "search", "mix")
SCALE_PAGES = ("index", "category", "article")

TARGET_CACHED_VS_STATIC = 0.8
TARGET_UNCACHED_VS_BARE = 0.5
TARGET_SQL_UNCACHED_ARTICLE = 4
TARGET_RSS_MB = 150
TARGET_SCALE_LATENCY = 1.3



@dataclass
class Row:
    page: str
    mode: str  # cached | uncached | static | bare, and cached-br | static-br (Accept-Encoding sent)
    path: str
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    avg_ms: float | None = None
    requests: int = 0
    non2xx: int = 0
    socket_errors: int = 0
    timeouts: int = 0
    sql: int | None = None
    inproc_ms: float | None = None  # median in-process time of one request (test client, no server)
    rss_mb: float | None = None  # highest VmHWM among the server's workers after this load
    ratio: float | None = None
    ratio_to: str = ""
    status_before: int | None = None
    status_after: int | None = None
    bytes: int | None = None  # the body on the wire
    encoding: str = ""  # its Content-Encoding
    cache_hit: bool | None = None
    warmup_non2xx: int = 0
    warmup_socket_errors: int = 0
    rps_rounds: list[float] = field(default_factory=list)
    ratio_rounds: list[float] = field(default_factory=list)  # article: same-round ratio to its ceiling


@dataclass
class ScaleResult:
    sites: int
    articles: int
    seed: dict = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    sql_detail: dict = field(default_factory=dict)
    sql_counts: dict = field(default_factory=dict)
    page_bytes: int = 0
    mix_urls: int = 0

    def row(self, page: str, mode: str) -> Row | None:
        return next((r for r in self.rows if r.page == page and r.mode == mode), None)


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} µs" if value < 1 else f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"


def results_table(result: ScaleResult) -> Table:
    table = Table(title=f"{result.sites} site(s) × {result.articles} article(s) × 2 locales — "
                        f"article page {result.page_bytes:,} bytes", title_justify="left")
    for name, justify in (("page", "left"), ("mode", "left"), ("req/s", "right"), ("ratio", "right"),
                          ("p50", "right"), ("p99", "right"), ("non-2xx", "right"), ("sock err", "right"),
                          ("SQL/req", "right"), ("in-proc", "right"), ("peak RSS/worker", "right"),
                          ("bytes", "right")):
        table.add_column(name, justify=justify)
    order = {"static": 0, "cached": 1, "static-br": 2, "cached-br": 3, "bare": 4, "uncached": 5}
    rows = sorted(result.rows, key=lambda r: (order[r.mode], PAGES.index(r.page) if r.page in PAGES else 0))
    for r in rows:
        if r.mode in ("static", "bare", "static-br"):
            ratio = "ceiling"
        else:
            ratio = f"{r.ratio:.2f}× {r.ratio_to}" if r.ratio is not None else "—"
        ceiling = {"static": "WhiteNoise", "static-br": "WhiteNoise", "bare": "bare Flask"}
        page = f"{r.page} ({ceiling[r.mode]})" if r.mode in ceiling else r.page
        if r.page == "mix":
            page = f"mix ({result.mix_urls:,} articles, cold)"
        status = "" if r.status_before == 200 and r.status_after == 200 else \
            f" [red](HTTP {r.status_before}/{r.status_after})"
        hit = " [yellow](no hit)" if r.cache_hit is False else ""
        if r.rps_rounds and not r.requests:
            hit += " [red](no request completed)"
        table.add_row(page + status + hit, r.mode, f"{r.rps:,.0f}" if r.rps is not None else "—", ratio,
                      fmt_ms(r.p50_ms), fmt_ms(r.p99_ms), str(r.non2xx + r.warmup_non2xx),
                      str(r.socket_errors + r.warmup_socket_errors),
                      "—" if r.sql is None else str(r.sql), fmt_ms(r.inproc_ms),
                      "—" if r.rss_mb is None else f"{r.rss_mb:.0f} MB",
                      "—" if r.bytes is None else f"{r.bytes:,}" + (f" {r.encoding}" if r.encoding else ""))
    return table


def verdict(ok: bool | None) -> str:
    return "[dim]n/a" if ok is None else "[green]PASS" if ok else "[red]FAIL"


def targets_table(big: ScaleResult, small: ScaleResult | None, full_scale: bool) -> tuple[Table, bool]:
    table = Table(title="Targets (issue 7)", title_justify="left")
    table.add_column("target")
    table.add_column("measured", justify="right")
    table.add_column("result")
    checks: list[bool] = []

    def add(label: str, measured: str, ok: bool | None) -> None:
        table.add_row(label, measured, verdict(ok))
        if ok is not None:
            checks.append(ok)

    cached, static = big.row("article", "cached"), big.row("article", "static")
    uncached, bare = big.row("article", "uncached"), big.row("article", "bare")
    ratio = cached.ratio if cached else None
    add(f"cached article ≥ {TARGET_CACHED_VS_STATIC}× static file req/s",
        f"{ratio:.2f}× ({cached.rps:,.0f} / {static.rps:,.0f})" if ratio else "—",
        None if ratio is None else ratio >= TARGET_CACHED_VS_STATIC)
    cached_br, static_br = big.row("article", "cached-br"), big.row("article", "static-br")
    ratio = cached_br.ratio if cached_br else None
    add(f"compressed cached article ≥ {TARGET_CACHED_VS_STATIC}× compressed static file req/s",
        f"{ratio:.2f}× ({cached_br.rps:,.0f} / {static_br.rps:,.0f}); "
        f"{cached_br.bytes:,} B {cached_br.encoding or 'plain'}" if ratio else "—",
        None if ratio is None else ratio >= TARGET_CACHED_VS_STATIC and bool(cached_br.encoding))
    ratio = uncached.ratio if uncached else None
    add(f"uncached article ≥ {TARGET_UNCACHED_VS_BARE}× bare Flask + Jinja req/s",
        f"{ratio:.2f}× ({uncached.rps:,.0f} / {bare.rps:,.0f})" if ratio else "—",
        None if ratio is None else ratio >= TARGET_UNCACHED_VS_BARE)
    detail = big.sql_detail.get("uncached", {})
    lo, hi = big.sql_detail.get("refs_range", [0, 0])
    sql = uncached.sql if uncached else None
    add(f"SQL per uncached article ≤ {TARGET_SQL_UNCACHED_ARTICLE} (articles with {lo}…{hi} references)",
        f"{sql} (" + ", ".join(f"{k}: {v}" for k, v in detail.items()) + ")" if sql is not None else "—",
        None if sql is None else sql <= TARGET_SQL_UNCACHED_ARTICLE)
    cached_sql = {r.page: r.sql for r in big.rows if r.mode == "cached" and r.sql is not None}
    add("SQL per cached page = 0", ", ".join(f"{p}: {n}" for p, n in cached_sql.items()),
        all(n == 0 for n in cached_sql.values()) if cached_sql else None)
    peak = max((r.rss_mb for r in big.rows if r.rss_mb and r.mode in ("cached", "uncached")), default=None)
    scale_note = "" if full_scale else f" [dim](at {big.sites}×{big.articles}; the target is at 100×1000)"
    add(f"peak RSS per worker ≤ {TARGET_RSS_MB} MB{scale_note}", f"{peak:.0f} MB" if peak else "—",
        None if peak is None else peak <= TARGET_RSS_MB)
    rows = big.rows + (small.rows if small else [])
    non2xx = sum(r.non2xx + r.warmup_non2xx for r in rows)
    bad_status = [f"{r.page}/{r.mode}" for r in rows if r.status_before != 200 or r.status_after != 200]
    add("zero non-2xx responses throughout", f"{non2xx}" + (f"; not 200: {', '.join(bad_status)}" if bad_status else ""),
        non2xx == 0 and not bad_status)
    empty = [f"{r.page}/{r.mode}" for r in rows if r.rps_rounds and not r.requests]
    if empty:
        add("every load completed requests", "none completed: " + ", ".join(empty), False)
    sock = sum(r.socket_errors + r.warmup_socket_errors for r in rows)
    timeouts = sum(r.timeouts for r in rows)
    add("no socket errors (connect/read/write/timeout)", f"{sock} ({timeouts} timeouts)", sock == 0)
    misses = [f"{r.page}" for r in big.rows if r.cache_hit is False]
    add("cached pages answered from the page cache (X-Cache: hit)", "all" if not misses else "miss: " + ", ".join(misses),
        not misses if any(r.mode == "cached" for r in big.rows) else None)
    if small is not None:
        worst = None
        for page in SCALE_PAGES:
            for mode in ("uncached", "cached"):
                a, b = small.row(page, mode), big.row(page, mode)
                if a and b and a.p50_ms and b.p50_ms:
                    worst = max(worst or 0, b.p50_ms / a.p50_ms)
        add(f"index/category/article p50 at {big.sites}×{big.articles} ≤ {TARGET_SCALE_LATENCY}× "
            f"of {small.sites}×{small.articles}", f"worst {worst:.2f}×" if worst else "—",
            None if worst is None else worst <= TARGET_SCALE_LATENCY)
    return table, all(checks)


def scale_table(small: ScaleResult, big: ScaleResult) -> Table:
    table = Table(title=f"Latency at {big.sites}×{big.articles} vs {small.sites}×{small.articles}",
                  title_justify="left")
    for name in ("page", "mode", "p50 small", "p50 big", "ratio", "p99 small", "p99 big", "ratio",
                 "in-proc small", "in-proc big", "ratio", "result"):
        table.add_column(name, justify="left" if name in ("page", "mode", "result") else "right")
    for page in SCALE_PAGES:
        for mode in ("cached", "uncached"):
            a, b = small.row(page, mode), big.row(page, mode)
            if not (a and b):
                continue
            r50 = b.p50_ms / a.p50_ms if a.p50_ms and b.p50_ms else None
            r99 = b.p99_ms / a.p99_ms if a.p99_ms and b.p99_ms else None
            rin = b.inproc_ms / a.inproc_ms if a.inproc_ms and b.inproc_ms else None
            table.add_row(page, mode, fmt_ms(a.p50_ms), fmt_ms(b.p50_ms), f"{r50:.2f}×" if r50 else "—",
                          fmt_ms(a.p99_ms), fmt_ms(b.p99_ms), f"{r99:.2f}×" if r99 else "—",
                          fmt_ms(a.inproc_ms), fmt_ms(b.inproc_ms), f"{rin:.2f}×" if rin else "—",
                          verdict(None if r50 is None else r50 <= TARGET_SCALE_LATENCY))
    return table


def context_lines(args, started: float, load_before: tuple) -> list[str]:
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        commit = "?"
    wrk = (f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency (warm-up {args.warmup}s), "
           f"{args.rounds} rounds; page cache {args.cache}")
    return [
        f"date {dt.datetime.now().isoformat(timespec='seconds')}, commit {commit} (+ uncommitted changes, if any), "
        f"{os.cpu_count()} CPUs",
        f"{wrk}; gunicorn 2 sync workers; SQLite",
        f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}; "
        f"run took {time.monotonic() - started:.0f} s",
    ]

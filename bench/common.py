"""Shared by run.py and soak.py: temp folders, gunicorn servers, wrk, /proc memory.

Every process started here is started in its own session and tracked; every
temp folder is tracked; :func:`cleanup` (registered with ``atexit`` and run on
SIGINT/SIGTERM/SIGHUP) stops the processes by their own ids and removes the folders.
All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import atexit
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
GUNICORN = str(VENV_BIN / "gunicorn")
WRK = shutil.which("wrk") or "/usr/bin/wrk"
LOCAL = "127.0.0.1"

_processes: list[subprocess.Popen] = []
_temp_dirs: list[Path] = []
_cleanups: list = []  # callables: drop a temp database, delete a run's Redis keys
_keep_temp = False


# -- cleanup ---------------------------------------------------------------------

def keep_temp(keep: bool) -> None:
    global _keep_temp
    _keep_temp = keep


def make_temp_dir(prefix: str = "cjbench-") -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    _temp_dirs.append(path)
    return path


def track(proc: subprocess.Popen) -> subprocess.Popen:
    _processes.append(proc)
    return proc


def stop_process(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM to the process group we created for ``proc`` (its own pid), then SIGKILL."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=5)
    else:  # the leader is gone; its group (e.g. orphaned workers) may not be
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if proc in _processes:
        _processes.remove(proc)


def cleanup() -> None:
    for proc in list(_processes):
        try:
            stop_process(proc, grace=5)
        except Exception as exc:  # keep cleaning up the rest
            print(f"could not stop process {proc.pid}: {exc}", file=sys.stderr)
    for path in list(_temp_dirs):
        if _keep_temp:
            print(f"kept {path}", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)
        _temp_dirs.remove(path)
    while _cleanups:
        undo = _cleanups.pop()
        try:
            undo()
        except Exception as exc:  # keep cleaning up the rest
            print(f"cleanup failed: {exc}", file=sys.stderr)


def temp_database(server_url: str) -> str:
    """A fresh, empty PostgreSQL database on ``server_url``'s server, dropped at cleanup.

    ``server_url`` names any database the role may connect to (``.../test``); the
    benchmark never writes into it, so a run cannot damage what is there.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    if url.get_backend_name() != "postgresql":
        raise SystemExit(f"--database-url must be a postgresql:// URL (got {url.get_backend_name()})")
    name = f"cjbench_{os.getpid()}_{int(time.time())}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        if _keep_temp:
            print(f"kept database {name}", file=sys.stderr)
            return
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    _cleanups.append(drop)
    return url.set(database=name).render_as_string(hide_password=False)


def redis_prefix(redis_url: str) -> str:
    """A key prefix of this run's own for the shared Redis page cache; its keys go at cleanup,
    so one run's cached pages never answer the next run's requests."""
    import redis

    prefix = f"cjbench:{os.getpid()}:{int(time.time())}:"

    def delete_keys() -> None:
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start:start + 1000])
        client.close()

    _cleanups.append(delete_keys)
    return prefix


def _on_signal(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def install_cleanup() -> None:
    atexit.register(cleanup)
    # SIGINT too: a shell starts background jobs with SIGINT ignored, and Python then
    # would not raise KeyboardInterrupt. The callers' finally blocks and atexit clean up.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)


# -- HTTP ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOCAL, 0))
        return s.getsockname()[1]


@dataclass
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(port: int, path: str, host: str, timeout: float = 30.0, headers: dict | None = None) -> Fetched:
    conn = http.client.HTTPConnection(LOCAL, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host, **(headers or {})})
        resp = conn.getresponse()
        return Fetched(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


# -- gunicorn ----------------------------------------------------------------------

class Server:
    """A gunicorn master with sync workers on 127.0.0.1:<free port>."""

    def __init__(self, name: str, app: str, env: dict[str, str], chdir: Path, log_dir: Path,
                 workers: int = 2, timeout: int = 60) -> None:
        self.name, self.port = name, free_port()
        self.log = log_dir / f"gunicorn-{name}.log"
        cmd = [GUNICORN, "-w", str(workers), "-k", "sync", "--no-control-socket", "-b", f"{LOCAL}:{self.port}",
               "--chdir", str(chdir), "--timeout", str(timeout), "--graceful-timeout", "5",
               "--log-level", "warning", "--error-logfile", str(self.log), app]
        self.proc = track(subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                           start_new_session=True))
        self.workers_expected = workers

    def wait_ready(self, path: str, host: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                got = fetch(self.port, path, host, timeout=10)
                if got.status == 200 and len(self.workers()) >= self.workers_expected:
                    return
                last = f"HTTP {got.status}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn ({self.name}) not ready after {timeout:.0f} s ({last}):\n{self.log_tail()}")

    def workers(self) -> list[int]:
        return children(self.proc.pid)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def stop(self) -> None:
        stop_process(self.proc)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(x) for x in text.split()]
    except (FileNotFoundError, PermissionError):
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry.name))
                except (OSError, IndexError, ValueError):
                    pass
        return found


def proc_status_kb(pid: int, field: str) -> int | None:
    """``VmHWM`` (peak resident set) or ``VmRSS`` of ``pid`` in kB, None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def mb(kb: int | None) -> float | None:
    """kB (KiB, as /proc reports) → MB (10^6 bytes): the stricter unit for a "150 MB" target."""
    return None if kb is None else kb * 1024 / 1e6


# -- wrk -------------------------------------------------------------------------

@dataclass
class WrkResult:
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    avg_ms: float | None = None
    non2xx: int = 0  # wrk's "Non-2xx or 3xx responses": status >= 400
    socket_errors: int = 0  # connect + read + write + timeout
    timeouts: int = 0
    raw: str = ""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value.strip())
    if not m:
        raise ValueError(f"unexpected wrk duration {value!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out: str) -> WrkResult:
    r = WrkResult(raw=out)
    if m := re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", out, re.M):
        r.requests, r.seconds = int(m.group(1)), _ms(m.group(2) + m.group(3)) / 1000
    if m := re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M):
        r.rps = float(m.group(1))
    if m := re.search(r"^\s*Latency\s+([\d.]+\w+)", out, re.M):
        r.avg_ms = _ms(m.group(1))
    for pct, attr in (("50", "p50_ms"), ("99", "p99_ms")):
        if m := re.search(rf"^\s*{pct}%\s+([\d.]+\w+)", out, re.M):
            setattr(r, attr, _ms(m.group(1)))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        r.non2xx = int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        r.socket_errors = sum(int(x) for x in m.groups())
        r.timeouts = int(m.group(4))
    if not r.requests:  # wrk prints zero latencies when nothing completed
        r.p50_ms = r.p99_ms = r.avg_ms = None
    return r


def run_wrk(port: int, path: str, host: str, duration: float, connections: int = 32, threads: int = 2,
            timeout_s: int = 10, script: Path | None = None, extra: list[str] = ()) -> WrkResult:
    cmd = [WRK, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency",
           f"--timeout={timeout_s}s", "-H", f"Host: {host}"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd += [*extra, f"http://{LOCAL}:{port}{path}"]
    proc = track(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  start_new_session=True))
    try:
        out, _ = proc.communicate(timeout=duration + timeout_s + 30)
    except subprocess.TimeoutExpired:
        stop_process(proc)
        raise RuntimeError(f"wrk did not finish: {' '.join(cmd)}")
    finally:
        if proc in _processes:
            _processes.remove(proc)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {out}")
    return parse_wrk(out)

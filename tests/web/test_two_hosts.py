"""The scale-out shape from docs/deploy.md, on one machine: two gunicorn servers
("hosts": separate processes and instance folders) sharing one PostgreSQL
database and one Redis. A change saved through one is served by the other on
its very next request, although both had the page in their cache."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from signoff_support import signoff_yaml
from conftest import REPO, Databases, skip_or_fail
from http_support import free_port, get

pytestmark = pytest.mark.postgres
REDIS_URL = os.environ.get("CLINICJOURNAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CLI = str(Path(sys.executable).with_name("clinicjournal"))
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

ARTICLE = """---
slug: hand-washing
locale: en
title: "Hand washing"
category: immune-health
summary: "Why soap works."
published: 2026-03-01
faq:
  - q: "How long?"
    a: "Twenty seconds."
references:
  - key: who-2009
    title: "Guidelines on hand hygiene in health care"
---
## Why it works

{text} [@who-2009]
"""


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        skip_or_fail(f"no Redis at {REDIS_URL}: {exc}")
    client.close()
    return REDIS_URL


@pytest.fixture
def shared_database(tmp_path, request):
    dbs = Databases("postgresql", tmp_path, request)
    yield dbs.new()
    dbs.close()


@pytest.fixture
def two_hosts(tmp_path, shared_database, redis_url):
    """Start two servers sharing the database and Redis; yield (env per host, ports)."""
    prefix = f"cjtest-{uuid.uuid4().hex[:8]}:"
    envs, ports, procs = [], [], []
    for name in ("host-a", "host-b"):
        env = {**os.environ,
               "CLINICJOURNAL_DATABASE_URL": shared_database,
               "CLINICJOURNAL_CACHE_TYPE": "redis",
               "CLINICJOURNAL_CACHE_REDIS_URL": redis_url,
               "CLINICJOURNAL_CACHE_KEY_PREFIX": prefix,
               "CLINICJOURNAL_SECRET_KEY": "shared-secret",
               "CLINICJOURNAL_INSTANCE_PATH": str(tmp_path / name),
               "CLINICJOURNAL_LOCALHOST_SITES": "true"}  # the pages are asked for as alpha.localhost
        envs.append(env)
    subprocess.run([CLI, "site", "create", "alpha", "--name", "Alpha Clinic", "--locale", "en"],
                   env=envs[0], check=True, capture_output=True, cwd=REPO)
    article = tmp_path / "hand-washing.md"
    article.write_text(ARTICLE.format(text="Soap lifts germs off the skin."))
    subprocess.run([CLI, "content", "import", str(article), "--site", "alpha"],
                   env=envs[0], check=True, capture_output=True, cwd=REPO)
    for env in envs:
        port = free_port()
        ports.append(port)
        procs.append(subprocess.Popen(
            [GUNICORN, "--workers", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
             "wsgi:application"], env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    try:
        for port, proc in zip(ports, procs):
            deadline = time.monotonic() + 30
            while True:
                try:
                    if get(port, "/en/")[0] == 200:
                        break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server on {port} did not start: {proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield envs, ports, article
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
            proc.stderr.close()


def test_a_change_saved_through_one_host_is_served_by_the_other(two_hosts):
    envs, (port_a, port_b), article = two_hosts
    page = "/en/hand-washing/"
    # Warm both servers (every worker) so the page sits in the shared cache.
    for port in (port_a, port_b):
        for _ in range(4):
            status, headers, body = get(port, page)
            assert status == 200 and "Soap lifts germs" in body
    assert get(port_b, page)[1].get("X-Cache") == "hit"

    # New signed-off text is published through host A (unsigned, it would wait in the admin).
    text = ARTICLE.format(text="Soap breaks up the fatty envelope of many viruses.")
    article.write_text(text.replace("references:", signoff_yaml(text, "Dr. R", "2026-03-02") + "references:", 1))
    saved = subprocess.run([CLI, "content", "import", str(article), "--site", "alpha"],
                           env=envs[0], capture_output=True, text=True, cwd=REPO)
    assert saved.returncode == 0, saved.stdout + saved.stderr
    for _ in range(4):  # whichever worker of host B answers
        status, _headers, body = get(port_b, page)
        assert status == 200
        assert "fatty envelope" in body and "Soap lifts germs" not in body

    # A site admin switches the FAQ off through host A: host B stops showing it at once.
    assert "Common questions" in get(port_b, page)[2]
    subprocess.run([CLI, "plugins", "disable", "faq", "--site", "alpha"], env=envs[0], check=True,
                   capture_output=True, cwd=REPO)
    for _ in range(4):
        assert "Common questions" not in get(port_b, page)[2]

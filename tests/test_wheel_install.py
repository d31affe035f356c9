"""An operator's install: the built wheel in a fresh virtualenv outside the checkout,
then the commands docs/deploy.md gives — the demo, and gunicorn on
``clinicjournal.wsgi:application`` — serving pages read from site-packages.

No network: the wheel is built without build isolation (hatchling is a test
dependency) and the new venv borrows the test venv's third-party packages
through a ``.pth`` line, so only clinicjournal itself comes from the wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
from conftest import REPO
from http_support import free_port, get


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the new venv's bin folder, a working folder outside the checkout)."""
    root = tmp_path_factory.mktemp("wheel-install")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(root / "dist"),
        str(REPO))
    wheel = next((root / "dist").glob("clinicjournal-*.whl"))
    venv = root / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    site = Path(run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    # Added as a path, not a site dir: the test venv's editable-install .pth is not read.
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel))
    work = root / "operator"
    work.mkdir()
    return venv / "bin", work


def test_the_wheel_carries_the_catalogs_and_no_compiled_files(installed):
    bin_dir, work = installed
    found = run(str(bin_dir / "python"), "-c",
                "import clinicjournal, clinicjournal_faq; print(clinicjournal.__file__); "
                "print(clinicjournal_faq.__file__)", cwd=work).stdout.split()
    assert all("site-packages" in path and not path.startswith(str(REPO)) for path in found), found
    package = Path(found[0]).parent
    assert (package / "translations" / "de" / "LC_MESSAGES" / "messages.po").is_file()
    assert (package / "wsgi.py").is_file()
    assert not list(package.parent.glob("clinicjournal*/**/*.mo"))


def test_gunicorn_serves_the_demo_from_an_installed_wheel(installed):
    bin_dir, work = installed
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICJOURNAL_")}
    env["CLINICJOURNAL_INSTANCE_PATH"] = str(work / "instance")
    env["CLINICJOURNAL_LOCALHOST_SITES"] = "true"  # gunicorn, asked for harbourview.localhost
    run(str(bin_dir / "clinicjournal"), "demo", cwd=work, env=env)
    before = {p: p.stat().st_mtime_ns for p in bin_dir.parent.rglob("site-packages/clinicjournal*/**/*")}
    port = free_port()
    # gunicorn's own script belongs to the borrowed packages; its module runs the same.
    server = subprocess.Popen([str(bin_dir / "python"), "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                               "--no-control-socket", "clinicjournal.wsgi:application"],
                              cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, body = get(port, "/de/", host="harbourview.localhost")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        assert status == 200
        assert "Vitamin D" in body and 'lang="de"' in body
        assert "Min. Lesezeit" in body  # the German catalog, read from the installed .po
    finally:
        server.terminate()
        server.communicate(timeout=10)
    after = {p: p.stat().st_mtime_ns for p in bin_dir.parent.rglob("site-packages/clinicjournal*/**/*")}
    assert after == before, "the server wrote into its installed package"

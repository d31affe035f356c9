"""Templates and static files, from the core and from plugins.

Static files are copied under content-hashed names into a build folder in the
instance folder, pre-compressed (gzip, brotli) and served by WhiteNoise with
far-future caching; templates use ``static_url()`` to get the hashed name.
A plugin's files are served under ``/static/plugins/<name>/``, and only on
sites where the plugin is enabled.

Templates: a plugin may ship ``templates/<name>.html`` to replace a core page
on the sites where it is enabled; it can ``{% extends "core/<name>.html" %}``
and override blocks.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from flask import Flask, abort, current_app, g, render_template
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from .security import static_headers

CORE_STATIC = Path(__file__).resolve().parents[1] / "static"
CORE_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")
PLUGIN_PREFIX = "/static/plugins/"
STALE_MANIFEST = "manifest.json"  # earlier versions wrote it into the (public) build folder


def init_app(app: Flask) -> None:
    state = app.extensions["clinicjournal"]
    plugins = state.plugins
    plugin_dirs = {n: plugins.records[n].directory for n in plugins.active_names()
                   if plugins.records[n].directory}
    build = Path(app.config.get("STATIC_BUILD_DIR") or Path(app.instance_path) / "static-build")
    sources = {"": CORE_STATIC}
    sources.update({f"plugins/{n}/": d / "static" for n, d in plugin_dirs.items() if (d / "static").is_dir()})
    state.static_manifest = build_static(sources, build)

    prefixed = {n: FileSystemLoader(d / "templates") for n, d in plugin_dirs.items()
                if (d / "templates").is_dir()}
    core_pages = {p.name for p in CORE_TEMPLATES.glob("*.html")}
    state.template_overrides = {n: {p.name for p in (plugin_dirs[n] / "templates").glob("*.html")} & core_pages
                                for n in prefixed}
    prefixed["core"] = FileSystemLoader(CORE_TEMPLATES)
    app.jinja_loader = ChoiceLoader([FileSystemLoader(CORE_TEMPLATES), PrefixLoader(prefixed)])
    app.jinja_env.globals["static_url"] = static_url

    # Whatever WhiteNoise does not serve under /static/ is a plain 404 (never matched
    # by a reader route such as /<locale>/<slug>/, which would redirect first).
    app.add_url_rule("/static/<path:filename>", "static", _no_static_file, merge_slashes=False)
    app.wsgi_app = SiteAwareWhiteNoise(app, app.wsgi_app, root=str(build), prefix="/static/",
                                       max_age=3600, immutable_file_test=lambda _p, url: bool(HASHED.search(url)),
                                       add_headers_function=static_headers)


def _no_static_file(filename: str):
    abort(404)


def build_static(sources: dict[str, Path], build: Path) -> dict[str, str]:
    """Copy every file under ``sources`` into ``build`` under a hashed name.

    Returns logical path → hashed path (both relative to ``/static/``). Files
    already built are left alone, so restarts and concurrent workers are cheap.

    Everything in ``build`` is public (WhiteNoise serves the folder, and a proxy
    may too), so the manifest is kept in memory only: it listed every file of
    every plugin installed, enabled on a site or not. A ``manifest.json`` that
    earlier versions wrote there is removed.
    """
    build.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, str] = {}
    compressor = Compressor(quiet=True)
    for prefix, root in sources.items():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            logical = prefix + path.relative_to(root).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            stem, dot, ext = logical.rpartition(".")
            hashed = f"{stem}.{digest}.{ext}" if dot else f"{logical}.{digest}"
            manifest[logical] = hashed
            target = build / hashed
            if not target.exists():
                _atomic_copy(path, target)
                if compressor.should_compress(str(target)):
                    for _ in compressor.compress(str(target)):
                        pass
    (build / STALE_MANIFEST).unlink(missing_ok=True)
    return manifest


def _atomic_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")
    os.close(fd)
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


def static_url(path: str, plugin: str | None = None) -> str:
    """URL of a static file by its source path, e.g. ``static_url("css/journal.css")``."""
    logical = f"plugins/{plugin}/{path}" if plugin else path
    manifest = current_app.extensions["clinicjournal"].static_manifest
    return "/static/" + manifest.get(logical, logical)


def render_page(name: str, **context) -> str:
    """Render a page template, letting a plugin enabled on this site replace it."""
    state = current_app.extensions["clinicjournal"]
    site = g.get("site")
    if site is not None:
        for plugin in sorted(site.enabled_plugins):
            if name in state.template_overrides.get(plugin, ()):
                return render_template(f"{plugin}/{name}", **context)
    return render_template(name, **context)


class SiteAwareWhiteNoise(WhiteNoise):
    """WhiteNoise that refuses a plugin's files on sites where it is disabled."""

    def __init__(self, flask_app: Flask, application, **kwargs) -> None:
        super().__init__(application, **kwargs)
        self.flask_app = flask_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(PLUGIN_PREFIX) and not self._plugin_allowed(environ, path):
            return self.application(environ, start_response)  # Flask answers 404
        return super().__call__(environ, start_response)

    def _plugin_allowed(self, environ, path: str) -> bool:
        plugin = path[len(PLUGIN_PREFIX):].split("/", 1)[0]
        registry = self.flask_app.extensions["clinicjournal"].sites
        if registry.generation is None:
            return False  # no request has loaded the sites yet: let Flask decide
        config = self.flask_app.config
        site = registry.for_host(environ.get("HTTP_HOST", ""), config["DEFAULT_SITE"], config["LOCALHOST_SITES"])
        return site is not None and plugin in site.enabled_plugins

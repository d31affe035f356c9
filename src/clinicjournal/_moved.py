"""Old import paths (``clinicjournal.models``, ``clinicjournal.plugin_assets``, ...)
from before the code moved into subpackages: they keep working for one release
with a DeprecationWarning that names the new path, so a plugin written against
them does not break on upgrade. Remove in 0.3.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

#: old module (under clinicjournal) → where it lives now
MOVED = {
    "models": "store.models", "db": "store.db", "audit": "store.audit", "backup": "store.backup",
    "restore": "store.restore", "manage": "store.manage",
    "authoring": "content.authoring", "citations": "content.citations", "render": "content.render",
    "context": "content.context", "content": "content.documents", "revisions": "content.revisions",
    "translations_status": "content.translations_status",
    "hookspecs": "platform.hookspecs", "plugins": "platform.manager", "plugin_settings": "platform.settings",
    "plugin_health": "platform.health", "plugin_web": "platform.routes",
    "catalogs": "i18n.catalogs", "catalog_checks": "i18n.checks",
    "reader": "web.reader", "articles": "web.articles", "article_page": "web.article_page",
    "related": "web.related", "feeds": "web.feeds", "sitemap": "web.sitemap", "search": "web.search",
    "cache": "web.cache", "memo": "web.memo", "fragments": "web.fragments", "pagebits": "web.pagebits",
    "scope": "web.scope", "security": "web.security", "errors": "web.errors", "sites": "web.sites",
    "upcoming": "web.upcoming", "plugin_assets": "web.assets",
    "cli_backup": "cli.backup", "cli_content": "cli.content", "cli_plugins": "cli.plugins",
    "cli_sites": "cli.sites", "cli_translate": "cli.translate", "cli_users": "cli.users", "demo": "cli.demo",
}


def _warn(package: str, old: str, new: str) -> None:
    warnings.warn(f"{package}.{old} moved to {package}.{new}; import it from there (or, in a plugin, "
                  f"from {package}.api). The old path goes away in 0.3.", DeprecationWarning, stacklevel=3)


class _OldPathFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(self, fullname, path=None, target=None):
        prefix, _, old = fullname.partition(".")
        if prefix != self.package or old not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        old = spec.name.partition(".")[2]
        _warn(self.package, old, MOVED[old])
        return importlib.import_module(f"{self.package}.{MOVED[old]}")

    def exec_module(self, module) -> None:
        pass  # the new module is already executed; the old name is an alias of it


def install_old_import_paths(package: str):
    """Register the finder for ``import package.old`` and return the package's
    ``__getattr__`` for ``from package import old``."""
    if not any(isinstance(f, _OldPathFinder) for f in sys.meta_path):
        sys.meta_path.append(_OldPathFinder(package))

    def __getattr__(name: str):
        if name in MOVED:
            _warn(package, name, MOVED[name])
            return importlib.import_module(f"{package}.{MOVED[name]}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__

"""The catalogs ``clinicjournal translate`` works on, and their files.

A catalog is a ``translations/`` folder: the template ``messages.pot`` (the
English strings marked in the code) and one ``<locale>/LC_MESSAGES/messages.po``
per language. The core's is at the repository root (or packed into the wheel);
each plugin keeps its own beside its code, extracted from that plugin's folder
only. Babel's Python API does the work (no ``pybabel`` subprocess); ``babel.cfg``
says which files hold strings.
"""

from __future__ import annotations

import io
import os
import re
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import click
from babel import UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from flask import current_app
from rich.markup import escape

from .. import __version__, i18n
from ..i18n.checks import (
    shown_path,
)
from ..i18n.extraction import (  # noqa: F401
    COMMENT_TAGS,
    COPYRIGHT,
    DEFAULT_MAPPING,
    EXTRA_KEYWORDS,
    extract,
)
from .base import console, fail

DOMAIN = "messages"


# -- which catalogs ---------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """One catalog: its ``translations/`` folder and the code its strings come from."""

    name: str  # "core", a plugin name, or the folder given with --dir
    directory: Path
    source: Path
    project: str
    version: str = ""

    @property
    def pot(self) -> Path:
        return self.directory / f"{DOMAIN}.pot"

    def po(self, locale: str) -> Path:
        return self.directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po"

    def locales(self) -> list[str]:
        return sorted(p.parent.parent.name for p in self.directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def core_target() -> Target:
    return Target("core", i18n.core_catalog_dir(), i18n.PACKAGE_DIR, "clinicjournal", __version__)


def _plugins():
    return current_app.extensions["clinicjournal"].plugins


def plugin_target(name: str) -> Target:
    """:raise ClickException: when no loaded plugin called ``name`` has a package folder."""
    if name == "core":
        return core_target()
    plugins = _plugins()
    record = plugins.records.get(name)
    if record is None:
        fail(f"no plugin named {name!r}; installed plugins: {', '.join(sorted(plugins.records)) or 'none'} "
             "(see `clinicjournal plugins list`)")
    if record.broken:
        fail(f"plugin {name!r} is not loaded ({record.error}); fix or enable it, then try again")
    file = getattr(record.module, "__file__", None)
    if not file or Path(file).name != "__init__.py":
        fail(f"plugin {name!r} is a single module, not a package folder, so it has no place for its own "
             "translations/; make it a folder with an __init__.py")
    source = Path(file).parent
    return Target(name, source / "translations", source, source.name, record.version or "")


def dir_target(directory: Path) -> Target:
    """A catalog folder outside the app's plugins (a plugin being written, a copy)."""
    directory = directory.resolve()
    return Target(shown_path(directory), directory, directory.parent, directory.parent.name)


def all_targets() -> list[Target]:
    """The core and every loaded plugin that has a ``translations/`` folder."""
    names = [n for n in i18n.catalog_dirs(_plugins()) if n != "core"]
    return [core_target()] + [plugin_target(n) for n in names]


def uncatalogued_plugins() -> list[Target]:
    """Loaded plugin packages with marked strings but no ``translations/`` folder yet."""
    found = []
    plugins = _plugins()
    catalogued = set(i18n.catalog_dirs(plugins))
    for name in plugins.active_names():
        file = getattr(plugins.records[name].module, "__file__", None)
        if name in catalogued or not file or Path(file).name != "__init__.py":
            continue
        target = plugin_target(name)
        if len(extract(target)):
            found.append(target)
    return found


def catalog_options():
    """``--plugin NAME`` / ``--all`` / ``--dir PATH``; without them, every catalog."""

    def decorate(func):
        func = click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
                            help="A translations folder outside the app (e.g. a plugin being written); "
                                 "its strings are extracted from the folder that contains it.")(func)
        func = click.option("--all", "all_", is_flag=True,
                            help="The core's catalog and every plugin's (the default).")(func)
        func = click.option("--plugin", "plugin", metavar="NAME",
                            help="Work on this plugin's catalog only ('core' for the core's).")(func)
        return func

    return decorate


def installed(target: Target) -> bool:
    """Whether ``target`` lives in an installed (non-editable) package: its catalogs
    ship with that package and are changed in its source, not in site-packages."""
    paths = sysconfig.get_paths()
    roots = {Path(paths[k]).resolve() for k in ("purelib", "platlib") if paths.get(k)}
    where = target.directory.resolve()
    return any(where.is_relative_to(root) for root in roots)


def selected(plugin: str | None, all_: bool, directory: Path | None, writes: bool = True) -> list[Target]:
    """The catalogs a command works on. One that writes files skips, under ``--all``,
    catalogs of installed packages (and refuses one named with ``--plugin``)."""
    if sum(bool(x) for x in (plugin, all_, directory)) > 1:
        fail("give only one of --plugin, --all and --dir")
    if directory:
        return [dir_target(directory)]
    if plugin:
        target = plugin_target(plugin)
        if writes and installed(target):
            fail(f"the {target.name} catalog is inside an installed package ({shown_path(target.directory)}); "
                 "work on the package's source instead, e.g. with --dir SOURCE/translations")
        return [target]
    targets = all_targets()
    if writes:
        for target in [t for t in targets if installed(t)]:
            console.print(f"[yellow]skipped[/] {escape(target.name)}: an installed package "
                          f"({escape(shown_path(target.directory))}); its catalogs are changed in its own source")
            targets.remove(target)
    return targets


# -- extraction: i18n/extraction.py (the admin's Translations screens count with it too)

def _po_bytes(catalog: Catalog, **kwargs) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=76, include_previous=True, **kwargs)
    return buf.getvalue()


_VOLATILE = re.compile(rb'^"POT-Creation-Date: [^"]*"\n', re.MULTILINE)


def write_if_changed(path: Path, data: bytes, ignore_dates: bool = False) -> bool:
    """Write ``data`` to ``path`` unless it holds the same (a date-only change to a
    template is no change); return whether the file was written."""
    if path.exists():
        old = path.read_bytes()
        if old == data or (ignore_dates and _VOLATILE.sub(b"", old) == _VOLATILE.sub(b"", data)):
            return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def sync_template(target: Target) -> tuple[Catalog, bool]:
    """Extract ``target`` and write its ``.pot`` if the strings changed; return the
    template as it now is on disk and whether it was rewritten."""
    written = write_if_changed(target.pot, _po_bytes(extract(target)), ignore_dates=True)
    with target.pot.open("rb") as fh:
        return read_po(fh), written


def _read(path: Path, locale: str | None = None) -> Catalog:
    """:raise ClickException: when ``path`` is not a catalog Babel can read."""
    try:
        with path.open("rb") as fh:
            return read_po(fh, locale=locale)
    except (ValueError, UnknownLocaleError) as exc:  # PoFileError is a ValueError too
        fail(f"{shown_path(path)} cannot be read ({exc}); is its folder named after a locale code such as de or pt_BR?")


def _reference_plural_forms(target: Target, locale: str) -> str | None:
    if target.name == "core":
        return None
    core_po = core_target().po(locale)
    return _read(core_po, locale).plural_forms if core_po.exists() else None

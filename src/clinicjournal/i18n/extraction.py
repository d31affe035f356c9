"""Extracting a catalog's messages from its code, as ``clinicjournal translate``
does (Babel's Python API, no ``pybabel`` subprocess; ``babel.cfg`` says which
files hold strings). The Translations screens count against the same strings,
so their figures are those of ``translate stats``.

A *target* is anything with ``source`` (the code's folder), ``directory`` (its
``translations/`` folder), ``project`` and ``version``: the CLI's
``catalog_files.Target``, or :func:`target_for` here.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from babel.messages import frontend as babel_frontend
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from . import PACKAGE_DIR, core_catalog_dir

#: Used when neither the source folder nor the checkout has a babel.cfg (an installed wheel).
DEFAULT_MAPPING = """\
[python: **.py]
[jinja2: **/templates/**.html]
"""
#: flask-babel's lazy forms, on top of Babel's defaults (_, gettext, ngettext, pgettext, ...).
EXTRA_KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2", "lazy_pgettext:1c,2")
COMMENT_TAGS = ("TRANSLATORS:",)
COPYRIGHT = "the clinicjournal authors"


def target_for(name: str, directory: Path) -> SimpleNamespace:
    """The target of an app's catalog ``name`` (``core`` or a plugin's) in ``directory``."""
    source = PACKAGE_DIR if name == "core" else directory.parent
    return SimpleNamespace(name=name, directory=directory, source=source,
                           project="clinicjournal" if name == "core" else source.name, version="")


@lru_cache(maxsize=64)
def extracted(name: str, directory: Path) -> Catalog:
    """:func:`extract` of an app's catalog, once per process: the code does not change
    while it runs. Treat the result as read-only."""
    return extract(target_for(name, directory))


def _mapping(target):
    """Method map and options from the nearest babel.cfg (source, catalog's parent, checkout)."""
    checkout = core_catalog_dir().parent / "babel.cfg"
    for cfg in (target.source / "babel.cfg", target.directory.parent / "babel.cfg", checkout):
        if cfg.is_file():
            text, filename = cfg.read_text(encoding="utf-8"), str(cfg)
            break
    else:
        text, filename = DEFAULT_MAPPING, "<built-in mapping>"
    parse = getattr(babel_frontend, "parse_mapping_cfg", None) or babel_frontend.parse_mapping
    return parse(io.StringIO(text), filename=filename)


def _keywords() -> dict:
    return {**DEFAULT_KEYWORDS, **babel_frontend.parse_keywords(EXTRA_KEYWORDS)}


def _location_base(target) -> Path:
    """Locations read ``src/clinicjournal/templates/x.html`` or ``clinicjournal_faq/__init__.py``."""
    parent = target.directory.parent
    if target.source != parent and target.source.is_relative_to(parent):
        return parent
    return target.source.parent


def extract(target) -> Catalog:
    """The template catalog of ``target``'s marked strings, fresh from its code."""
    method_map, options_map = _mapping(target)
    catalog = Catalog(project=target.project, version=target.version, copyright_holder=COPYRIGHT,
                      charset="utf-8", fuzzy=False)
    base = _location_base(target)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(target.source), method_map, options_map, keywords=_keywords(), comment_tags=COMMENT_TAGS,
            strip_comment_tags=True):
        path = (target.source / filename).relative_to(base).as_posix()
        catalog.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return catalog

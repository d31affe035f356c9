"""The shipped UI catalogs and fixtures shared by the catalog tests and the translate CLI tests."""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from conftest import REPO

from clinicjournal import create_app
from clinicjournal.cli import main as cli_main

SHIPPED_LOCALES = ("de", "es", "fr", "ar")


PLUGIN_DIRS = sorted(p for p in (REPO / "plugins").iterdir() if (p / "__init__.py").is_file())


def plugin_name(directory: Path) -> str:
    return directory.name.removeprefix("clinicjournal_")


CATALOGS = {"core": REPO / "translations"} | {plugin_name(d): d / "translations" for d in PLUGIN_DIRS}


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def messages(catalog: Catalog) -> list:
    return [m for m in catalog if m.id]


def msgid(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


@pytest.fixture
def tr_app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite:///" + str(tmp_path / "t.sqlite"),
                      "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path), "CHECK_SCHEMA": False,
                      "PLUGINS_FOLDER": str(REPO / "plugins")})
    return app


@pytest.fixture
def translate(tr_app, monkeypatch):
    """Run ``clinicjournal translate ARGS...``; return the click result."""
    monkeypatch.setenv("COLUMNS", "400")  # rich tables: no wrapped cells in the output
    runner = tr_app.test_cli_runner()

    def run(*args: str):
        return runner.invoke(cli_main, ["translate", *args])

    return run


def table_rows(output: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("│").split("│")]
            for line in output.splitlines() if line.startswith("│")]


def copy_catalog(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("*.pot"))
    return dest


@lru_cache(maxsize=None)
def core_po(locale: str):
    """The core's shipped catalog for ``locale``, as Babel reads the ``.po``."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    po = REPO / "translations" / locale / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return Catalog(locale=locale)  # English: the source strings themselves
    with po.open("rb") as fh:
        return read_po(fh, locale=locale)


def translated(locale: str, message: str) -> str:
    """``message`` as the shipped ``.po`` translates it (the source when it does not)."""
    entry = core_po(locale).get(message)
    return entry.string if entry is not None and entry.string and not entry.fuzzy else message

"""The media library in exported folders: ``media/index.yaml`` (each image's key,
file, alt text per language and focal point) beside ``media/<key>.<ext>``, the
stored full-size file. ``content export`` writes them; ``content import`` adds
the images a site lacks before it checks the articles that name them, so a
folder moves a whole site, pictures included."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from . import media, safe_yaml
from .checks import AuthoringError
from .images import ImageError

FOLDER, INDEX = "media", "index.yaml"


def export_media(sess: Session, site, folder: Path) -> list[Path]:
    """Write the site's images into ``folder/media``; returns the files written."""
    items = media.library(sess, site.id)
    if not items:
        return []
    target = folder / FOLDER
    target.mkdir(parents=True, exist_ok=True)
    index, written = [], []
    for item in items:
        stored = media.stored_file(sess, site.id, item.original)
        name = f"{item.key}.{media.EXTENSIONS[stored.mime]}"
        (target / name).write_bytes(stored.data)
        written.append(target / name)
        index.append({"key": item.key, "file": name, "alt": dict(item.alt),
                      "focal": [item.focal_x, item.focal_y]})
    (target / INDEX).write_text(yaml.safe_dump(index, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return [target / INDEX, *written]


def import_media(sess: Session, site, folder: Path, max_pixels: int = 40_000_000) -> list[AuthoringError]:
    """Add the images of ``folder/media/index.yaml`` whose key the site lacks (an
    image it has keeps its own file and words). The caller commits, or rolls back
    when any problem is returned."""
    index_path = folder / FOLDER / INDEX
    if not folder.is_dir() or not index_path.is_file():
        return []
    source = str(index_path)
    try:
        entries = safe_yaml.load(index_path.read_text(encoding="utf-8"))
    except (safe_yaml.BadYAML, UnicodeDecodeError) as exc:
        return [AuthoringError(f"not a readable list of images: {exc}", source=source)]
    if not isinstance(entries, list):
        return [AuthoringError("write the images as a YAML list of key, file, alt and focal", source=source)]
    problems = []
    for number, entry in enumerate(entries, start=1):
        entry = entry if isinstance(entry, dict) else {}
        key, name = str(entry.get("key") or ""), str(entry.get("file") or "")
        where = f"image {number} ({key or 'no key'})"
        if key and media.by_keys(sess, site.id, [key]):
            continue
        path = (folder / FOLDER / name)
        if not name or "/" in name or "\\" in name or not path.is_file():
            problems.append(AuthoringError(f"{where}: the file {name!r} is not in {folder / FOLDER}",
                                           source=source, field="file"))
            continue
        alt = entry.get("alt") if isinstance(entry.get("alt"), dict) else {}
        focal = entry.get("focal") if isinstance(entry.get("focal"), list) and len(entry["focal"]) == 2 \
            else (0.5, 0.5)
        try:
            media.add(sess, site, key, path.read_bytes(), {str(k): str(v) for k, v in alt.items()}, focal,
                      max_pixels=max_pixels)
        except (media.MediaError, ImageError) as exc:
            problems.append(AuthoringError(f"{where}: {exc}", source=source,
                                           field=getattr(exc, "field", "") or "file"))
    return problems

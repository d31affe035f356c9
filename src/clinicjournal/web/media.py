"""Images of the media library on reader pages: the files, and the ``<picture>``
elements an article shows (its hero and inline images).

Files are answered from the database by every host of the site
(``/media/<sha256>.<ext>``), with ``Cache-Control: public, max-age=31536000,
immutable``: the hash names the bytes, so the address never changes meaning.
Another site's host answers 404 for them.
"""

from __future__ import annotations

from flask import Flask, abort, g, request
from markupsafe import Markup
from werkzeug.wrappers import Response

from ..content import images, media
from ..content.render import MEDIA_IMAGE
from ..store import db

IMMUTABLE = "public, max-age=31536000, immutable"
#: the hero spans the text column: 44rem (--measure) on a wide screen, the screen less
#: the article's padding (2.5rem together) on a phone
HERO_SIZES = "(min-width: 52rem) 44rem, calc(100vw - 2.5rem)"
INLINE_SIZES = HERO_SIZES


def init_app(app: Flask) -> None:
    app.add_url_rule("/media/<name>", "media_file", media_file)


def media_file(name: str) -> Response:
    """One stored file of the request's site.

    :raise 404: no such file on this site, or the extension is not the file's type.
    """
    digest, _dot, ext = name.partition(".")
    row = media.stored_file(db.session(), g.site.id, digest)
    if row is None or media.EXTENSIONS.get(row.mime) != ext:
        abort(404)
    response = Response(row.data, mimetype=row.mime)
    response.set_etag(digest)
    response.headers["Cache-Control"] = IMMUTABLE
    return response.make_conditional(request)


def site_root() -> str:
    return request.script_root or ""


def social_image(item, alt: str) -> dict:
    """What og:image / twitter:image say for ``item``: the absolute URL of its
    1200×630 crop around the focal point, its size and alt text."""
    left, top, right, bottom = images.crop_box(item.width, item.height, images.SOCIAL,
                                               (item.focal_x, item.focal_y))
    width, height = right - left, bottom - top
    if width > images.SOCIAL[0]:
        width, height = images.SOCIAL
    return {"url": media.url(request.host_url.rstrip("/") + site_root(), item.social, "image/jpeg"),
            "width": width, "height": height, "alt": alt, "type": "image/jpeg"}


def article_images(ctx) -> Markup:
    """Load the images ``ctx.article`` names (one query), let the body render its
    inline ones (``ctx.extra[MEDIA_IMAGE]``), set ``ctx.image`` for the head extras,
    and return the hero's ``<picture>`` (empty without one)."""
    article, site = ctx.article, ctx.site
    keys = media.referenced_keys(article.body, getattr(article, "extra", None))
    found = media.by_keys(db.session(), site.id, keys) if keys else {}
    root = site_root()

    def inline(key: str, alt: str) -> str | None:
        item = found.get(key)
        if item is None:
            return None
        return media.picture_html(item, root, alt or media.alt_text(item, ctx.locale, site.default_locale),
                                  sizes=INLINE_SIZES)

    ctx.extra[MEDIA_IMAGE] = inline
    hero = found.get(media.hero_key(getattr(article, "extra", None)))
    if hero is None:
        return Markup("")
    alt = media.alt_text(hero, ctx.locale, site.default_locale)
    ctx.image = social_image(hero, alt)
    return Markup('<figure class="hero">{}</figure>').format(
        Markup(media.picture_html(hero, root, alt, sizes=HERO_SIZES, hero=True)))

"""The media library in the admin: upload an image (alt text in every language of
the site, a focal point), change its description and focal point, and see the
files (served here, behind the role check, whatever host the admin is on)."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..content import media
from ..content.images import ImageError
from ..i18n import language_name_in
from ..store import audit, db
from ..store.media import MediaItem
from . import bp
from .roles import route
from .ui import form_text


def _form(site, item: MediaItem | None = None) -> dict:
    alt = (item.alt if item is not None else None) or {}
    return {"key": item.key if item is not None else "",
            **{f"alt:{code}": alt.get(code, "") for code in site.locales},
            "focal_x": f"{item.focal_x:g}" if item is not None else "0.5",
            "focal_y": f"{item.focal_y:g}" if item is not None else "0.5"}


def _submitted(site) -> tuple[dict, dict[str, str]]:
    form = {k: form_text(k) for k in _form(site)}
    return form, {code: form[f"alt:{code}"] for code in site.locales}


def _item_or_404(item_id: int) -> MediaItem:
    item = db.session().get(MediaItem, item_id)
    if item is None or item.site_id != g.admin_site.id:
        abort(404)
    return item


def _page(form: dict, errors: dict[str, list[str]], item: MediaItem | None = None, status: int = 200):
    site = g.admin_site
    languages = [(code, language_name_in(code, g.locale)) for code in site.locales]
    return render_template("admin/media.html", site=site, form=form, errors=errors, item=item,
                           items=media.library(db.session(), site.id), languages=languages,
                           max_mb=current_app.config["MEDIA_UPLOAD_MAX_BYTES"] / 1e6,
                           file_url=file_url), status


def file_url(digest: str, mime: str) -> str:
    return url_for("admin.media_file", name=f"{digest}.{media.EXTENSIONS[mime]}")


@route(bp, "/<site>/media", "media.manage", methods=["GET", "POST"])
def media_library():
    """The site's images, and the upload form (POST: one new image)."""
    site, sess = g.admin_site, db.session()
    if request.method == "GET":
        return _page(_form(site), {})
    form, alt = _submitted(site)
    upload = request.files.get("file")
    limit = current_app.config["MEDIA_UPLOAD_MAX_BYTES"]
    raw = upload.read(limit + 1) if upload else b""
    try:
        if not raw:
            raise media.MediaError(_("Choose an image file (JPEG, PNG or WebP) to upload."), "file")
        if len(raw) > limit:
            raise media.MediaError(_("The file is larger than %(size)s MB.", size=f"{limit / 1e6:g}"), "file",
                                   413)
        item = media.add(sess, site, form["key"], raw, alt, (form["focal_x"], form["focal_y"]),
                         max_pixels=current_app.config["MEDIA_MAX_PIXELS"])
        sess.flush()
        audit.record(sess, g.user, "media.uploaded", site=site, target=item.key,
                     width=item.width, height=item.height)
        sess.commit()
    except (media.MediaError, ImageError) as exc:
        sess.rollback()
        name = getattr(exc, "field", "") or "file"
        return _page(form, {name: [str(exc)]}, status=exc.status)
    flash(_("The image %(key)s is in the library.", key=item.key), "success")
    return redirect(url_for("admin.media_item", item_id=item.id))


@route(bp, "/<site>/media/<int:item_id>", "media.manage", methods=["GET", "POST"])
def media_item(item_id: int):
    """One image: its descriptions and focal point (chosen by clicking the picture,
    or typed as two numbers), and how it is referenced."""
    site, sess = g.admin_site, db.session()
    item = _item_or_404(item_id)
    if request.method == "GET":
        return _page(_form(site, item), {}, item)
    form, alt = _submitted(site)
    form["key"] = item.key
    try:
        changed = media.update(sess, site, item, alt, (form["focal_x"], form["focal_y"]))
        if changed:
            audit.record(sess, g.user, "media.changed", site=site, target=item.key)
        sess.commit()
    except media.MediaError as exc:
        sess.rollback()
        return _page(form, {exc.field: [str(exc)]}, item, exc.status)
    flash(_("Saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("admin.media_item", item_id=item.id))


@route(bp, "/<site>/media/file/<name>", "media.manage")
def media_file(name: str) -> Response:
    """A stored file of this site, for the admin's own pages."""
    digest, _dot, ext = name.partition(".")
    row = media.stored_file(db.session(), g.admin_site.id, digest)
    if row is None or media.EXTENSIONS.get(row.mime) != ext:
        abort(404)
    return Response(row.data, mimetype=row.mime)


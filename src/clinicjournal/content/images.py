"""Uploaded images, decoded and written again with Pillow.

Nothing of an uploaded file reaches a reader as it came: the pixels are decoded
and encoded anew, so EXIF (a phone's GPS position among it), XMP, comments, ICC
profiles and any bytes hidden after the image (a "polyglot" file that is also a
script or an archive) are gone. Orientation is applied to the pixels first, so
dropping EXIF does not turn a portrait photo on its side.

Every function here works on bytes and raises :class:`ImageError` with a message
for the person uploading; none touches the database.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

#: What Pillow may decode: formats a browser shows, never animated ones.
ACCEPTED = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
#: Widths readers get (never wider than the upload itself).
WIDTHS = (160, 480, 800, 1200, 1600)  # 160: logos, thumbnails
#: The stored original is at most this wide or high: enough for any screen.
LARGEST = 2400
SOCIAL = (1200, 630)  # og:image / twitter:image summary_large_image
QUALITY = {"image/webp": 78, "image/jpeg": 82}


class ImageError(ValueError):
    """An upload that is not an image this library takes; the message says why."""

    def __init__(self, message, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Encoded:
    """One file to store: its bytes, their SHA-256, type and size in pixels."""

    data: bytes
    mime: str
    width: int
    height: int

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def decode(data: bytes, max_pixels: int) -> Image.Image:
    """The upload's pixels, upright, as RGB or RGBA, without any metadata.

    :raise ImageError: not a JPEG, PNG or WebP image (422), animated (422), or
        more than ``max_pixels`` pixels, a decompression bomb (413).
    """
    try:
        with warnings.catch_warnings():
            # Pillow warns past Image.MAX_IMAGE_PIXELS and refuses past twice that; our
            # own limit (lower) is checked from the header below, before any pixel is decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            kind = probe.format
            if kind not in ACCEPTED:
                raise ImageError(_l("The file is not a JPEG, PNG or WebP image."))
            if probe.width * probe.height > max_pixels:
                raise ImageError(_l("The image is %(width)d × %(height)d pixels; at most %(most)s million "
                                    "pixels are accepted. Make it smaller and upload it again.",
                                    width=probe.width, height=probe.height,
                                    most=f"{max_pixels / 1e6:g}"), 413)
            if getattr(probe, "n_frames", 1) > 1:
                raise ImageError(_l("Animated images are not accepted; upload a still image."))
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except ImageError:
        raise
    except Image.DecompressionBombError:
        raise ImageError(_l("The image has too many pixels to be opened safely."), 413) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ImageError(_l("The file is not a JPEG, PNG or WebP image, or it is damaged.")) from None
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    clean = image.convert("RGBA" if has_alpha else "RGB")
    # A new image from the pixels alone: no info dict (EXIF, ICC, XMP, comments) comes along.
    fresh = Image.new(clean.mode, clean.size)
    fresh.paste(clean)
    return fresh


def fallback_mime(image: Image.Image) -> str:
    """PNG keeps transparency; everything else is a JPEG, which every browser shows."""
    return "image/png" if image.mode == "RGBA" else "image/jpeg"


def encode(image: Image.Image, mime: str) -> Encoded:
    """``image`` written as ``mime`` with no metadata at all."""
    out = io.BytesIO()
    if mime == "image/webp":
        image.save(out, "WEBP", quality=QUALITY[mime], method=4)
    elif mime == "image/jpeg":
        image.convert("RGB").save(out, "JPEG", quality=QUALITY[mime], optimize=True, progressive=True)
    else:
        image.save(out, "PNG", optimize=True)
    return Encoded(out.getvalue(), mime, image.width, image.height)


def scaled(image: Image.Image, width: int) -> Image.Image:
    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def original(image: Image.Image) -> Encoded:
    """The stored full-size file: the upload re-encoded, at most LARGEST pixels wide or high."""
    copy = image.copy()
    copy.thumbnail((LARGEST, LARGEST), Image.Resampling.LANCZOS)
    return encode(copy, fallback_mime(copy))


def variants(image: Image.Image) -> list[Encoded]:
    """Each width of WIDTHS the image reaches (and its own width when narrower
    than the largest), in WebP and in the fallback format, narrowest first."""
    widths = [w for w in WIDTHS if w < image.width] + [min(image.width, WIDTHS[-1])]
    found = []
    for width in sorted(set(widths)):
        smaller = scaled(image, width)
        found += [encode(smaller, "image/webp"), encode(smaller, fallback_mime(image))]
    return found


def crop_box(width: int, height: int, target: tuple[int, int], focal: tuple[float, float]) -> tuple[int, ...]:
    """The largest box of ``target``'s shape inside width × height, centred on the
    focal point as far as the edges allow."""
    tw, th = target
    if width * th > height * tw:  # wider than the target: full height
        box_w, box_h = max(1, round(height * tw / th)), height
    else:
        box_w, box_h = width, max(1, round(width * th / tw))
    left = min(max(0, round(focal[0] * width - box_w / 2)), width - box_w)
    top = min(max(0, round(focal[1] * height - box_h / 2)), height - box_h)
    return left, top, left + box_w, top + box_h


def social(image: Image.Image, focal: tuple[float, float]) -> Encoded:
    """The 1200×630 JPEG for og:image, cropped around the focal point (never upscaled
    past the crop: a small image gives a smaller file of the same shape)."""
    box = crop_box(image.width, image.height, SOCIAL, focal)
    cropped = image.crop(box)
    if cropped.width > SOCIAL[0]:
        cropped = cropped.resize(SOCIAL, Image.Resampling.LANCZOS)
    if cropped.mode == "RGBA":  # JPEG has no transparency: on white, as a page shows it
        backdrop = Image.new("RGB", cropped.size, "white")
        backdrop.paste(cropped, mask=cropped.getchannel("A"))
        cropped = backdrop
    return encode(cropped, "image/jpeg")

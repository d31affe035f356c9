"""Images for the media tests, drawn here with Pillow (no copied pictures)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

TAIL = b"<script>alert('polyglot')</script>PK\x03\x04hidden-payload"


def drawing(width: int = 1600, height: int = 1000, mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, (width, height), (230, 240, 250) if mode == "RGB" else (230, 240, 250, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * .55, height * .2, width * .9, height * .75), fill=(240, 170, 60))
    draw.rectangle((0, height * .8, width, height), fill=(60, 130, 90))
    return image


def jpeg_with_gps(width: int = 1600, height: int = 1000, tail: bytes = TAIL) -> bytes:
    """A JPEG whose EXIF says where it was taken (GPS), with bytes after its end."""
    image = drawing(width, height)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "SecretCamApp 1.0"  # Software
    gps = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.9)}
    exif[0x8825] = gps  # GPSInfo IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue() + tail


def png(width: int = 800, height: int = 500) -> bytes:
    out = io.BytesIO()
    drawing(width, height, "RGBA").save(out, "PNG")
    return out.getvalue()

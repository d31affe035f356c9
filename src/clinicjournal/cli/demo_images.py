"""The demo's pictures, drawn with Pillow (original drawings, no copied images).

``python -m clinicjournal.cli.demo_images`` writes them, with their
``media/index.yaml``, into the demo's content folders, where ``clinicjournal
demo`` and ``content import`` read them like any exported media library.
"""

from __future__ import annotations

import io
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFilter

#: key → (what to draw, alt text per language of the site)
DEMO_IMAGES = {
    "harbourview": {
        "winter-sun": ("winter_sun", {
            "en": "A low winter sun above the rooftops of a harbour town, reflected in the water",
            "de": "Eine tief stehende Wintersonne über den Dächern einer Hafenstadt, die sich im Wasser spiegelt",
            "ar": "شمس شتوية منخفضة فوق أسطح بلدة ساحلية، ينعكس ضوؤها على الماء",
        }, (0.68, 0.36)),
    },
}


def winter_sun(width: int = 1600, height: int = 900) -> bytes:
    """A low sun in a winter sky over rooftops and a harbour: flat shapes, soft colours."""
    sky = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(sky)
    top, bottom = (58, 92, 140), (246, 196, 150)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    glow = Image.new("L", (width, height), 0)
    ImageDraw.Draw(glow).ellipse((width * .58, height * .2, width * .78, height * .56), fill=200)
    sky.paste((255, 236, 200), mask=glow.filter(ImageFilter.GaussianBlur(60)))
    draw = ImageDraw.Draw(sky)
    draw.ellipse((width * .64, height * .29, width * .72, height * .43), fill=(255, 244, 214))
    water_top = int(height * .72)
    draw.rectangle((0, water_top, width, height), fill=(54, 92, 120))
    for i in range(14):  # the sun's path on the water
        y = water_top + 12 + i * 16
        half = 90 - i * 5
        draw.rectangle((width * .68 - half, y, width * .68 + half, y + 5), fill=(236, 200, 150))
    x, shade = 0, [(44, 58, 82), (60, 74, 100), (38, 52, 74)]
    for i, (w, h) in enumerate([(150, 170), (110, 230), (180, 150), (130, 260), (160, 190), (120, 140),
                                (200, 210), (140, 170), (170, 240), (130, 160), (190, 200)]):
        if x > width:
            break
        base = water_top
        draw.rectangle((x, base - h, x + w, base), fill=shade[i % 3])
        draw.polygon([(x - 6, base - h), (x + w / 2, base - h - 60), (x + w + 6, base - h)], fill=shade[(i + 1) % 3])
        for row in range(2):  # lit windows
            for col in range(2):
                wx, wy = x + 25 + col * (w - 70), base - h + 40 + row * 60
                if wy + 28 < base:
                    draw.rectangle((wx, wy, wx + 20, wy + 28), fill=(250, 214, 140))
        x += w + 10
    out = io.BytesIO()
    sky.save(out, "PNG")
    return out.getvalue()


def write_all(content: Path) -> list[Path]:
    """Draw every demo picture into ``content/<site>/media/`` (WebP) with its index."""
    written = []
    for site, pictures in DEMO_IMAGES.items():
        folder = content / site / "media"
        folder.mkdir(parents=True, exist_ok=True)
        index = []
        for key, (drawing, alt, focal) in pictures.items():
            image = Image.open(io.BytesIO(globals()[drawing]()))
            out = io.BytesIO()
            image.save(out, "WEBP", quality=90)
            (folder / f"{key}.webp").write_bytes(out.getvalue())
            index.append({"key": key, "file": f"{key}.webp", "alt": alt, "focal": list(focal)})
            written.append(folder / f"{key}.webp")
        (folder / "index.yaml").write_text(
            "# Written by `python -m clinicjournal.cli.demo_images`: pictures drawn with Pillow.\n"
            + yaml.safe_dump(index, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return written


if __name__ == "__main__":
    for path in write_all(Path(__file__).resolve().parents[1] / "demo" / "content"):
        print(path)

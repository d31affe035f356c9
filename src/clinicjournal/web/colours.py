"""The site's colours as readers get them: hex values in full, whether white
text stays readable on the main colour (the admin's check when it is saved),
and the shades the pages actually use for text, in the light and the dark
theme (:func:`theme_style`).

A brand colour is a wish, not a promise: a site may hold a light main colour
saved before the admin checked contrast (or typed on the command line), and no
brand colour suits both a white and a near-black page. So text never uses the
stored colour as it is: :func:`ink` darkens it (light theme) or lightens it
(dark theme) by as little as it takes to reach WCAG AA against every
background it is written on, and the colour itself stays for what carries no
text (the logo circle, borders, the focus ring).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")
DEFAULT_THEME = {"primary": "#1f5f8b", "accent": "#2f8f6f"}

#: WCAG 2 AA for body text: the least contrast white text on the main colour may have.
MIN_CONTRAST = 4.5
#: what :func:`ink` aims for: a little above AA, so that browsers rounding
#: ``color-mix()`` differently from this module never land below 4.5
TARGET_CONTRAST = 4.7

#: the page colours of journal.css (:root, and its prefers-color-scheme: dark block)
LIGHT = {"paper": "#ffffff", "wash": "#f5f7f9"}
DARK = {"paper": "#161b22", "wash": "#0d1117"}
#: the tints journal.css writes brand-coloured text on: (colour, percent) mixed into the paper
TINTS = {"primary": (0, 8, 12), "accent": (0, 9, 12, 14, 24)}


def full_hex(value: str | None) -> str | None:
    """``#abc`` as ``#aabbcc``, lower case; None for anything that is not a hex colour."""
    value = (value or "").strip()
    if not HEX_COLOUR.match(value):
        return None
    digits = value[1:].lower()
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def shown(key: str, stored: str | None) -> str:
    """The colour readers see for ``key`` ("primary", "accent"): the stored one, else the default."""
    return full_hex(stored) or DEFAULT_THEME[key]


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def mix(colour: str, other: str, percent: float) -> str:
    """``color-mix(in srgb, colour percent%, other)``: ``percent`` of ``colour``, the rest ``other``."""
    share = percent / 100
    return "#" + "".join(f"{round(a * share + b * (1 - share)):02x}" for a, b in zip(_rgb(colour), _rgb(other)))


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """The WCAG contrast ratio of two hex colours, from 1 to 21."""
    a, b = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def contrast_on_white(colour: str) -> float:
    """The WCAG contrast ratio of white on ``colour`` (a hex colour), from 1 to 21."""
    return contrast("#ffffff", full_hex(colour) or DEFAULT_THEME["primary"])


def shown_ratio(ratio: float) -> float:
    """The ratio to one decimal, rounded down: 4.48 reads 4.4, not a passing 4.5."""
    return math.floor(ratio * 10) / 10


def backgrounds(key: str, colour: str, dark: bool) -> list[str]:
    """Every background journal.css writes text in brand colour ``key`` on, in one theme."""
    page = DARK if dark else LIGHT
    return [page["wash"], *(mix(colour, page["paper"], p) for p in TINTS[key])]


@lru_cache(maxsize=256)
def ink(colour: str, key: str = "primary", dark: bool = False) -> str:
    """``colour`` as text colour ``key`` in one theme: unchanged when it reads at
    :data:`TARGET_CONTRAST` on all its :func:`backgrounds`, else mixed with black
    (light theme) or white (dark theme) in 2 % steps until it does. Black and
    white reach 21:1 and 16:1 on these pages, so there is always such a shade."""
    colour = full_hex(colour) or DEFAULT_THEME[key]
    grounds = backgrounds(key, colour, dark)
    toward = "#ffffff" if dark else "#000000"
    for keep in range(100, -1, -2):
        shade = mix(colour, toward, keep)
        if min(contrast(shade, ground) for ground in grounds) >= TARGET_CONTRAST:
            return shade
    return toward


def theme_style(site) -> str:
    """The inline ``<style>`` body of a reader page: the site's colours as custom
    properties on ``body`` (validated hex values only), with their text shades
    for both themes; journal.css picks the pair of the reader's colour scheme."""
    colours = {key: shown(key, str(site.appearance.get(key, ""))) for key in DEFAULT_THEME}
    values = dict(colours)
    for key, colour in colours.items():
        values[f"{key}-ink-light"] = ink(colour, key, dark=False)
        values[f"{key}-ink-dark"] = ink(colour, key, dark=True)
    return "; ".join(f"--{k}: {v}" for k, v in values.items())

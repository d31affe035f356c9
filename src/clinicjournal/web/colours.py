"""The site's colours as readers get them: hex values in full, and whether
white text stays readable on the main colour (the public pages put white text
on it: the current language, buttons; and the colour itself on white as links).
"""

from __future__ import annotations

import math

from .pagebits import DEFAULT_THEME, HEX_COLOUR

#: WCAG 2 AA for body text: the least contrast white text on the main colour may have.
MIN_CONTRAST = 4.5


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


def _luminance(colour: str) -> float:
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(colour: str) -> float:
    """The WCAG contrast ratio of white on ``colour`` (a hex colour), from 1 to 21."""
    return 1.05 / (_luminance(full_hex(colour) or DEFAULT_THEME["primary"]) + 0.05)


def shown_ratio(ratio: float) -> float:
    """The ratio to one decimal, rounded down: 4.48 reads 4.4, not a passing 4.5."""
    return math.floor(ratio * 10) / 10

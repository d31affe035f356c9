"""The text shades of the site's colours (web/colours.py): whatever a site stored, the
text the reader pages write in it keeps WCAG AA contrast in the light and the dark theme."""

from __future__ import annotations

import itertools
import re
from types import SimpleNamespace

import pytest
from conftest import REPO

from clinicjournal.web.colours import DARK, LIGHT, MIN_CONTRAST, TINTS, backgrounds, contrast, ink, mix, theme_style

JOURNAL_CSS = (REPO / "src/clinicjournal/static/css/journal.css").read_text()
# every 51st value of each channel: 216 colours from black to white, #ffff66 among them
GRID = ["#" + "".join(f"{v:02x}" for v in rgb) for rgb in itertools.product(range(0, 256, 51), repeat=3)]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("key", ["primary", "accent"])
def test_every_colour_gets_a_text_shade_that_reads_on_every_background(key, dark):
    for colour in GRID + ["#ffff66", "#1f5f8b", "#2f8f6f"]:
        shade = ink(colour, key, dark)
        worst = min(contrast(shade, ground) for ground in backgrounds(key, colour, dark))
        assert worst >= MIN_CONTRAST, (colour, shade, worst)
        if not dark:  # white text on the shade too (buttons, the current language)
            assert contrast(shade, "#ffffff") >= MIN_CONTRAST, (colour, shade)


def test_a_colour_that_reads_already_is_left_as_it_is():
    assert ink("#1f5f8b", "primary", dark=False) == "#1f5f8b"  # the default main colour
    assert ink("#ffff66", "primary", dark=True) == "#ffff66"  # yellow on a dark page is fine
    assert ink("#ffff66", "primary", dark=False) != "#ffff66"


def test_theme_style_gives_both_shades_and_ignores_what_is_not_a_colour():
    site = SimpleNamespace(appearance={"primary": "#ff6", "accent": "red; background: url(x)"})
    style = dict(part.split(": ") for part in theme_style(site).split("; "))
    assert style["--primary"] == "#ffff66" and style["--accent"] == "#2f8f6f"
    assert style["--primary-ink-light"] == ink("#ffff66", "primary", dark=False)
    assert style["--primary-ink-dark"] == ink("#ffff66", "primary", dark=True)
    assert set(style) == {"--primary", "--accent", "--primary-ink-light", "--primary-ink-dark",
                          "--accent-ink-light", "--accent-ink-dark"}


def test_the_backgrounds_checked_are_the_ones_journal_css_uses():
    light = re.search(r":root \{(.*?)\}", JOURNAL_CSS, re.S).group(1)
    dark = re.search(r"prefers-color-scheme: dark\) \{\s*:root \{(.*?)\}", JOURNAL_CSS, re.S).group(1)
    for block, page in ((light, LIGHT), (dark, DARK)):
        for name, value in page.items():
            assert f"--{name}: {value};" in block, name
    # brand-coloured text is only written on tints of the paper that colours.TINTS lists
    for colour, percent in re.findall(r"color-mix\(in srgb, var\(--(primary|accent)\) (\d+)%, var\(--paper\)\)",
                                      JOURNAL_CSS):
        assert int(percent) in TINTS[colour], (colour, percent)
    assert not re.search(r"(?<![-\w])color: (var\(--(primary|accent)\)|#fff)", JOURNAL_CSS)


def test_mix_matches_css_color_mix_in_srgb():
    assert mix("#ffffff", "#000000", 50) == "#808080"
    assert mix("#1f5f8b", "#ffffff", 100) == "#1f5f8b"
    assert mix("#1f5f8b", "#ffffff", 0) == "#ffffff"

"""A plain-language readability figure for a text, per language.

Each language gets the formula written for it, and only where one exists that
gives a school grade (so it can be compared with the site's target grade):

- English: Flesch–Kincaid grade level.
- German: the first Wiener Sachtextformel (Bamberger & Vanecek), a school grade.
- Spanish: Crawford's formula (years of schooling).
- French: there is no school-grade formula; the Kandel–Moles reading ease
  (Flesch's scale recalibrated for French, 0–100, higher is easier) is given
  as such, not dressed up as a grade.
- Any other language (Arabic among them): no figure, and the editor says so
  rather than showing a number computed for another language.

Syllables are counted from pyphen's hyphenation dictionaries (as textstat does
when it has no pronouncing dictionary), so every figure is an estimate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .citations import GROUP_RE

DEFAULT_TARGET_GRADE = 8
#: What the formulas are computed on: Markdown is stripped to its words.
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"^\s{0,3}(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>\s?)|[*_~|<>]", re.M)
_SENTENCE_END = re.compile(r"[.!?…؟։。]+|\n\s*\n|\n(?=\s*(?:#|[-*+]\s|\d+[.)]\s))")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_PYPHEN = {"en": "en_US", "de": "de_DE", "es": "es", "fr": "fr"}
GRADE_FORMULAS = {"en": "Flesch–Kincaid", "de": "Wiener Sachtextformel", "es": "Crawford"}
EASE_FORMULAS = {"fr": "Kandel–Moles"}


@dataclass(frozen=True)
class Readability:
    language: str
    formula: str  # "" when the language has none
    grade: float | None = None  # a school grade, comparable with the target
    ease: float | None = None  # a 0–100 reading ease, for languages without a grade formula
    words: int = 0
    sentences: int = 0


def plain_text(markdown: str) -> str:
    """The words of a Markdown text: no code, citations, link targets or markup."""
    text = _CODE.sub(" ", markdown or "")
    text = GROUP_RE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    return _MARKS.sub(" ", text)


@lru_cache(maxsize=8)
def _hyphenator(language: str):
    import pyphen

    return pyphen.Pyphen(lang=_PYPHEN[language])


def _syllables(word: str, language: str) -> int:
    return len(_hyphenator(language).positions(word.lower())) + 1


def language_of(locale: str) -> str:
    return (locale or "").replace("-", "_").split("_")[0].lower()


def has_formula(locale: str) -> bool:
    return language_of(locale) in GRADE_FORMULAS or language_of(locale) in EASE_FORMULAS


def measure(markdown: str, locale: str) -> Readability:
    """The readability of ``markdown`` written in ``locale`` (no figure for too
    little text: fewer than ten words)."""
    language = language_of(locale)
    formula = GRADE_FORMULAS.get(language) or EASE_FORMULAS.get(language, "")
    text = plain_text(markdown)
    words = _WORD.findall(text)
    sentences = max(1, len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)]))
    if not formula or len(words) < 10:
        return Readability(language, formula, words=len(words), sentences=sentences)
    counts = [_syllables(w, language) for w in words]
    n, syllables = len(words), sum(counts)
    per_sentence, per_word = n / sentences, syllables / n
    if language == "en":
        grade = 0.39 * per_sentence + 11.8 * per_word - 15.59
    elif language == "de":
        many = 100 * sum(1 for c in counts if c >= 3) / n
        long = 100 * sum(1 for w in words if len(w) > 6) / n
        one = 100 * sum(1 for c in counts if c == 1) / n
        grade = 0.1935 * many + 0.1672 * per_sentence + 0.1297 * long - 0.0327 * one - 0.875
    elif language == "es":
        grade = -0.205 * (100 * sentences / n) + 0.049 * (100 * syllables / n) - 3.407
    else:  # fr: a reading ease, not a grade
        ease = 207 - 1.015 * per_sentence - 73.6 * per_word
        return Readability(language, formula, ease=round(max(0.0, min(100.0, ease)), 1), words=n,
                           sentences=sentences)
    return Readability(language, formula, grade=round(max(0.0, grade), 1), words=n, sentences=sentences)


def target_grade(site) -> int:
    """The school grade ``site`` aims its articles at (setting ``readability_grade``)."""
    try:
        grade = int((site.settings or {}).get("readability_grade", DEFAULT_TARGET_GRADE))
    except (TypeError, ValueError):
        return DEFAULT_TARGET_GRADE
    return grade if 1 <= grade <= 18 else DEFAULT_TARGET_GRADE

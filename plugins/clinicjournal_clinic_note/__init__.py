"""The clinic's own voice: a "What we see at the clinic" note, from the article's
``clinic_note`` front matter.

    clinic_note:
      text: |
        Every October our waiting room fills with the same question ...

        A second paragraph.
      by: Dr. Leila Haddad, family physician     # optional

(``clinic_note: "one paragraph"`` is the short form.) Each language version of
an article has its own note, so a translator translates it with the rest. The
text is the clinic speaking from experience, not evidence: it is shown as
plain paragraphs (escaped, never HTML or Markdown) and may not cite sources,
which belong in the body where the Sources list numbers them.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from clinicjournal import Contribution, HeadExtras, PluginInfo, hookimpl, static_url

__version__ = "1.0.0"

FIELD = "clinic_note"
MAX_TEXT = 2000  # a note, not a second article
MAX_BY = 200
CITATION = re.compile(r"\[@")


@hookimpl
def plugin_info():
    return PluginInfo(name=_l("Clinic note"), description=_l("Shows a “What we see at the clinic” note: the clinic's own experience, "
                                     "in its own voice, after the article's text."))


def note_of(article) -> tuple[str, str] | None:
    """``(text, by)`` of the article's note, or None when it has none (or one
    that validation refused: such an article is never imported or published)."""
    value = (getattr(article, "extra", None) or {}).get(FIELD)
    if isinstance(value, str):
        value = {"text": value}
    if not isinstance(value, dict) or not isinstance(value.get("text"), str) or not value["text"].strip():
        return None
    by = value.get("by")
    return value["text"].strip(), by.strip() if isinstance(by, str) else ""


@hookimpl
def validate_article(article, site):
    value = (article.extra or {}).get(FIELD)
    if value is None:
        return None
    if isinstance(value, str):
        value = {"text": value}
    if not isinstance(value, dict) or not isinstance(value.get("text"), str):
        return [_("%(field)s: write the note as text, or as `text:` with an optional `by:` (who at the clinic "
                  "speaks).", field=FIELD)]
    problems = []
    unknown = sorted(set(value) - {"text", "by"})
    if unknown:
        problems.append(_("%(field)s: unknown keys %(keys)s; a note has `text:` and an optional `by:`.",
                          field=FIELD, keys=", ".join(map(str, unknown))))
    text, by = value["text"], value.get("by", "")
    if not isinstance(by, str) or len(by) > MAX_BY:
        problems.append(_("%(field)s: `by:` is a name and a role, at most %(num)d characters.", field=FIELD,
                          num=MAX_BY))
    if len(text) > MAX_TEXT:
        problems.append(_("%(field)s: the note has %(length)d characters; keep it under %(num)d, or move the "
                          "rest into the article's text.", field=FIELD, length=len(text), num=MAX_TEXT))
    if CITATION.search(text):
        problems.append(_("%(field)s: a clinic note cannot cite sources ([@…]); it is the clinic's experience. "
                          "Put the claim and its citation in the article's text.", field=FIELD))
    return problems or None


@hookimpl
def template_slot(slot, ctx):
    if slot != "article_body_end" or ctx.article is None:
        return None
    note = note_of(ctx.article)
    if note is None:
        return None
    text, by = note
    paragraphs = Markup("").join(Markup("<p>{}</p>").format(part.strip())
                                 for part in re.split(r"\n\s*\n", text) if part.strip())
    signature = Markup('<p class="clinic-note__by">— {}</p>').format(by) if by else Markup("")
    html = Markup('<aside class="article-part clinic-note" aria-labelledby="clinic-note-title">'
                  '<h2 id="clinic-note-title">{}</h2>{}{}</aside>').format(
        _("What we see at the clinic"), paragraphs, signature)
    return Contribution(html, priority=5)  # after the text, before the questions and the takeaway


@hookimpl
def head_extras(ctx):
    if ctx.page != "article" or ctx.article is None or note_of(ctx.article) is None:
        return None
    return HeadExtras(stylesheets=[static_url("clinic-note.css", plugin="clinic_note")])

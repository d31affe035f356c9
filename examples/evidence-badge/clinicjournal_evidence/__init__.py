"""Evidence-level badge: how strong is the research behind this article?"""

from flask import render_template
from flask_babel import lazy_gettext as _l

from clinicjournal import Contribution, HeadExtras, PluginInfo, SettingSpec, hookimpl, static_url

__version__ = "0.2.0"

# Strongest first: the badge reflects the best evidence an article cites.
LEVELS = (
    ("strong", _l("Strong evidence"), ("meta-analysis", "systematic review")),
    ("good", _l("Good evidence"), ("randomised", "randomized", "guideline")),
)
EARLY = ("early", _l("Early evidence"))


@hookimpl
def plugin_info():
    return PluginInfo(
        description=_l("Shows an evidence-level badge on articles, from the kinds of their sources."),
        default_enabled=False,
        settings=(SettingSpec("minimum_references", "int", default=1,
                              help=_l("Show the badge only on articles citing at least this many "
                                      "sources.")),),
    )


def evidence_level(references) -> tuple[str, str]:
    kinds = [(ref.kind or "").lower() for ref in references]
    for level, label, markers in LEVELS:
        if any(marker in kind for kind in kinds for marker in markers):
            return level, label
    return EARLY


@hookimpl
def template_slot(slot, ctx):
    if slot != "article_header" or ctx.page != "article":
        return None
    refs = ctx.article.references
    if len(refs) < ctx.settings("evidence")["minimum_references"]:
        return None
    level, label = evidence_level(refs)
    return Contribution(render_template("evidence/badge.html", level=level, label=label,
                                        count=len(refs)), priority=50)


@hookimpl
def head_extras(ctx):
    if ctx.page != "article":
        return None
    return HeadExtras(stylesheets=[static_url("evidence.css", plugin="evidence")])

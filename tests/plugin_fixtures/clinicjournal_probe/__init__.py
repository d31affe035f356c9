"""A test plugin that implements every hook, off by default."""

import click
from flask import Blueprint, g
from markupsafe import Markup

from clinicjournal import (
    Category,
    Contribution,
    HeadExtras,
    PluginInfo,
    SettingSpec,
    hookimpl,
    static_url,
)

__version__ = "9.9.9"
bp = Blueprint("probe", __name__, url_prefix="/probe")


@bp.route("/")
def hello():
    return f"probe on {g.site.slug}"


@hookimpl
def plugin_info():
    return PluginInfo(description="Probe plugin for tests", default_enabled=False, settings=(
        SettingSpec("greeting", "str", default="Hello", translatable=True, help="Sidebar greeting"),
        SettingSpec("citations", "bool", default=False, help="Render citations as section marks"),
        SettingSpec("count", "int", default=3),
        SettingSpec("mode", "choice", default="a", choices=("a", "b")),
        SettingSpec("link", "url", default=""),
    ))


@hookimpl
def categories(site, locale):
    return [Category("mental-health", "Mental Health", "Mind and mood")]


@hookimpl(tryfirst=True)
def render_citation(ctx, keys, numbers):
    if ctx.settings("probe")["citations"]:
        return Markup("<sup class=\"probe-cite\">{}</sup>").format("".join(f"§{n}" for n in numbers))
    return None


@hookimpl
def template_slot(slot, ctx):
    if slot == "sidebar":
        return Contribution(Markup('<p class="probe-greeting">{}</p>').format(ctx.settings("probe")["greeting"]),
                            priority=5)
    return None


@hookimpl
def head_extras(ctx):
    return HeadExtras(meta={"probe": ctx.page}, stylesheets=[static_url("probe.css", plugin="probe")],
                      jsonld=[{"@type": "Thing", "name": "</script><script>alert(1)</script>"}])


@hookimpl
def html_transforms(site):
    return [lambda html, ctx: html.replace("PROBE-MARK", '<mark class="probed">probed</mark><script>x()</script>')]


@hookimpl
def blueprints():
    return [bp]


@click.command("probe-hello")
def probe_hello():
    """Say hello from the probe plugin."""
    click.echo("hello from probe")


@hookimpl
def cli_commands():
    return [probe_hello]


@hookimpl
def validate_article(article, site):
    if "FORBIDDEN" in article.title:
        return ["titles may not say FORBIDDEN"]
    return None

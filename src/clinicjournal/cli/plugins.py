"""``clinicjournal plugins ...``: see, enable, disable and configure plugins per site."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..platform.health import health_rows
from ..platform.settings import update_settings
from ..store import audit
from ..store.manage import ConfigError, get_site, set_plugin_enabled
from ..store.models import Site
from ..web.sites import to_view
from .base import console, fail, main, session, table


def _plugins():
    return current_app.extensions["clinicjournal"].plugins


@main.group("plugins")
def plugins_group() -> None:
    """Installed plugins and where they are enabled."""


@plugins_group.command("list")
@click.option("--site", "site_slug", help="Show only this site's state.")
@with_appcontext
def plugins_list(site_slug: str | None) -> None:
    """List every plugin: version, source, hooks, sites where it is on, health."""
    plugins, sess = _plugins(), session()
    try:
        sites = [get_site(sess, site_slug)] if site_slug else list(sess.scalars(select(Site).order_by(Site.slug)))
    except ConfigError as exc:
        fail(str(exc))
    views = [to_view(s, plugins) for s in sites]
    health: dict[str, list] = {}
    for row in health_rows(sess):
        if not site_slug or row.site_slug == site_slug:
            health.setdefault(row.plugin, []).append(row)
    rows = []
    for name in sorted(plugins.records):
        record = plugins.records[name]
        on = [v.slug for v in views if name in v.enabled_plugins]
        problems = health.get(name, [])
        if record.broken:
            state = f"BROKEN: {record.error}"
        elif any(h.failures for h in problems):
            worst = max(problems, key=lambda h: h.failures)
            state = f"{sum(h.failures for h in problems)} failure(s); last on {worst.site_slug}: {worst.last_error}"
        else:
            state = "ok"
        slow = max((h.slowest_ms for h in problems), default=0)
        if slow:
            state += f"; slowest call {slow} ms"
        rows.append([name, record.version or "-", record.source, ", ".join(plugins.hooks_of(name)) or "-",
                     ", ".join(on) or "-", state])
    table("Plugins" + (f" on {site_slug}" if site_slug else ""),
          ["name", "version", "source", "hooks", "enabled on", "state"], rows)


def _toggle(name: str, site_slug: str, enabled: bool) -> None:
    sess = session()
    try:
        site = get_site(sess, site_slug)
        set_plugin_enabled(sess, site, name, enabled, _plugins())
    except ConfigError as exc:
        fail(str(exc))
    audit.record(sess, audit.CLI, "plugin.enabled" if enabled else "plugin.disabled", site=site, target=name)
    sess.commit()
    console.print(f"Plugin {name} is now {'enabled' if enabled else 'disabled'} on {site_slug}.")


def _toggle_command(verb: str, enabled: bool, help_text: str) -> None:
    @plugins_group.command(verb, help=help_text)
    @click.argument("name")
    @click.option("--site", "site_slug", required=True)
    @with_appcontext
    def command(name: str, site_slug: str) -> None:
        _toggle(name, site_slug, enabled)


_toggle_command("enable", True, "Turn plugin NAME on for a site (every worker picks it up on its next request).")
_toggle_command("disable", False, "Turn plugin NAME off for a site.")


@plugins_group.command("settings")
@click.argument("name")
@click.argument("assignments", nargs=-1)
@click.option("--site", "site_slug", required=True)
@click.option("--locale", help="For translatable settings: the language the value is for.")
@with_appcontext
def plugins_settings(name: str, assignments: tuple[str, ...], site_slug: str, locale: str | None) -> None:
    """Show plugin NAME's settings on a site, or change them with KEY=VALUE pairs."""
    plugins, sess = _plugins(), session()
    if name not in plugins.records:
        fail(f"no plugin {name!r}; `clinicjournal plugins list` shows the installed ones")
    specs = plugins.setting_specs(name)
    try:
        site = get_site(sess, site_slug)
        if assignments:
            values = {}
            for pair in assignments:
                key, sep, value = pair.partition("=")
                if not sep:
                    raise ConfigError(f"{pair!r} is not KEY=VALUE")
                values[key.strip()] = value
            update_settings(sess, site, name, specs, values, locale)
            audit.record(sess, audit.CLI, "setting.changed", site=site, target=name, values=values,
                         locale=locale)
            sess.commit()
            console.print(f"Saved {', '.join(values)} for {name} on {site_slug}.")
    except ConfigError as exc:
        fail(str(exc))
    if not specs:
        console.print(f"Plugin {name} has no settings.")
        return
    stored = next((p.settings for p in site.plugins if p.plugin == name), {}) or {}
    table(f"Settings of {name} on {site_slug}", ["setting", "type", "value", "default", "help"],
          [[s.name, s.type + (" (per language)" if s.translatable else "")
            + (f": {'|'.join(s.choices)}" if s.choices else ""),
            json.dumps(stored[s.name], ensure_ascii=False) if s.name in stored else "(default)",
            json.dumps(s.default, ensure_ascii=False), str(s.help)] for s in specs.values()])

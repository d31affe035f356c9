"""Plugins on a site: state and health, enable/disable, and a settings form built
from each plugin's declared :class:`~clinicjournal.SettingSpec` list."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..platform.health import health_rows
from ..platform.settings import update_settings
from ..store import audit, db, manage
from ..web.sites import to_view
from . import bp, setting_form
from .roles import route
from .ui import plugins


@dataclass
class PluginRow:
    name: str
    title: str  # what people call it: PluginInfo.name, else ``name``
    description: str
    version: str
    state: str  # "on", "off" or "broken"
    error: str
    failures: int
    last_error: str
    slowest_ms: int
    slowest_hook: str
    has_settings: bool


def plugin_rows(sess, site) -> list[PluginRow]:
    registry = plugins()
    enabled = to_view(site, registry).enabled_plugins
    health = {h.plugin: h for h in health_rows(sess) if h.site_slug == site.slug}
    rows = []
    for name in sorted(registry.records):
        record = registry.records[name]
        h = health.get(name)
        rows.append(PluginRow(
            name=name, title=registry.title(name), description=str(record.info.description or ""),
            version=record.version or "",
            state="broken" if record.broken else ("on" if name in enabled else "off"),
            error=record.error or "", failures=h.failures if h else 0, last_error=h.last_error if h else "",
            slowest_ms=h.slowest_ms if h else 0, slowest_hook=h.slowest_hook if h else "",
            has_settings=bool(registry.setting_specs(name)),
        ))
    return rows


@route(bp, "/<site>/plugins", "plugins.manage")
def plugins_page():
    """Every installed plugin with its state on this site."""
    site = g.admin_site
    return render_template("admin/plugins.html", site=site, rows=plugin_rows(db.session(), site))


def _record_or_404(name: str):
    record = plugins().records.get(name)
    if record is None:
        abort(404)
    return record


@route(bp, "/<site>/plugins/<name>/toggle", "plugins.manage", methods=["POST"])
def plugin_toggle(name: str):
    """Turn a plugin on (``enabled=1``) or off (``enabled=0``) on this site."""
    site, sess = g.admin_site, db.session()
    _record_or_404(name)
    enabled = request.form.get("enabled") == "1"
    try:
        manage.set_plugin_enabled(sess, site, name, enabled, plugins())
        audit.record(sess, g.user, "plugin.enabled" if enabled else "plugin.disabled", site=site, target=name)
        sess.commit()
    except manage.ConfigError as exc:
        sess.rollback()
        flash(str(exc), "error")
    else:
        title = plugins().title(name)
        flash(_("%(name)s is now on for this site.", name=title) if enabled
              else _("%(name)s is now off for this site.", name=title), "success")
    return redirect(url_for("admin.plugins_page") + f"#plugin-{name}")


def _stored(site, name: str) -> dict:
    return next((dict(p.settings or {}) for p in site.plugins if p.plugin == name), {})


@route(bp, "/<site>/plugins/<name>", "plugins.manage", methods=["GET", "POST"])
def plugin_settings(name: str):
    """The plugin's settings form; saving is all or nothing."""
    site, sess = g.admin_site, db.session()
    record = _record_or_404(name)
    specs = plugins().setting_specs(name)
    stored = _stored(site, name)
    values, error, problems = setting_form.shown(site, specs, stored), None, {}
    title = plugins().title(name)
    if request.method == "POST":
        submitted = setting_form.submitted(site, specs, request.form)
        problems = setting_form.problems(specs, values, submitted)
        if not problems:
            try:
                changed = _save(sess, site, name, specs, values, submitted)
                if changed:
                    audit.record(sess, g.user, "setting.changed", site=site, target=name, values=changed)
                sess.commit()
            except manage.ConfigError as exc:  # what no single field says (a language the site dropped meanwhile)
                sess.rollback()
                error = str(exc)
            else:
                flash(_("Settings of %(name)s saved.", name=title) if changed else _("Nothing changed."),
                      "success")
                return redirect(url_for("admin.plugin_settings", name=name))
        values = submitted
    return render_template("admin/plugin_settings.html", site=site, name=name, title=title, record=record,
                           specs=specs, values=values, error=error, problems=problems,
                           label=setting_form.label), 422 if error or problems else 200


def _save(sess, site, name, specs, before: dict[str, str], submitted: dict[str, str]) -> dict[str, str]:
    """Store the changed fields (validated by plugin_settings); returns field → new text."""
    changed = {k: v for k, v in submitted.items() if before.get(k, "") != v}
    plain = {}
    per_locale: dict[str, dict[str, str]] = {}
    for field, value in changed.items():
        setting, _sep, locale = field.partition(":")
        if locale:
            per_locale.setdefault(locale, {})[setting] = value
        elif specs[setting].type == "bool":
            plain[setting] = "true" if value else "false"
        else:
            plain[setting] = value
    if plain:
        update_settings(sess, site, name, specs, plain)
    for locale, values in per_locale.items():
        update_settings(sess, site, name, specs, values, locale)
    return changed

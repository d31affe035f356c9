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
from . import bp
from .roles import route
from .ui import plugins


@dataclass
class PluginRow:
    name: str
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
            name=name, description=str(record.info.description or ""), version=record.version or "",
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
        flash(_("%(name)s is now on for this site.", name=name) if enabled
              else _("%(name)s is now off for this site.", name=name), "success")
    return redirect(url_for("admin.plugins_page") + f"#plugin-{name}")


def _stored(site, name: str) -> dict:
    return next((dict(p.settings or {}) for p in site.plugins if p.plugin == name), {})


def _form_values(site, specs, stored) -> dict[str, str]:
    """Field name → text shown in the form (``name`` or ``name:locale`` for translatable ones)."""
    values = {}
    for spec in specs.values():
        current = stored.get(spec.name, spec.default)
        if spec.translatable:
            per_locale = current if isinstance(current, dict) else {}
            for locale in site.locales:
                value = per_locale.get(locale, "" if isinstance(current, dict) else current)
                values[f"{spec.name}:{locale}"] = "" if value is None else str(value)
        elif spec.type == "bool":
            values[spec.name] = "1" if current else ""
        else:
            values[spec.name] = "" if current is None else str(current)
    return values


@route(bp, "/<site>/plugins/<name>", "plugins.manage", methods=["GET", "POST"])
def plugin_settings(name: str):
    """The plugin's settings form; saving is all or nothing."""
    site, sess = g.admin_site, db.session()
    record = _record_or_404(name)
    specs = plugins().setting_specs(name)
    stored = _stored(site, name)
    values, error = _form_values(site, specs, stored), None
    if request.method == "POST":
        submitted = {}
        for spec in specs.values():
            if spec.translatable:
                for locale in site.locales:
                    submitted[f"{spec.name}:{locale}"] = request.form.get(f"{spec.name}:{locale}", "")
            elif spec.type == "bool":
                submitted[spec.name] = "1" if request.form.get(spec.name) else ""
            else:
                submitted[spec.name] = request.form.get(spec.name, "")
        try:
            changed = _save(sess, site, name, specs, values, submitted)
            if changed:
                audit.record(sess, g.user, "setting.changed", site=site, target=name, values=changed)
            sess.commit()
        except manage.ConfigError as exc:
            sess.rollback()
            values, error = submitted, str(exc)
        else:
            flash(_("Settings of %(name)s saved.", name=name) if changed else _("Nothing changed."), "success")
            return redirect(url_for("admin.plugin_settings", name=name))
    return render_template("admin/plugin_settings.html", site=site, name=name, record=record,
                           specs=specs, values=values, error=error), 422 if error else 200


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

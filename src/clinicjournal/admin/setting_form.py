"""The plugin settings form: what was submitted, the label of each setting, and
what is wrong with each field, so that a refusal is shown beside its field
(and its language, for a setting written per language)."""

from __future__ import annotations

from dataclasses import replace

from ..platform.hookspecs import SettingSpec
from ..platform.settings import coerce
from ..store.manage import ConfigError


def label(spec: SettingSpec) -> str:
    """The setting's label: what the plugin declares, else its name in words."""
    return str(spec.label or "").strip() or spec.name.replace("_", " ").capitalize()


def shown(site, specs: dict[str, SettingSpec], stored: dict) -> dict[str, str]:
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


def submitted(site, specs: dict[str, SettingSpec], form) -> dict[str, str]:
    """Field → submitted text; fields are ``name``, or ``name:locale`` per language."""
    values = {}
    for spec in specs.values():
        if spec.translatable:
            for locale in site.locales:
                values[f"{spec.name}:{locale}"] = form.get(f"{spec.name}:{locale}", "")
        elif spec.type == "bool":
            values[spec.name] = "1" if form.get(spec.name) else ""
        else:
            values[spec.name] = form.get(spec.name, "")
    return values


def problems(specs: dict[str, SettingSpec], before: dict[str, str], values: dict[str, str]) -> dict[str, str]:
    """Field → why its new value is refused. Only changed fields are checked:
    only they are saved."""
    found = {}
    for field, value in values.items():
        spec = specs[field.partition(":")[0]]
        if before.get(field, "") == value or spec.type == "bool":
            continue
        try:
            # named by its label: the message stands beside the field the person sees
            coerce(replace(spec, name=label(spec)), value)
        except ConfigError as exc:
            found[field] = str(exc)
    return found

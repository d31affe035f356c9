"""The article editor's "Search engines" fieldset: an article's own search
fields (content/seo.py) as form values and back into the front matter the
editor checks, so that the editor and ``content import`` refuse the same
values with the same messages."""

from __future__ import annotations

from typing import Any

from ..content.seo import KEYS

TEXTS = ("seo_title", "seo_description", "canonical")


def values(extra: dict[str, Any] | None) -> dict[str, Any]:
    """The fieldset's values from an article's ``extra`` (as stored: a value
    the checks would refuse is shown as it is, to be corrected)."""
    extra = extra or {}
    found: dict[str, Any] = {key: extra.get(key) if isinstance(extra.get(key), str) else "" for key in TEXTS}
    found["noindex"] = extra.get("noindex") is True
    return found


def from_form(form) -> dict[str, Any]:
    found: dict[str, Any] = {key: (form.get(key) or "").strip() for key in TEXTS}
    found["noindex"] = form.get("noindex") == "1"
    return found


def into_front_matter(meta: dict[str, Any], submitted: dict[str, Any]) -> None:
    """Write the submitted fields into ``meta`` (front matter built from the
    stored ``extra``): an empty field or an unticked box removes the key, so a
    cleared field is gone, not kept as an empty string."""
    for key in KEYS:
        meta.pop(key, None)
    for key in TEXTS:
        if submitted.get(key):
            meta[key] = submitted[key]
    if submitted.get("noindex"):
        meta["noindex"] = True

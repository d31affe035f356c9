"""The audit log: per site for its site admins, install-wide for network admins."""

from __future__ import annotations

from flask import current_app, g, render_template, request
from flask_babel import gettext as _

from ..store import audit, db
from . import activity, bp
from .roles import route
from .ui import page_number


def audit_value(value, limit: int = 6) -> str:
    """A detail value as short text: long lists are cut, with the number left out."""
    if isinstance(value, list):
        shown = ", ".join(audit_value(v) for v in value[:limit])
        return shown + (" " + _("(+%(num)d more)", num=len(value) - limit) if len(value) > limit else "")
    if isinstance(value, dict):
        return "; ".join(f"{k}={audit_value(v)}" for k, v in value.items())
    text = "" if value is None else str(value)
    return text if len(text) <= 200 else text[:197] + "…"


def _render(site_id, site):
    per_page = current_app.config["ADMIN_PER_PAGE"]
    page = page_number()
    action = request.args.get("action", "").strip()[:100]
    sess = db.session()
    rows, total = audit.events(sess, site_id, page=page, per_page=per_page, action=action)
    return render_template("admin/audit.html", site=site, rows=activity.describe(sess, rows), total=total,
                           page=page, action=action,
                           pages=max(1, -(-total // per_page)), audit_value=audit_value)


@route(bp, "/<site>/audit", "audit.view")
def site_audit():
    """What was done on this site, newest first."""
    return _render(g.admin_site.id, g.admin_site)


@route(bp, "/audit", "network")
def network_audit():
    """Every audit event of the install (network admins)."""
    return _render(None, None)

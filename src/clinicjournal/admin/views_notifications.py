"""Your notifications: the language of your e-mail and which messages you get.
A section of "Your account"; ``/admin/notifications``, where every notification
mail links, leads there."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from ..i18n import language_name
from ..mail import preferences
from ..store import db
from . import bp
from .roles import SIGNED_IN, route
from .ui import form_text


def notification_choices(sess, user) -> dict:
    """What the notifications form shows for ``user``."""
    row = preferences.of(sess, user)
    locale_options = [("", _("The language of the site each message is about")),
                      *[(code, language_name(code)) for code in current_app.config["UI_LOCALES"]]]
    return {"kinds": preferences.NOTIFICATIONS, "chosen": preferences.chosen_kinds(row),
            "locale": row.locale if row else "", "locale_options": locale_options}


@route(bp, "/notifications", SIGNED_IN, methods=["GET", "POST"])
def notifications():
    """Save the signed-in user's mail language and notification choices."""
    if request.method == "POST":
        sess = db.session()
        chosen = set(request.form.getlist("notify")) & set(preferences.NOTIFICATIONS)
        changed = preferences.save(sess, g.user, form_text("locale"), chosen)
        sess.commit()
        flash(_("Your choices are saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("admin.your_account"))  # its top, where the message is
    return redirect(url_for("admin.your_account") + "#notifications")

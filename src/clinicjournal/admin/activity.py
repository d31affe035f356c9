"""The audit log in sentences ("Amina Haddad published “Winter flu jabs”"), for
the dashboard's Recent activity and a column of the audit log page.

Every action the code records (``audit.record``) has its sentence here; any
other (a newer version's, a plugin command's) reads as a neutral sentence
naming its code. A sentence is a translated template with named placeholders:
the template is escaped first (a catalog is text, not HTML), then filled with
escaped values in ``<bdi>``, because names, titles and addresses are what
people typed, in any script and direction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from babel import UnknownLocaleError
from flask import g, url_for
from flask_babel import format_date, format_timedelta
from markupsafe import Markup, escape
from sqlalchemy import select, tuple_

from ..i18n import bdi, checked_translation, language_name_in, request_translations
from ..mail.accounts import role_words
from ..store.audit import CLI
from ..store.models import Article, AuditEvent, User, utcnow
from .ui import plugin_title


def N_(msgid: str) -> str:
    """Marks ``msgid`` for extraction (Babel's ``N_`` keyword); it is translated
    when a sentence is built, in the reader's language."""
    return msgid


#: action (or action/variant, see _key) → its sentence.
SENTENCES = {
    # TRANSLATORS: %(who)s is a person's name (or "Someone on the server (command line)"), %(article)s an
    # article's title; keep the quotation marks of your language around it.
    "article.created": N_("%(who)s created the draft “%(article)s”"),
    "article.saved": N_("%(who)s saved “%(article)s”"),
    "article.uploaded": N_("%(who)s uploaded “%(article)s” from the file %(file)s"),
    "article.restored": N_("%(who)s restored revision %(revision)s of “%(article)s”"),
    "article.submitted": N_("%(who)s sent “%(article)s” for review"),
    "article.sent_back": N_("%(who)s sent “%(article)s” back to draft"),
    "article.signed_off": N_("%(who)s signed off the medical review of “%(article)s”"),
    "article.published": N_("%(who)s published “%(article)s”"),
    "article.published/scheduled": N_("%(who)s scheduled “%(article)s” for publication"),
    "article.unpublished": N_("%(who)s unpublished “%(article)s”"),
    "article.expiry": N_("%(who)s set a time to unpublish “%(article)s”"),
    "article.expiry/cancelled": N_("%(who)s cancelled the unpublishing of “%(article)s”"),
    "article.discarded": N_("%(who)s discarded the changes waiting in “%(article)s”"),
    "article.archived": N_("%(who)s archived “%(article)s”"),
    "article.deleted": N_("%(who)s deleted “%(article)s”"),
    # TRANSLATORS: %(image)s is the key of an image in the site's media library, such as clinic-entrance.
    "media.uploaded": N_("%(who)s uploaded the image %(image)s"),
    "media.changed": N_("%(who)s changed the description or focal point of the image %(image)s"),
    # TRANSLATORS: %(profile)s is the name of a person with a profile on the site (an author or reviewer).
    "person.created": N_("%(who)s added the profile of %(profile)s"),
    "person.changed": N_("%(who)s changed the profile of %(profile)s"),
    "person.deleted": N_("%(who)s deleted the profile of %(profile)s"),
    "redirect.added": N_("%(who)s added the old address %(address)s"),
    "redirect.removed": N_("%(who)s removed the old address %(address)s"),
    "plugin.enabled": N_("%(who)s turned on the plugin %(plugin)s"),
    "plugin.disabled": N_("%(who)s turned off the plugin %(plugin)s"),
    "setting.changed": N_("%(who)s changed the settings of %(plugin)s"),
    "site.created": N_("%(who)s created the site %(site)s"),
    "site.changed": N_("%(who)s changed the site settings"),
    "site.renamed": N_("%(who)s renamed the site %(old_site)s to %(site)s"),
    "site.deleted": N_("%(who)s deleted the site %(site)s"),
    "site.host_added": N_("%(who)s added the host name %(host)s"),
    "site.host_removed": N_("%(who)s removed the host name %(host)s"),
    "site.locale_added": N_("%(who)s added the language %(language)s"),
    "site.locale_removed": N_("%(who)s removed the language %(language)s"),
    "member.granted": N_("%(who)s gave %(person)s the role %(role)s"),
    "member.revoked": N_("%(who)s took the role %(role)s from %(person)s"),
    "user.invited": N_("%(who)s invited %(person)s"),
    "user.invited/role": N_("%(who)s invited %(person)s as %(role)s"),
    "user.invitation_accepted": N_("%(who)s accepted the invitation and chose a password"),
    "user.created": N_("%(who)s created the account %(person)s"),
    "user.password_set": N_("%(who)s set the password of %(person)s"),
    "user.password_reset_requested": N_("Someone asked for a password-reset link for %(person)s"),
    "user.password_reset": N_("%(who)s chose a new password with a reset link"),
    "user.signed_in": N_("%(who)s signed in"),
    "user.signed_out_everywhere": N_("%(who)s ended every session of %(person)s"),
    "user.locked_out": N_("Signing in as %(person)s was paused after too many wrong passwords"),
    "user.enabled": N_("%(who)s re-enabled the account %(person)s"),
    "user.disabled": N_("%(who)s disabled the account %(person)s"),
    "user.renamed": N_("%(who)s renamed the account %(person)s"),
    "user.password_changed": N_("%(who)s changed their password"),
    "user.session_ended": N_("%(who)s ended one of their sessions"),
    "user.signed_out_others": N_("%(who)s ended their other sessions"),
    "user.password_reset_sent": N_("%(who)s sent %(person)s a link to choose a new password"),
    "user.invitation_resent": N_("%(who)s sent %(person)s the invitation again"),
    "install.restored": N_("%(who)s restored the whole install from a backup"),
    # TRANSLATORS: %(message)s is an interface text (in English, as the code has it), %(language)s a language.
    "translation.changed": N_("%(who)s changed the %(language)s translation of “%(message)s”"),
    "translation.reverted": N_("%(who)s brought back an earlier %(language)s translation of “%(message)s”"),
    "translation.uploaded": N_("%(who)s uploaded %(language)s translations from the file %(file)s"),
    "translation.granted": N_("%(who)s let %(person)s edit the shared %(language)s translations"),
    "translation.grant_removed": N_("%(who)s stopped %(person)s editing the shared %(language)s translations"),
}
# TRANSLATORS: an action the admin has no sentence for; %(action)s is its code, such as "plugin.enabled".
UNKNOWN = N_("%(who)s: %(action)s")
# TRANSLATORS: as above, with what it was done to (an address, a name, a file).
UNKNOWN_TARGET = N_("%(who)s: %(action)s, %(target)s")
#: Actions whose target is an article's "locale/slug" (a deleted one is looked up no more).
ARTICLE_ACTIONS = frozenset(a for a in SENTENCES if a.startswith("article.")) - {"article.deleted"}
RELATIVE_FOR = dt.timedelta(hours=24)  # older events show their date


@dataclass(frozen=True)
class Line:
    """One event as the admin shows it."""

    event: AuditEvent
    site_slug: str | None
    sentence: Markup
    lang: str | None  # "en" for a sentence shown in English to an admin in another language
    when: str  # "3 hours ago", or the day
    at_utc: str  # the exact moment, for a tooltip and <time datetime>


def _key(event: AuditEvent) -> str:
    detail = event.detail or {}
    if event.action == "article.published" and detail.get("scheduled"):
        return "article.published/scheduled"
    if event.action == "article.expiry" and not detail.get("expires_at"):
        return "article.expiry/cancelled"
    if event.action == "user.invited" and detail.get("role"):
        return "user.invited/role"
    return event.action


def _template(msgid: str) -> Markup:
    return escape(checked_translation(msgid, request_translations().ugettext(msgid)))


def _imported(num: int) -> tuple[Markup, bool]:
    """The import sentence's template for ``num`` articles, and whether it is the English original."""
    singular = "%(who)s imported %(num)d article from %(path)s"
    plural = "%(who)s imported %(num)d articles from %(path)s"
    # String literals in the call, so message extraction finds them.
    text = request_translations().ungettext("%(who)s imported %(num)d article from %(path)s",
                                            "%(who)s imported %(num)d articles from %(path)s", num)
    text = checked_translation(singular if num == 1 else plural, text, plural=True)
    return escape(text), text in (singular, plural)


def _language(code: str, ui: str) -> Markup:
    try:
        return escape(language_name_in(code, ui))
    except (ValueError, TypeError, UnknownLocaleError):
        return bdi(code)


class _Facts:
    """The values of one event's placeholders, each made when a template asks for it."""

    def __init__(self, event: AuditEvent, slug: str | None, names: dict[int, str],
                 articles: dict[tuple, tuple[int, str]], ui: str) -> None:
        self.event, self.slug, self.names, self.articles, self.ui = event, slug, names, articles, ui
        self.detail: dict[str, Any] = event.detail if isinstance(event.detail, dict) else {}
        self.target = event.target or ""

    def __getitem__(self, key: str) -> Markup:
        make = getattr(self, f"_{key}", None)
        if make is None:
            raise KeyError(key)
        return make()

    def _who(self) -> Markup:
        event = self.event
        if event.user_id is None and event.actor == CLI:
            # TRANSLATORS: who did something with the clinicjournal command, shown in place of a name.
            return _template(N_("Someone on the server (command line)"))
        name = self.names.get(event.user_id) if event.user_id is not None else None
        return bdi(name) if name else bdi(event.actor, "ltr")

    def _article(self) -> Markup:
        locale, _sep, slug = self.target.partition("/")
        found = self.articles.get((self.event.site_id, locale, slug))
        if found is None or not self.slug:
            return bdi(self.target)
        article_id, title = found
        return Markup('<a href="{}"><bdi lang="{}">{}</bdi></a>').format(
            url_for("admin.article_edit", site=self.slug, article_id=article_id), locale.replace("_", "-"), title)

    def _address(self) -> Markup:
        return bdi(f"/{self.target}/", "ltr")

    def _plugin(self) -> Markup:
        return bdi(plugin_title(self.target))

    def _person(self) -> Markup:
        return bdi(self.target, "ltr")

    _host = _person

    def _profile(self) -> Markup:
        # the name as it was when the event happened (a deleted profile has no row to look up)
        return bdi(self.detail.get("name") or self.target)

    _image = _person
    _path = _person

    def _role(self) -> Markup:
        return escape(role_words(str(self.detail.get("role") or "")))

    def _site(self) -> Markup:
        return bdi(self.detail.get("name") or self.target)

    def _old_site(self) -> Markup:
        return bdi(self.detail.get("old_name") or self.detail.get("old_slug") or "")

    def _language(self) -> Markup:
        if self.event.action.startswith("translation."):  # the target is a message or a person
            return _language(str(self.detail.get("locale") or ""), self.ui)
        return _language(self.target, self.ui)

    def _message(self) -> Markup:
        return bdi(self.target, "ltr")

    def _file(self) -> Markup:
        return bdi(str(self.detail.get("file") or ""))

    def _revision(self) -> Markup:
        return escape(str(self.detail.get("revision") or ""))

    def _num(self) -> int:
        counts = (self.detail.get(k) or 0 for k in ("created", "updated"))  # lists of the files, or numbers
        return sum(len(c) if isinstance(c, list) else int(c) if isinstance(c, int) else 0 for c in counts)

    def _action(self) -> Markup:
        return Markup("<code>{}</code>").format(self.event.action)

    def _target(self) -> Markup:
        return bdi(self.target)


def sentence(facts: _Facts) -> tuple[Markup, bool]:
    """The event's sentence, and whether it is still the English original (not translated yet)."""
    event = facts.event
    unknown = UNKNOWN_TARGET if event.target else UNKNOWN
    if event.action == "content.imported":
        template, english = _imported(facts["num"])
    else:
        msgid = SENTENCES.get(_key(event)) or unknown
        template = _template(msgid)
        english = template == escape(msgid)
    try:
        return template % facts, english
    except (KeyError, ValueError, TypeError):  # a translation's placeholders the event cannot fill
        template = _template(unknown)
        return template % facts, template == escape(unknown)


def when(at: dt.datetime, now: dt.datetime) -> str:
    """"3 hours ago" within a day, else the day, in the admin's language."""
    age = now - at
    if dt.timedelta(0) <= age < RELATIVE_FOR:
        return format_timedelta(-max(age, dt.timedelta(minutes=1)), granularity="minute", add_direction=True)
    return format_date(at, "medium")


def _article_titles(sess, events: list[AuditEvent]) -> dict[tuple, tuple[int, str]]:
    """(site id, locale, slug) → (id, title) of the articles the events name, in one query."""
    wanted = {(e.site_id, *e.target.split("/", 1)) for e in events
              if e.action in ARTICLE_ACTIONS and e.site_id is not None and e.target.count("/") == 1}
    if not wanted:
        return {}
    rows = sess.execute(select(Article.site_id, Article.locale, Article.slug, Article.id, Article.title).where(
        tuple_(Article.site_id, Article.locale, Article.slug).in_(sorted(wanted))))
    return {(site_id, locale, slug): (id_, title) for site_id, locale, slug, id_, title in rows}


def _user_names(sess, events: list[AuditEvent]) -> dict[int, str]:
    ids = sorted({e.user_id for e in events if e.user_id is not None})
    if not ids:
        return {}
    return dict(sess.execute(select(User.id, User.name).where(User.id.in_(ids), User.name != "")).all())


def describe(sess, rows: list[tuple[AuditEvent, str | None]]) -> list[Line]:
    """``rows`` (as :func:`clinicjournal.store.audit.events` gives them) in sentences."""
    events = [event for event, _slug in rows]
    names, articles = _user_names(sess, events), _article_titles(sess, events)
    ui, now = g.get("locale") or "en", utcnow()
    lines = []
    for event, slug in rows:
        text, english = sentence(_Facts(event, slug, names, articles, ui))
        lines.append(Line(event=event, site_slug=slug, sentence=text,
                          lang="en" if english and not ui.startswith("en") else None,
                          when=when(event.at, now), at_utc=event.at.strftime("%Y-%m-%d %H:%M UTC")))
    return lines


"""The People screen: the site's author and reviewer profiles (name, credentials,
role and biography per language, the staff account a profile stands for, a
photo from the media library), and deleting one.

A profile named by articles (``author_key``) is not deleted: those articles'
bylines would quietly stop linking and their next import would be refused, so
the screen lists them and asks for their ``author_key`` to change first.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..content import people
from ..i18n import language_name_in
from ..store import audit, db
from ..store.people import Person
from ..web.people import works
from . import bp
from .roles import route
from .ui import form_text, public_base
from .views_media import file_url


def _person_or_404(person_id: int) -> Person:
    person = db.session().scalar(select(Person).where(Person.id == person_id, Person.site_id == g.admin_site.id))
    if person is None:
        abort(404)
    return person


def _form(site, person: Person | None = None) -> dict[str, str]:
    role = (person.role if person is not None else None) or {}
    bio = (person.bio if person is not None else None) or {}
    return {"slug": person.slug if person else "", "name": person.name if person else "",
            "credentials": person.credentials if person else "",
            "user_id": str(person.user_id or "") if person else "",
            "photo_id": str(person.photo_id or "") if person else "",
            **{f"role:{code}": role.get(code, "") for code in site.locales},
            **{f"bio:{code}": bio.get(code, "") for code in site.locales}}


def public_page(site, slug: str) -> str | None:
    base = public_base(site)
    return f"{base}/{site.default_locale}/people/{slug}/" if base else None


def _page(form: dict, errors: dict, person: Person | None = None, status: int = 200):
    site, sess = g.admin_site, db.session()
    languages = [(code, language_name_in(code, g.locale)) for code in site.locales]
    return render_template("admin/person_edit.html", site=site, form=form, errors=errors, person=person,
                           languages=languages, accounts=people.members(sess, site.id),
                           photos=list(people.photos(sess, site.id)), file_url=file_url,
                           public=public_page(site, person.slug) if person else None), status


@route(bp, "/<site>/people", "people.manage")
def people_list():
    """The site's profiles, with the account each stands for and how many articles readers see."""
    site, sess = g.admin_site, db.session()
    accounts = {u.id: u for u in people.members(sess, site.id)}
    rows = [(person, accounts.get(person.user_id), sum(len(works(sess, person, code)) for code in site.locales))
            for person in sess.scalars(select(Person).where(Person.site_id == site.id).order_by(Person.name))]
    return render_template("admin/people.html", site=site, rows=rows)


def _save(person: Person | None):
    site, sess = g.admin_site, db.session()
    form = {k: form_text(k) if not k.startswith("bio:") else (request.form.get(k) or "")
            for k in _form(site)}
    try:
        values = people.clean(sess, site, person, form)
        created = person is None
        if created:
            person = Person(site_id=site.id, **values)
            sess.add(person)
            changed = True
        else:
            changed = people.apply(person, values)
        if changed:
            sess.flush()  # the unique constraints, should a concurrent save slip past the checks
            audit.record(sess, g.user, "person.created" if created else "person.changed", site=site,
                         target=person.slug, name=person.name)
        sess.commit()
    except people.PersonError as exc:
        sess.rollback()
        return _page(form, {exc.field: [str(exc)]}, person, exc.status)
    except IntegrityError:
        sess.rollback()
        return _page(form, {"slug": [_("Someone saved a profile with this address or account at the same "
                                       "moment; nothing was saved. Check and save again.")]}, person, 409)
    flash(_("Saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("admin.person_edit", person_id=person.id))


@route(bp, "/<site>/people/new", "people.manage", methods=["GET", "POST"])
def person_new():
    if request.method == "GET":
        return _page(_form(g.admin_site), {})
    return _save(None)


@route(bp, "/<site>/people/<int:person_id>", "people.manage", methods=["GET", "POST"])
def person_edit(person_id: int):
    person = _person_or_404(person_id)
    if request.method == "GET":
        return _page(_form(g.admin_site, person), {}, person)
    return _save(person)


@route(bp, "/<site>/people/<int:person_id>/delete", "people.manage", methods=["GET", "POST"])
def person_delete(person_id: int):
    """Delete a profile after its address is typed to confirm; refused while
    articles name it (their author_key)."""
    site, sess = g.admin_site, db.session()
    person = _person_or_404(person_id)
    named = people.naming_articles(sess, site.id, person.slug)
    error = None
    if request.method == "POST":
        if named:
            error = _("Articles name this profile as their author; change their author_key first. "
                      "Nothing was deleted.")
        elif form_text("confirm") != person.slug:
            error = _("Type the address %(slug)s exactly to confirm; nothing was deleted.", slug=person.slug)
        else:
            name = person.name
            audit.record(sess, g.user, "person.deleted", site=site, target=person.slug, name=name)
            sess.delete(person)
            sess.commit()
            flash(_("Deleted the profile of %(name)s.", name=name), "success")
            return redirect(url_for("admin.people_list"))
    return render_template("admin/person_delete.html", site=site, person=person, named=named,
                           error=error), 422 if error else 200

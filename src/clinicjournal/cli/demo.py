"""The demo: two clinic sites with original articles, loaded by ``clinicjournal demo``."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from ..store import db
from ..store.manage import add_locale, create_site
from ..store.models import Site
from .content import import_path

CONTENT = Path(__file__).resolve().parents[1] / "demo" / "content"

DEMO_SITES = [
    {"slug": "harbourview", "name": "Harbourview Family Clinic", "locales": ["en", "de", "ar"],
     # the name readers of Arabic see (German readers see the default, the English one)
     "appearance": {"primary": "#1f5f8b", "accent": "#2f8f6f", "name": {"ar": "عيادة هاربورفيو لطب الأسرة"}, "tagline": {
         "en": "Health notes from our family doctors",
         "de": "Gesundheitswissen von unseren Hausärztinnen und Hausärzten",
         "ar": "ملاحظات صحية من أطباء الأسرة في عيادتنا"}}},
    {"slug": "cedar-ridge", "name": "Cedar Ridge Health Centre", "locales": ["en", "es", "fr"],
     "appearance": {"primary": "#7a3b2e", "accent": "#b5832a", "tagline": {
         "en": "Clear answers for everyday health",
         "es": "Respuestas claras para la salud de cada día",
         "fr": "Des réponses claires pour la santé au quotidien"}}},
]


def load_demo(app: Flask) -> list[tuple[str, str]]:
    """Upgrade the schema, create the demo sites if missing and (re-)import their
    content. Returns (slug, name) of each demo site."""
    db.upgrade(app.config["DATABASE_URL"])
    sess = db.session()
    for spec in DEMO_SITES:
        site = sess.scalar(select(Site).where(Site.slug == spec["slug"]))
        if site is None:
            create_site(sess, spec["slug"], spec["name"], spec["locales"], appearance=spec["appearance"])
        else:
            for code in spec["locales"]:
                add_locale(sess, site, code)
        add_demo_people(sess, site or sess.scalar(select(Site).where(Site.slug == spec["slug"])))
        sess.commit()
        import_path(spec["slug"], CONTENT / spec["slug"])
    return [(s["slug"], s["name"]) for s in DEMO_SITES]


# Profiles of the demo's authors and reviewers (invented people). The articles
# name their author's profile with ``author_key``; the demo's sign-offs come from
# files, not from accounts, so no reviewed-by line links a profile (by design).
DEMO_PEOPLE = {
    "harbourview": [
        ("leila-haddad", "Leila Haddad", "RD",
         {"en": "Registered dietitian", "de": "Diätologin", "ar": "أخصائية تغذية مسجّلة"},
         {"en": "Leila runs the clinic's nutrition sessions and writes about food that fits a busy week.",
          "ar": "تدير ليلى جلسات التغذية في العيادة وتكتب عن طعام يناسب أسبوعًا مزدحمًا."}),
        ("helena-strand", "Helena Strand", "MD",
         {"en": "Family physician", "de": "Hausärztin", "ar": "طبيبة أسرة"},
         {"en": "Helena has looked after families in the harbour district for over a decade."}),
        ("owen-gallagher", "Owen Gallagher", "RN",
         {"en": "Practice nurse", "de": "Praxispfleger", "ar": "ممرض العيادة"},
         {"en": "Owen runs the vaccination clinic and answers the questions patients ask at the door."}),
        ("katrin-vogel", "Katrin Vogel", "MD",
         {"en": "Medical reviewer, general practice", "de": "Medizinische Gutachterin, Allgemeinmedizin"},
         {"en": "Katrin checks our articles against current guidelines before they go out."}),
        ("rafael-mendonca", "Rafael Mendonça", "MD",
         {"en": "Medical reviewer, internal medicine"},
         {"en": "Rafael reviews what we publish on immunity and infections."}),
    ],
    "cedar-ridge": [
        ("marcus-bellamy", "Marcus Bellamy", "MD", {"en": "Family physician", "es": "Médico de familia",
                                                    "fr": "Médecin de famille"},
         {"en": "Marcus sees adults with long-term conditions such as high blood pressure."}),
        ("priya-nair", "Priya Nair", "RN", {"en": "Community nurse", "es": "Enfermera comunitaria",
                                            "fr": "Infirmière de proximité"},
         {"en": "Priya leads the centre's infection-prevention work."}),
        ("sofia-lindqvist", "Sofia Lindqvist", "RD", {"en": "Dietitian", "es": "Dietista", "fr": "Diététicienne"},
         {"en": "Sofia helps patients plan meals they enjoy and can keep up."}),
    ],
}


def add_demo_people(sess, site: Site) -> None:
    """Create the demo site's profiles that are missing (a re-run keeps edits)."""
    from ..store.people import Person, slugs

    have = slugs(sess, site.id)
    for slug, name, credentials, role, bio in DEMO_PEOPLE.get(site.slug, ()):
        if slug not in have:
            sess.add(Person(site_id=site.id, slug=slug, name=name, credentials=credentials, role=role, bio=bio))

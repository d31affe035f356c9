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
        sess.commit()
        import_path(spec["slug"], CONTENT / spec["slug"])
    return [(s["slug"], s["name"]) for s in DEMO_SITES]

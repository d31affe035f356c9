"""Plugins named in words (``PluginInfo.name``, ``SettingSpec.label``) in the
admin's language, and settings refused beside their field and language."""

from __future__ import annotations

import pytest
from flask import g
from flask_babel import lazy_gettext, refresh
from admin_support import app, login, sites  # noqa: F401  (fixtures)
from conftest import parse_html
from sqlalchemy import select

from clinicjournal import PluginInfo, SettingSpec, hookimpl
from clinicjournal.store import db
from clinicjournal.store.models import SitePlugin

BUILT_IN = {"disclaimer": "Disclaimer", "faq": "FAQ", "health_topics": "Health topics",
            "references": "References", "structured_data": "Structured data", "takeaway": "Key takeaway"}


def test_every_built_in_plugin_has_a_name_and_a_description(app):
    plugins = app.extensions["clinicjournal"].plugins
    with app.test_request_context():
        for name, title in BUILT_IN.items():
            assert plugins.title(name) == title
            assert str(plugins.records[name].info.description)
            for spec in plugins.records[name].info.settings:
                assert str(spec.label), (name, spec.name)


class Unnamed:
    """A plugin written before ``PluginInfo.name`` existed: positional arguments."""

    @hookimpl
    def plugin_info(self):
        return PluginInfo("Counts the words", True, (SettingSpec("per_minute", "int", 200),))


class Hostile:
    @hookimpl
    def plugin_info(self):
        return PluginInfo(name="<img src=x onerror=alert(1)> مكوّن", description="<b>bold</b>",
                          settings=(SettingSpec("limit", "int", 3, label="<i>Limit</i>"),))


@pytest.fixture
def extra_plugins(app):
    plugins = app.extensions["clinicjournal"].plugins
    plugins.register(Unnamed(), "word_count")
    plugins.register(Hostile(), "hostile")
    yield plugins
    plugins.unregister("word_count")
    plugins.unregister("hostile")


def test_a_plugin_without_a_name_is_shown_by_its_module_name(app, sites, login, extra_plugins):
    doc = parse_html(login("site_admin@alpha.test").get("/admin/alpha/plugins").get_data(as_text=True))
    card = doc.by_id("plugin-word_count")
    assert card.one("h2").text() == "word_count"
    assert "Installed as" not in card.text()
    settings = parse_html(login("site_admin@alpha.test").get("/admin/alpha/plugins/word_count")
                          .get_data(as_text=True))
    assert settings.one("h1").text() == "Settings: word_count"
    assert settings.one("label", for_="f-per_minute").text() == "Per minute"


def test_the_plugins_page_and_settings_name_plugins_in_words(app, sites, login, extra_plugins):
    admin = login("site_admin@alpha.test")
    page = admin.get("/admin/alpha/plugins").get_data(as_text=True)
    assert "<img src=x" not in page and "<b>bold" not in page
    doc = parse_html(page)
    card = doc.by_id("plugin-disclaimer")
    assert card.one("h2").text().startswith("Disclaimer")
    assert "Installed as disclaimer" in card.text()
    assert doc.by_id("plugin-hostile").one("h2").one("bdi").text() == "<img src=x onerror=alert(1)> مكوّن"
    settings = parse_html(admin.get("/admin/alpha/plugins/disclaimer").get_data(as_text=True))
    assert settings.one("h1").text() == "Settings: Disclaimer"
    assert settings.one("title").text().startswith("Settings: Disclaimer")
    assert settings.find_all("legend")[0].text().startswith("Disclaimer text")
    assert settings.one("input", name="link:de").get("dir") == "ltr"
    assert settings.one("textarea", name="text:de").get("lang") == "de"
    hostile = admin.get("/admin/alpha/plugins/hostile").get_data(as_text=True)
    assert "<i>Limit" not in hostile and "<img src=x" not in hostile
    response = admin.post("/admin/alpha/plugins/faq/toggle", {"enabled": "0"}, follow_redirects=True)
    assert "FAQ is now off for this site." in response.get_data(as_text=True)


class Translated:
    """Named with a string the core's catalogs translate already."""

    @hookimpl
    def plugin_info(self):
        return PluginInfo(name=lazy_gettext("Site settings"))


def test_names_follow_the_admins_language(app, sites, login):
    plugins = app.extensions["clinicjournal"].plugins
    plugins.register(Translated(), "translated")
    try:
        with app.test_request_context():
            g.locale = "de"
            refresh()
            german_name = str(plugins.records["translated"].info.name)
        assert german_name != "Site settings"
        admin = login("site_admin@alpha.test")
        german = parse_html(admin.get("/admin/alpha/plugins", headers={"Accept-Language": "de"})
                            .get_data(as_text=True))
        english = parse_html(admin.get("/admin/alpha/plugins").get_data(as_text=True))
    finally:
        plugins.unregister("translated")
    assert german.by_id("plugin-translated").one("h2").text() == german_name
    assert english.by_id("plugin-translated").one("h2").text() == "Site settings"


def test_a_refused_setting_is_shown_beside_its_field_and_language(app, sites, login):
    admin = login("site_admin@alpha.test")
    response = admin.post("/admin/alpha/plugins/disclaimer", {
        "text:en": "Talk to your doctor.", "text:de": "Fragen Sie Ihre Ärztin.",
        "link:en": "https://example.org/disclaimer", "link:de": "javascript:alert(1)"})
    assert response.status_code == 422
    doc = parse_html(response.get_data(as_text=True))
    field = doc.one("input", name="link:de")
    assert field.get("aria-invalid") == "true" and field.get("value") == "javascript:alert(1)"
    error = doc.by_id("f-link-de-error")
    assert "Link to the full disclaimer must be an http(s) address" in error.text()
    assert field.get("aria-describedby") == "f-link-de-error"
    assert doc.one("input", name="link:en").get("aria-invalid") is None
    assert not doc.by_id("f-link-en-error")
    summary = doc.one("div", cls="error-summary")
    [item] = summary.find_all("li")
    assert item.one("a").get("href") == "#f-link-de" and item.text().startswith("Deutsch: Link to the full")
    with app.app_context():  # all or nothing: the valid fields were not saved either
        assert db.session().scalar(select(SitePlugin).where(SitePlugin.plugin == "disclaimer")) is None


def test_a_refused_plain_setting_is_shown_beside_its_field(app, sites, login):
    admin = login("site_admin@alpha.test")
    response = admin.post("/admin/alpha/plugins/references", {"style": "nonsense<script>"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "nonsense<script>" not in page
    doc = parse_html(page)
    assert doc.one("select", name="style").get("aria-invalid") == "true"
    assert doc.by_id("f-style-error").text().startswith("Citation style must be one of numbered")

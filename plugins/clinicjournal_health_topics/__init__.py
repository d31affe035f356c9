"""Category pack: the health topics most clinic journals file their articles under."""

from flask_babel import lazy_gettext as _l

from clinicjournal import Category, PluginInfo, hookimpl

__version__ = "1.0.0"

TOPICS = (
    Category("immune-health", _l("Immune Health"),
             _l("How the immune system works, vaccines, infections and how to stay resilient."),
             colour="#2f8f6f"),
    Category("heart-health", _l("Heart Health"),
             _l("Blood pressure, cholesterol, exercise and everyday habits that protect the heart."),
             colour="#b03a48"),
    Category("sleep-health", _l("Sleep"),
             _l("Why sleep matters, how much we need, and what helps when it goes wrong."),
             colour="#4b4fa6"),
    Category("nutrition", _l("Nutrition"),
             _l("Evidence-based eating: nutrients, diets and what the research really says."),
             colour="#b5832a"),
)


@hookimpl
def plugin_info():
    return PluginInfo(name=_l("Health topics"),
                      description=_l("Health topic categories: Immune Health, Heart Health, Sleep and "
                                     "Nutrition."))


@hookimpl
def categories(site, locale):
    return list(TOPICS)

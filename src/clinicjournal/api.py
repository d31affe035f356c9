"""The public plugin API: everything a plugin may import from clinicjournal.

Plugins (the built-in ones in ``plugins/`` included) import from here or from
the package root, which re-exports the same names; an import-linter contract
(``.importlinter``) fails CI when a plugin reaches into ``clinicjournal.store``,
``.web`` or any other internal subpackage. What a plugin needs from the core
becomes part of this module, documented in docs/plugins.md.
"""

from __future__ import annotations

from .content.seo import Seo, seo_of
from .platform.hookspecs import (
           Category,
           Contribution,
           HeadExtras,
           PluginInfo,
           SettingSpec,
           hookimpl,
)
from .web.articles import date_modified, last_modified
from .web.assets import static_url
from .web.pagebits import site_categories

__all__ = ["hookimpl", "Category", "Contribution", "HeadExtras", "PluginInfo", "SettingSpec",
           "Seo", "date_modified", "last_modified", "seo_of", "site_categories", "static_url"]

"""The whole plugin contract.

A plugin is a module (or any object) with functions decorated by
:data:`clinicjournal.hookimpl` whose names and argument names match the specs
below. A plugin may implement any subset of the hooks and may accept fewer
arguments than a spec offers.

"Per site" hooks are called only for plugins enabled on the site being served;
"once per app" hooks are called for every plugin that imported cleanly. An
exception raised by an implementation is caught by the core, logged with the
plugin's name, counted, and the page is rendered without that contribution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import pluggy

if TYPE_CHECKING:
    from ..content.context import PageContext

PROJECT = "clinicjournal"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

#: Template slots the core pages offer, in page order.
SLOTS = (
    "article_header",  # under the title block: badges, review notes
    "article_body_end",  # right after the body: FAQ, key takeaway
    "article_footer",  # after the article: sources list, disclaimer
    "sidebar",  # beside the article or index list
    "page_footer",  # in the site footer of every page
)


@dataclass(frozen=True)
class SettingSpec:
    """One declared plugin setting.

    ``type`` is one of ``str``, ``text``, ``bool``, ``int``, ``choice``, ``url``.
    A ``translatable`` setting is stored per locale and read in the reader's locale,
    falling back to the site's default locale, then to ``default``.
    """

    name: str
    type: str = "str"
    default: Any = None
    help: str = ""
    translatable: bool = False
    choices: tuple[str, ...] = ()
    #: The field's label in the admin (a lazy-translated string); empty: the name, capitalised.
    label: Any = ""


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin says about itself (see :func:`plugin_info`).

    ``name`` is what people call the plugin ("Disclaimer"), shown in the admin
    and the audit log; ``description`` one sentence on what it adds. Give both
    as lazy-translated strings so they follow the admin's language. Without a
    ``name`` the plugin's module name (``disclaimer``) is shown.
    """

    description: Any = ""
    default_enabled: bool = True
    settings: tuple[SettingSpec, ...] = ()
    name: Any = ""


@dataclass(frozen=True)
class Category:
    """A category an article can be filed under; ``name`` and ``description``
    should be lazy-translated strings so they follow the reader's locale."""

    slug: str
    name: Any
    description: Any = ""
    colour: str = "#2f6f5e"


@dataclass(frozen=True)
class Contribution:
    """HTML for a template slot. Lower ``priority`` renders first (default 100).

    The HTML is sanitised by the core before it reaches the page.
    """

    html: str
    priority: int = 100


@dataclass(frozen=True)
class HeadExtras:
    """Extras for ``<head>``: ``meta`` maps a ``name`` or ``property`` to its
    content; ``jsonld`` holds JSON-LD objects; ``stylesheets`` are URLs (use
    ``static_url(path, plugin=NAME)`` for a plugin's own files); ``links`` are
    ``(rel, href, extra attributes)`` such as canonical or alternate feeds. The
    core escapes everything, so plugins never write raw HTML into the head."""

    meta: dict[str, str] = field(default_factory=dict)
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    stylesheets: list[str] = field(default_factory=list)
    links: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


@hookspec
def plugin_info() -> PluginInfo:
    """Describe the plugin: description, whether new sites get it enabled, settings.

    Called once per app, when the plugin is registered. Returning ``None`` means
    "no description, enabled by default, no settings".

    Example::

        @hookimpl
        def plugin_info():
            return PluginInfo(name=_l("Reading list"), description=_l("Adds a reading list"),
                              settings=(SettingSpec("size", "int", default=5, label=_l("Books shown")),))
    """


@hookspec
def categories(site: Any, locale: str) -> list[Category]:
    """Categories this plugin contributes on ``site``.

    Called per site (cached per site and locale until plugin configuration changes).
    Return a list of :class:`Category`, or ``None`` for none. If two plugins
    contribute the same slug, the first registered wins.
    """


@hookspec(firstresult=True)
def render_citation(ctx: PageContext, keys: list[str], numbers: list[int]) -> str | None:
    """HTML for one in-text citation group such as ``[@a; @b]``.

    Called per request, for each citation group in the body, in reading order.
    ``numbers`` are the references' numbers (order of first citation). The first
    non-``None`` result is used; when every plugin returns ``None`` the citation is
    shown as plain bracketed numbers.
    """


@hookspec
def template_slot(slot: str, ctx: PageContext) -> str | Contribution | None:
    """HTML for a named place in a page (see ``SLOTS``).

    Called per request for every slot of the page being rendered. Return ``None``
    when the plugin has nothing for this slot; a string or a :class:`Contribution`
    otherwise. Contributions are sanitised and joined in priority order.
    """


@hookspec
def head_extras(ctx: PageContext) -> HeadExtras | None:
    """Meta tags and JSON-LD for the page's ``<head>``.

    Called per request. Return ``None`` to add nothing.
    """


@hookspec
def html_transforms(site: Any) -> list[Callable[[str, PageContext], str]] | None:
    """Functions that rewrite an article's body HTML after Markdown rendering.

    Called per request; each function takes ``(html, ctx)`` and returns HTML.
    Their output is sanitised again, so a transform cannot add scripts.
    """


@hookspec
def blueprints() -> list[Any] | None:
    """Flask blueprints with the plugin's routes.

    Called once per app at start-up. The core answers 404 for these routes on
    sites where the plugin is disabled.
    """


@hookspec
def cli_commands() -> list[Any] | None:
    """Click commands to add under ``clinicjournal``. Called once per app."""


@hookspec
def validate_article(article: Any, site: Any) -> list[str] | None:
    """Problems a plugin finds in an article before it is published or imported.

    Called per site on import and publish. Return messages (``None`` or ``[]`` for
    none); each message is shown to the editor and stops the import.
    """


__all__ = [
    "Category", "Contribution", "HeadExtras", "PluginInfo", "SettingSpec", "SLOTS",
    "hookimpl", "hookspec",
]

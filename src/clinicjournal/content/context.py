"""What a plugin sees of the page being rendered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .citations import number_references


@dataclass
class PageContext:
    """Passed to per-request hooks as ``ctx``.

    ``page`` names the page type: ``index``, ``category``, ``article``, ``page``
    (About, Disclaimer...), ``search`` or ``error``. ``article`` is set on article
    and page views; ``category`` on category pages.
    """

    site: Any
    locale: str
    page: str
    article: Any = None
    category: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: the article's hero image for head extras (og:image, JSON-LD): ``{"url": absolute
    #: URL of its 1200×630 crop, "width", "height", "alt", "type"}``; None without one
    image: dict[str, Any] | None = None
    #: slot / head HTML already rendered for this article version (see fragments.py)
    prerendered: dict[str, Any] = field(default_factory=dict)
    _numbers: dict[str, int] | None = None

    def __repr__(self) -> str:
        slug = getattr(self.article, "slug", None)
        return f"<PageContext {self.page} {self.site.slug}/{self.locale}" + (f"/{slug}>" if slug else ">")

    @property
    def canonical_url(self) -> str:
        """This page's absolute address on the request's scheme and host, without
        the query string, except ``?page=N`` on later pages of a listing. Plugins
        use ``canonical_url + "#webpage"`` as the JSON-LD ``@id`` of the page, so
        their nodes describe the same page."""
        from flask import request

        url = request.host_url.rstrip("/") + request.path
        number = request.args.get("page", "")
        if self.page in ("index", "category") and number.isascii() and number.isdigit() and len(number) <= 6 and int(number) > 1:
            url += f"?page={int(number)}"
        return url

    def settings(self, plugin: str) -> dict[str, Any]:
        """``plugin``'s settings on this site, in this page's locale."""
        return self.site.settings(plugin, self.locale)

    @property
    def citation_numbers(self) -> dict[str, int]:
        """Reference key → number, in order of first citation in the body, then in
        the FAQ answers; a key no reference defines has none."""
        if self._numbers is None:
            article, self._numbers = self.article, {}
            if article is not None:
                refs = getattr(article, "references", None)
                self._numbers = number_references(article.body, getattr(article, "faq", None),
                                                  None if refs is None else {r.key for r in refs})
        return self._numbers

    @property
    def numbered_references(self) -> list[tuple[int | None, Any]]:
        """The article's references as (number, reference): cited ones in citation
        order, then uncited ones with number ``None``."""
        if self.article is None:
            return []
        numbers = self.citation_numbers
        cited = sorted((r for r in self.article.references if r.key in numbers), key=lambda r: numbers[r.key])
        uncited = [r for r in self.article.references if r.key not in numbers]
        return [(numbers[r.key], r) for r in cited] + [(None, r) for r in uncited]

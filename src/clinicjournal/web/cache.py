"""Rendered-page cache and HTTP caching headers.

Reader pages are cached whole (status, headers, body) by a WSGI layer that sits
in front of Flask, so a hit costs no Flask request cycle and no SQL. Entries
are keyed by a *cache generation*; any committed change to content or
configuration moves the generation, which retires every entry at once in every
process:

- ``CACHE_TYPE = "simple"`` (default): entries in each worker's memory (at most
  ``CACHE_MAX_MB`` megabytes of pages, least recently used out first); the
  generation is the modification time of ``instance/cache-generation``, which
  every process on the host sees. One host only.
- ``CACHE_TYPE = "redis"`` (``CACHE_REDIS_URL``): entries and generation in
  Redis, shared by every worker on every host.
- ``CACHE_TYPE = "null"``: off (conditional requests still work).

Entries are also keyed by their locale's and their locale-on-this-host's scoped
generations (:func:`page_scopes`), which translation edits move: an edit of the
German catalog retires German pages only, a site's own wording that site's.

Entries are also keyed by the moment the next scheduled article goes live
(upcoming.py), so it appears at its time on every cached page that lists it,
and by what the page reads from the request (:func:`page_identity`: the path,
the query string and scope.py's request facts: host, scheme, script root).

Only a complete ``200`` answer to a ``GET`` that Flask marked cacheable, and
that neither sets a cookie nor varies (by the session), is stored. A ``HEAD``
is answered from the ``GET``'s entry, and a conditional request from an entry
gets what Flask would answer it.

An entry holds every encoding of the page, compressed once when it is stored
(encoding.py); each request gets the one its ``Accept-Encoding`` asks for.
Without a page cache, mark_cacheable compresses each answer itself.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any, Iterable

from flask import Flask, current_app, g, request
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.http import http_date, parse_etags, remove_entity_headers, unquote_etag
from werkzeug.wrappers import Request, Response

from ..store.startup import StartupError
from . import encoding
from .generations import Generation, page_scopes, scope_names  # noqa: F401  (Generation: part of this API)
from .memo import PageStore
from .scope import request_facts
from .upcoming import Upcoming

log = logging.getLogger("clinicjournal.cache")

CACHEABLE_TYPES = ("text/html", "application/atom+xml", "application/xml", "text/xml", "text/plain")
NO_CACHE_PREFIXES = ("/admin", "/static/")
#: the header by which Flask (mark_cacheable) asks this layer to store an answer; never sent on
MARK = "x-clinicjournal-cache"
#: never stored: when the answer was made (Flask sets it on conditional requests only)
NOT_STORED = (MARK, "date")
HIT = ("X-Cache", "hit")
#: set in the environ by the caching layer: it encodes what it stores, Flask must not
ENCODED_HERE = "clinicjournal.page_cache"
NOT_MODIFIED = Response(status=304).status  # as werkzeug writes it
#: Models whose changes retire cached pages (checked by name to avoid import cycles).
WATCHED = {"Article", "MediaItem", "Person", "Reference", "Site", "SiteHost", "SitePlugin", "Setting"}


class PageCache:
    def __init__(self, store, generation: Generation, ttl: int, local: bool = False,
                 upcoming: Upcoming | None = None) -> None:
        self.store, self.generation, self.ttl, self.local = store, generation, ttl, local
        self.upcoming = upcoming
        self.seen_generation: str | None = None

    def key(self, identity: tuple[str, ...]) -> str:
        """The entry's key for a request of this :func:`page_identity`."""
        scoped = self.generation.scoped(page_scopes(identity))
        generation = scoped.partition(".")[0]  # the install-wide one comes first
        if self.local and generation != self.seen_generation:
            # Entries of older generations can never be hit again: free the
            # worker's memory now rather than when their time runs out.
            self.store.clear()
            self.seen_generation = generation
        moment = self.upcoming.next_moment(generation) if self.upcoming is not None else ""
        digest = hashlib.sha1(repr(identity).encode(), usedforsecurity=False).hexdigest()
        return f"page:{scoped}:{moment}:{digest}"


def page_identity(environ) -> tuple[str, ...]:
    """Everything of a request a reader page depends on: scope.request_facts (host,
    scheme, script root, read as Flask's request reads them) and the raw path and
    query string. Read from the environ this layer is handed, so what every layer
    outside it did (ProxyFix, the server's own X-Forwarded-* handling) is seen."""
    facts = request_facts(Request(environ, shallow=True))
    return (*facts, environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))


class CachingMiddleware:
    """Serve cached reader pages before Flask; store what Flask marks cacheable."""

    def __init__(self, app, cache: PageCache) -> None:
        self.app, self.cache = app, cache

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("PATH_INFO", "").startswith(
                NO_CACHE_PREFIXES) or "HTTP_AUTHORIZATION" in environ:
            return self.app(environ, start_response)
        try:
            identity = page_identity(environ)
            key = self.cache.key(identity)
            hit = self.cache.store.get(key)
        except Exception as exc:  # a cache outage must never take pages down
            log.warning("page cache unavailable: %s", exc)
            return self.app(environ, start_response)
        if hit is not None:
            return self._serve(hit, environ, start_response)
        captured: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            # Held back until the body is known: a stored page is answered in the encoding asked for.
            captured["status"], captured["headers"] = status, headers
            if exc_info is not None:
                captured["started"] = True
                return start_response(status, _sent(headers), exc_info)
            return _no_write

        if environ["REQUEST_METHOD"] == "GET" and not any(name in environ for name in CONDITIONAL):
            # The answer may be stored: it comes back plain and is encoded here, once per encoding.
            # Any other answer (HEAD, a conditional GET) Flask encodes itself, and it is not stored.
            environ[ENCODED_HERE] = True
        body = self.app(environ, capture)
        if "status" not in captured:  # not a Flask answer: nothing to hold back
            return body
        if not self._storable(environ, identity, captured):
            if not captured.get("started"):
                start_response(captured["status"], _sent(captured["headers"]))
            return body
        try:
            data = b"".join(body)  # the page's own error, if it stops part-way: nothing stored
        finally:
            if hasattr(body, "close"):
                body.close()
        headers = captured["headers"]
        length = next((v for k, v in headers if k.lower() == "content-length"), None)
        if length != str(len(data)):  # cut short, or streamed without a length: not stored
            start_response(captured["status"], _sent(headers))
            return [data]
        entry = (captured["status"], encoding.variants([(k, v) for k, v in headers if k.lower() not in NOT_STORED],
                                                       data))
        try:
            self.cache.store.set(key, entry, timeout=self.cache.ttl)
        except Exception as exc:
            log.warning("could not store page in cache: %s", exc)
        chosen, data = _representation(entry, environ)
        start_response(captured["status"], [*chosen, *((k, v) for k, v in headers if k.lower() == "date")])
        return [data]

    @staticmethod
    def _storable(environ, identity: tuple[str, ...], captured: dict[str, Any]) -> bool:
        """A 200 to a GET that Flask marked and that is anonymous, for the request the key
        was made from."""
        status, headers = captured.get("status", ""), captured.get("headers", ())
        if not environ.get(ENCODED_HERE) or status.partition(" ")[0] != "200":
            return False
        names = {k.lower(): v for k, v in headers}
        if names.get(MARK) != "store":
            return False
        # Flask saves the session after mark_cacheable ran: a page that read the session
        # (Vary: Cookie) or set a cookie (a staff session refreshed) is that visitor's own.
        varies = {value.strip().lower() for value in names.get("vary", "").split(",") if value.strip()}
        if "set-cookie" in names or varies - {"accept-encoding"}:
            return False
        # a layer inside this one that rewrote the request rendered another page than the key's
        return page_identity(environ) == identity

    @staticmethod
    def _serve(entry, environ, start_response) -> Iterable[bytes]:
        """The stored page, answered as Flask answers the same request (mark_cacheable)."""
        status = entry[0]
        headers, body = _representation(entry, environ)
        head = environ["REQUEST_METHOD"] == "HEAD"
        conditions = [name for name in CONDITIONAL if name in environ]
        if not conditions:
            start_response(status, [*headers, HIT])
            return [b""] if head else [body]
        if conditions != ["HTTP_IF_NONE_MATCH"]:
            # werkzeug's make_conditional, as for a fresh page: a 304, a 412 or the page
            response = Response(body, status=status, headers=headers)
            response.make_conditional(environ)
            response.headers["X-Cache"] = "hit"
            return response(environ, start_response)
        # A browser revalidating, the common case: what make_conditional answers, faster.
        etag = next((v for k, v in headers if k.lower() == "etag"), None)
        dated = ("Date", http_date())
        if etag and parse_etags(environ["HTTP_IF_NONE_MATCH"]).contains_weak(unquote_etag(etag)[0]):
            kept = list(headers)
            remove_entity_headers(kept)
            start_response(NOT_MODIFIED, [*kept, dated, HIT])
            return [b""]
        start_response(status, [*headers, dated, HIT])
        return [b""] if head else [body]


def _sent(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers if k.lower() != MARK]


def _no_write(_data: bytes) -> None:
    raise RuntimeError("the page cache does not support WSGI's write(): return the body instead")


def _representation(entry, environ) -> tuple[list[tuple[str, str]], bytes]:
    """The stored page's headers and body in the encoding the request accepts."""
    representations = entry[1]
    return (representations.get(encoding.choose(environ.get("HTTP_ACCEPT_ENCODING")))
            or representations[""])


#: request headers that make a response conditional (304) or partial (206)
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
               "HTTP_RANGE", "HTTP_IF_RANGE")


def mark_cacheable(response: Response) -> Response:
    """ETag, Last-Modified and Cache-Control for public reader responses, then
    answer a conditional request with 304. A page during which a plugin failed
    is not cached anywhere."""
    if request.method not in ("GET", "HEAD") or not g.get("cacheable") or response.status_code != 200:
        return response
    if current_app.extensions["clinicjournal"].plugins.failure_count != g.get("failures_at_start"):
        return response
    if response.mimetype not in CACHEABLE_TYPES or "Set-Cookie" in response.headers:
        return response
    state = current_app.extensions["clinicjournal"]
    response.add_etag()
    if g.get("last_modified"):
        response.last_modified = g.last_modified
    response.headers["Cache-Control"] = state.cache_control
    environ = request.environ
    if state.page_cache is not None:
        response.headers["X-Clinicjournal-Cache"] = "store"
    response.vary.add("Accept-Encoding")  # every reader page has encodings, whoever makes them
    if not environ.get(ENCODED_HERE):
        _encode(response, encoding.choose(environ.get("HTTP_ACCEPT_ENCODING")))
    if any(name in environ for name in CONDITIONAL):
        return response.make_conditional(request)
    return response  # nothing to compare: what make_conditional would return, at a fraction of its cost


def _encode(response: Response, chosen: str) -> None:
    """Compress a page that the caching layer will not (no page cache, or another
    layer in front): the same representations a cached page has."""
    if not chosen or response.is_streamed or "Content-Encoding" in response.headers:
        return
    data = response.get_data()
    if len(data) < encoding.MIN_SIZE:
        return
    tag, weak = response.get_etag()
    response.set_data(encoding.compress(data, chosen))
    response.headers["Content-Encoding"] = chosen
    if tag:
        response.set_etag(f"{tag}-{chosen}", weak=weak)


def track_bulk_statements(state) -> None:
    """UPDATE and DELETE statements bypass the flush: mark the session dirty too."""
    if (state.is_update or state.is_delete) and any(
            m.class_.__name__ in WATCHED for m in state.all_mappers):
        state.session.info["cache_dirty"] = True


def track_changes(session: Session, _flush_context, _instances) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(type(obj).__name__ in WATCHED for obj in touched):
        session.info["cache_dirty"] = True


def cache_control(config) -> str:
    """Reader pages' Cache-Control. By default browsers revalidate every view (a
    revisit is a cheap 304 on the ETag), so staff who just unpublished or changed a
    setting never see their own stale page, while shared caches (a CDN) may keep a
    page ``CACHE_S_MAXAGE`` seconds: docs/deploy.md says how to purge them."""
    max_age, swr = int(config["CACHE_MAX_AGE"]), int(config["CACHE_STALE_WHILE_REVALIDATE"])
    parts = ["public", f"max-age={max_age}"] + (["must-revalidate"] if max_age == 0 else [])
    parts.append(f"s-maxage={int(config['CACHE_S_MAXAGE'])}")
    if swr:
        parts.append(f"stale-while-revalidate={swr}")
    return ", ".join(parts)


def init_app(app: Flask) -> None:
    config = app.config
    config.setdefault("CACHE_TYPE", "simple")
    config.setdefault("CACHE_TTL", 300)
    config.setdefault("CACHE_MAX_MB", 16)  # CACHE_TYPE "simple": each worker's pages, in megabytes
    config.setdefault("CACHE_MAX_AGE", 0)
    config.setdefault("CACHE_S_MAXAGE", 300)
    config.setdefault("CACHE_STALE_WHILE_REVALIDATE", 0)
    state = app.extensions["clinicjournal"]
    state.cache_control = cache_control(config)
    state.page_cache = build_cache(app)
    generation = state.page_cache.generation if state.page_cache else _stamp_generation(app)
    state.cache_generation = generation

    def after_commit(session: Session) -> None:
        retire = session.info.pop("retire_pages", ())
        if session.info.pop("cache_dirty", False):
            try:
                generation.bump()
            except Exception as exc:
                log.error("could not retire cached pages after a change: %s", exc)
            return
        for locale, hosts in retire:  # translation edits: only the pages they show on
            try:
                for scope in scope_names(locale, hosts):
                    generation.bump_scope(scope)
            except Exception as exc:
                log.error("could not retire cached %s pages after a translation change: %s", locale, exc)

    maker = state.sessionmaker
    event.listen(maker, "before_flush", track_changes)
    event.listen(maker, "do_orm_execute", track_bulk_statements)
    event.listen(maker, "after_commit", after_commit)
    event.listen(maker, "after_rollback", lambda s: (s.info.pop("cache_dirty", None), s.info.pop("retire_pages", None)))
    app.before_request(lambda: setattr(g, "failures_at_start", state.plugins.failure_count))
    app.after_request(mark_cacheable)
    if state.page_cache is not None:
        app.wsgi_app = CachingMiddleware(app.wsgi_app, state.page_cache)


def _stamp_generation(app: Flask) -> Generation:
    return Generation(stamp=Path(app.instance_path) / "cache-generation")


def build_cache(app: Flask) -> PageCache | None:
    kind = str(app.config["CACHE_TYPE"]).lower()
    ttl = int(app.config["CACHE_TTL"])
    if kind in ("null", "none", "off", ""):
        return None
    upcoming = Upcoming(app.extensions["clinicjournal"].engine)
    if kind == "redis":
        import redis
        from cachelib.redis import RedisCache

        url = app.config.get("CACHE_REDIS_URL") or "redis://127.0.0.1:6379/0"
        client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        prefix = app.config.get("CACHE_KEY_PREFIX", "clinicjournal:")
        store = RedisCache(host=client, key_prefix=prefix, default_timeout=ttl)
        return PageCache(store, Generation(redis=client, key=prefix + "generation"), ttl, upcoming=upcoming)
    if kind == "simple":
        store = PageStore(int(float(app.config["CACHE_MAX_MB"]) * 1_000_000), ttl)
        return PageCache(store, _stamp_generation(app), ttl, local=True, upcoming=upcoming)
    raise StartupError(f"CACHE_TYPE must be simple, redis or null, not {kind!r}: set CLINICJOURNAL_CACHE_TYPE "
                       "(or CACHE_TYPE in instance/config.py) to one of them.")

"""Writing plugin failures and slow calls where every process can see them.

Written on a connection of its own, outside the request's session, so a
failure is recorded even when the request later rolls back.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..store.models import PluginHealth, utcnow

log = logging.getLogger("clinicjournal.plugins")
SLOW_CALL_MS = 50


class HealthRecorder:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def failure(self, plugin: str, site: str, message: str) -> None:
        self._upsert(plugin, site, failures=PluginHealth.failures + 1, last_error=message[:2000],
                     last_failure_at=utcnow())

    def slow_call(self, plugin: str, site: str, hook: str, elapsed_ms: float) -> None:
        if elapsed_ms < SLOW_CALL_MS:
            return
        try:
            with self.engine.connect() as conn:
                slowest = conn.scalar(select(PluginHealth.slowest_ms).where(
                    PluginHealth.plugin == plugin, PluginHealth.site_slug == site))
        except SQLAlchemyError as exc:  # e.g. the database is down: the page goes on
            log.warning("could not read plugin health for %s: %s", plugin, exc)
            return
        if slowest is None or elapsed_ms > slowest:
            self._upsert(plugin, site, slowest_ms=int(elapsed_ms), slowest_hook=hook)

    def _upsert(self, plugin: str, site: str, **values) -> None:
        where = (PluginHealth.plugin == plugin, PluginHealth.site_slug == site)
        try:
            with self.engine.begin() as conn:
                if conn.execute(update(PluginHealth).where(*where).values(**values)).rowcount:
                    return
            with self.engine.begin() as conn:
                row = {"plugin": plugin, "site_slug": site, "failures": 0, "last_error": "",
                       "slowest_ms": 0, "slowest_hook": ""}
                for key, value in values.items():
                    row[key] = 1 if key == "failures" else value
                conn.execute(PluginHealth.__table__.insert().values(**row))
        except IntegrityError:  # another worker inserted it first: update instead
            with self.engine.begin() as conn:
                conn.execute(update(PluginHealth).where(*where).values(**values))
        except SQLAlchemyError as exc:  # health data must never break a page
            log.warning("could not record plugin health for %s: %s", plugin, exc)


def health_rows(sess) -> list[PluginHealth]:
    return list(sess.scalars(select(PluginHealth).order_by(PluginHealth.plugin, PluginHealth.site_slug)))

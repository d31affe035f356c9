"""Where the page cache's generations live: the install-wide one, which any
change to content or configuration moves (retiring every cached page), and the
scoped ones (a locale; a locale on one host), which translation edits move
(retiring only the pages they show on). See web/cache.py.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path


class Generation:
    """Where the install-wide cache generation lives."""

    def __init__(self, stamp: Path | None = None, redis=None, key: str = "clinicjournal:generation") -> None:
        self.stamp, self.redis, self.key = stamp, redis, key
        # the scoped stamps' folder (plain strings: a Path costs microseconds per request)
        self._folder = stamp.with_name(stamp.name + ".d") if stamp is not None else None
        self._folder_str = str(self._folder) if stamp is not None else ""
        self._stamp_str = str(stamp) if stamp is not None else ""
        self._folder_seen: int | None = None  # its mtime when last read
        self._scope_values: dict[str, int] = {}

    def current(self) -> str:
        if self.redis is not None:
            return (self.redis.get(self.key) or b"0").decode()
        try:
            return str(os.stat(self.stamp).st_mtime_ns)
        except FileNotFoundError:
            return "0"

    def bump(self) -> None:
        if self.redis is not None:
            self.redis.incr(self.key)
            return
        self._touch(self.stamp)

    def scoped(self, scopes: tuple[str, ...]) -> str:
        """The install-wide generation and each of ``scopes``' (a locale, a locale on
        one host) in one string: one Redis round trip, or two stat calls (the stamp and
        the folder of scoped stamps; the folder is read again only when it changed)."""
        if self.redis is not None:
            values = self.redis.mget([self.key, *(f"{self.key}:{s}" for s in scopes)])
            return ".".join((v or b"0").decode() for v in values)
        try:
            main = os.stat(self._stamp_str).st_mtime_ns
        except FileNotFoundError:
            main = 0
        if scopes:
            try:
                folder = os.stat(self._folder_str).st_mtime_ns
            except FileNotFoundError:
                folder = 0
            if folder != self._folder_seen:  # a scope was bumped: read them all (stat first, then read)
                self._scope_values = self._read_scopes()
                self._folder_seen = folder
        known = self._scope_values
        return ".".join([str(main), *(str(known.get(s, 0)) for s in scopes)])

    def bump_scope(self, scope: str) -> None:
        """Retire the cached pages of one scope only (see :func:`page_scopes`)."""
        if self.redis is not None:
            self.redis.incr(f"{self.key}:{scope}")
            return
        # A new file replaces the old one, so the folder's own mtime moves too, and is set
        # past its previous value: readers see the change by one stat of the folder.
        self._folder.mkdir(parents=True, exist_ok=True)
        target = self._folder / scope
        tmp = self._folder / f".{scope}.{os.getpid()}.tmp"
        tmp.write_bytes(b"")
        stamp = max(time.time_ns(), self._mtime(target) + 1_000)
        os.utime(tmp, ns=(stamp, stamp))
        os.replace(tmp, target)
        moved = max(time.time_ns(), self._mtime(self._folder) + 1_000)
        os.utime(self._folder, ns=(moved, moved))

    def _read_scopes(self) -> dict[str, int]:
        try:
            return {e.name: e.stat().st_mtime_ns for e in os.scandir(self._folder) if not e.name.startswith(".")}
        except FileNotFoundError:
            return {}

    def _touch(self, stamp: Path) -> None:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        # A fresh mtime that is never equal to the previous one, even within a tick.
        previous = self._mtime(stamp)
        now = max(time.time_ns(), previous + 1_000)
        stamp.touch()
        os.utime(stamp, ns=(now, now))

    def _mtime(self, stamp: Path | None = None) -> int:
        try:
            return os.stat(stamp or self.stamp).st_mtime_ns
        except FileNotFoundError:
            return 0


_LOCALE_SEGMENT = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?")
_HOST = re.compile(r"[a-z0-9.-]{1,253}")


def page_scopes(identity: tuple[str, ...]) -> tuple[str, ...]:
    """The scoped generations a page of this :func:`page_identity` is keyed by: its
    locale's (the first path segment, /de/...) and that locale on its host's, moved by
    translation edits (install-wide and per site); () for a page of no locale."""
    path = identity[-2]
    first = path[1:].split("/", 1)[0]
    if not _LOCALE_SEGMENT.fullmatch(first):
        return ()
    host = identity[0].lower().rsplit(":", 1)[0] if not identity[0].endswith("]") else ""
    return (first, f"{first}@{host}") if _HOST.fullmatch(host) else (first,)


def scope_names(locale: str, hosts: tuple[str, ...] | None) -> list[str]:
    """The scopes to move when ``locale``'s translations change (on ``hosts`` only)."""
    if hosts is None:
        return [locale]
    return [f"{locale}@{h}" for h in hosts if _HOST.fullmatch(h)]

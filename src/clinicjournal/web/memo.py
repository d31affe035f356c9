"""Bounded memos in one worker's memory: the rendered-page cache (``CACHE_TYPE =
"simple"``), the article fragments and the template fragments.

Each is bounded by the total size of what it holds, not by a number of entries:
pages and fragments differ in size a hundredfold, and a count bound let a
worker's memory follow the traffic's mix (issue 7's limit is per worker).
Least recently used entries go first (``cachetools``). One lock per memo:
threaded servers share them, and ``cachetools`` collections are not
thread-safe on their own.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from cachetools import LRUCache, TTLCache

#: what an entry costs beside its own text (key, bookkeeping), in characters or bytes
ENTRY_OVERHEAD = 200


class Memo:
    """Least recently used out first, while the weights of the entries exceed ``max_size``."""

    def __init__(self, max_size: int, weigh: Callable[[Any], int], ttl: float | None = None,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self.max_size = max_size
        self._weigh = weigh
        self._entries = (TTLCache(max_size, ttl, timer=timer, getsizeof=self._entry_weight) if ttl
                         else LRUCache(max_size, getsizeof=self._entry_weight))
        self._lock = threading.Lock()

    def _entry_weight(self, value: Any) -> int:
        return self._weigh(value) + ENTRY_OVERHEAD

    def get(self, key: Any) -> Any:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Any, value: Any) -> None:
        if self._entry_weight(value) > self.max_size // 8:
            return  # one entry may not crowd out the rest
        with self._lock:
            self._entries[key] = value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @property
    def used(self) -> int:
        """The weight of what the memo holds now."""
        return self._entries.currsize

    def __len__(self) -> int:
        return len(self._entries)


class PageStore(Memo):
    """Rendered pages ``(status, {encoding: (headers, body)})``, each kept at most ``ttl``
    seconds, bounded by bytes: the in-process page cache. Same calls as the
    ``cachelib`` store used for Redis."""

    def __init__(self, max_bytes: int, ttl: float, timer: Callable[[], float] = time.monotonic) -> None:
        super().__init__(max_bytes, _page_weight, ttl=ttl, timer=timer)

    def set(self, key: str, entry: tuple, timeout: float | None = None) -> None:
        self.put(key, entry)  # every page lives CACHE_TTL seconds: ``timeout`` is that too


def _page_weight(entry: tuple) -> int:
    """``(status, {encoding: (headers, body)})``: every representation counts."""
    return sum(len(body) + sum(len(name) + len(value) for name, value in headers)
               for headers, body in entry[1].values())

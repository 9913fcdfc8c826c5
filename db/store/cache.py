"""The one cache of data: a small least-recently-used store keyed by data versions.

The policy, everywhere in the app:

- Data read from the database is cached only here in db/, only through `VersionedCache`.
- A value is keyed by what it is about (a family, a team, an audience, a day) **and** by the
  data versions (`Family.data_version`, `Team.data_version`) the caller read in the same session
  that, on a miss, builds the value. Every write bumps those versions in the database
  (`db.rules.writes.touch`), so the next read asks for a new key: nothing is invalidated by
  hand, and several app processes on one database stay correct, each with its own cache.
- Access is checked before the cache is asked, on every call; the key never holds the worker.
- A cached value is one shared object: treat it as read-only.

Components may memoise pure chart-spec building, and only through
`components.charts.spec_cache`, keyed by the same data versions. Nothing else caches data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

from db.store.engine import database_url

T = TypeVar("T")

_EVERY_CACHE: list[VersionedCache] = []


class VersionedCache(Generic[T]):
    """At most `size` values, the least recently used dropped first; one per kind of value."""

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        _EVERY_CACHE.append(self)

    def get(self, key: Hashable, *, versions: Hashable, build: Callable[[], T]) -> T:
        """The value for `key` at these data versions in this database, built on a miss (two
        runs missing at once may both build; the values are equal, the last one is kept)."""
        full = (database_url(), key, versions)
        with self._lock:
            if full in self._values:
                self._values.move_to_end(full)
                return self._values[full]
        value = build()
        with self._lock:
            self._values[full] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def clear_every_cache() -> None:
    """For tests and the benchmark, which point db/ at a fresh database."""
    for cache in _EVERY_CACHE:
        cache.clear()

"""The one data cache: a value is served again only for the same database, key and data
versions; a write elsewhere (another app process) shows because it bumps the version read."""

from __future__ import annotations

from db.store.cache import VersionedCache, clear_every_cache


def test_a_value_is_built_once_per_key_and_versions(monkeypatch):
    cache: VersionedCache[str] = VersionedCache("test", size=2)
    built = []

    def build(value: str):
        built.append(value)
        return value

    monkeypatch.setenv("DATABASE_URL", "sqlite:///one.db")
    assert cache.get(1, versions=7, build=lambda: build("a")) == "a"
    assert cache.get(1, versions=7, build=lambda: build("b")) == "a"  # served again
    assert cache.get(1, versions=8, build=lambda: build("c")) == "c"  # a write: a new key
    monkeypatch.setenv("DATABASE_URL", "sqlite:///two.db")
    assert cache.get(1, versions=8, build=lambda: build("d")) == "d"  # another database
    assert cache.get(2, versions=8, build=lambda: build("e")) == "e"  # size 2: (one, 1, 8) goes
    monkeypatch.setenv("DATABASE_URL", "sqlite:///one.db")
    assert cache.get(1, versions=8, build=lambda: build("f")) == "f"
    clear_every_cache()
    assert cache.get(1, versions=8, build=lambda: build("g")) == "g"
    assert built == ["a", "c", "d", "e", "f", "g"]

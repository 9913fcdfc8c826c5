"""The one way a component memoises: a pure chart-spec builder (building an Altair chart costs
~40 ms, drawing a kept spec ~3 ms).

A cached builder takes, as hashed arguments, what the spec is of and the data versions the db/
read came with (family or team, `data_version`, audience, day); the data itself is passed
unhashed (`_`-prefixed), since those keys determine it. It never reads the database and never
takes the acting worker: access was checked by the db/ read that produced the data. Data itself
is cached only in db/ (db.store.cache).
"""

from __future__ import annotations

from typing import Callable, TypeVar

import streamlit as st

Builder = TypeVar("Builder", bound=Callable[..., dict])


def spec_cache(*, max_entries: int) -> Callable[[Builder], Builder]:
    """Decorates a builder returning a Vega-Lite spec (a dict); each caller gets its own copy."""
    return st.cache_data(max_entries=max_entries, show_spinner=False)  # type: ignore[return-value]

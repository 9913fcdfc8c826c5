"""An address's ?family= that could never be one of ours is no family, never a crash."""

import pytest
from streamlit.testing.v1 import AppTest


def _page(raw):
    def script(raw):
        import streamlit as st

        from components.ui import query_family_id

        st.query_params["family"] = raw
        st.write(repr(query_family_id()))

    return AppTest.from_function(script, args=(raw,), default_timeout=30)


@pytest.mark.parametrize(
    "raw, family",
    [
        ("12", "12"),
        ("99999999999999999999", "None"),
        ("2147483648", "None"),
        ("-3", "None"),
        ("1e3", "None"),
        ("", "None"),
        ("٣", "None"),
    ],
)
def test_an_odd_family_in_the_address_is_no_family(raw, family):
    at = _page(raw).run()
    assert not at.exception
    assert at.markdown[0].value == family

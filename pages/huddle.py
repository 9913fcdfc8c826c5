"""Placeholder until this screen is built."""
import streamlit as st

from components.auth import guard

actor = guard()
st.info("This screen is coming soon.")

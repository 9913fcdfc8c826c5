"""Reusable Streamlit pieces: the auth guard, charts, forms, cards and hints."""

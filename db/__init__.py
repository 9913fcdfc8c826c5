"""Golden Thread's store: models, engine, reads (queries), writes (actions) and metrics.

Nothing in this package imports Streamlit, so the rules here hold for every screen, script and
test alike.
"""

"""The store: one engine per database, the tables, column types and migrations."""

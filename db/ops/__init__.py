"""Operations: demo data, preparing a database, backups, and the first admin."""

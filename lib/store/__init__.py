"""The store: the database every page reads and every import writes (SQLite by default,
PostgreSQL for a shared deployment), its schema versions and its aggregates."""

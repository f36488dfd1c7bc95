"""Fault-tolerance tests with real processes: a Temporal dev server, an embedded PostgreSQL and
workers run as subprocesses, and are killed, stopped and restarted (no mocks)."""

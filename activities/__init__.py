"""Everything with I/O: the PostgreSQL event store and projections, adapters, notifications.

Workflows may import the pydantic contracts from ``activities.store_models`` (no I/O imports);
everything else is for the worker process only.
"""

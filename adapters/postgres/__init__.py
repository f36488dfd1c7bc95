"""PostgreSQL (asyncpg): the event store, the projections, the registry and the other repositories."""
